// Canonicalize(): the canonical forms, the refusals, relative resolution and
// the options, each as a table of input -> expected.
#include "linkwatch/crawler/url.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

using linkwatch::Status;
using linkwatch::crawler::Canonicalize;
using linkwatch::crawler::CanonicalUrl;
using linkwatch::crawler::CanonOptions;
using linkwatch::crawler::kMaxUrlBytes;
using linkwatch::crawler::KnownPlatformRules;

namespace {

// The href, or "error: <message>" so that a table row shows what went wrong.
std::string Href(std::string_view input, std::string_view base = {},
                 const CanonOptions& options = {}) {
  const auto result = Canonicalize(input, base, options);
  return result.ok() ? result->href : "error: " + result.status().message();
}

CanonOptions WithRules(std::vector<std::string> rules) {
  CanonOptions options;
  options.platform_rules = std::move(rules);
  return options;
}

}  // namespace

TEST_CASE("canonical form folds what does not change the resource") {
  const auto [input, expected] = GENERATE(table<std::string, std::string>({
      {"HTTP://WWW.Example.COM/Path/Index.HTML", "http://www.example.com/Path/Index.HTML"},
      {"https://example.com:443/", "https://example.com/"},
      {"http://example.com:80", "http://example.com/"},
      {"http://example.com:443/", "http://example.com:443/"},
      {"http://example.com:8080/", "http://example.com:8080/"},
      {"https://example.com:/a", "https://example.com/a"},
      {"https://example.com./a", "https://example.com/a"},
      {"https://example.com../a", "https://example.com/a"},
      {"https://ПРИМЕР.рф/", "https://xn--e1afmkfd.xn--p1ai/"},
      {"https://XN--E1AFMKFD.XN--P1AI/", "https://xn--e1afmkfd.xn--p1ai/"},
      {"https://ex%41mple.com/", "https://example.com/"},
      {"https://example.com/a%2fb%3f%23%26%3d", "https://example.com/a%2Fb%3F%23%26%3D"},
      {"https://example.com/%7e%41%2D%5f%2e%30", "https://example.com/~A-_.0"},
      {"https://example.com/a/./b/../../c/", "https://example.com/c/"},
      {"https://example.com/a/%2E%2e/b/%2e", "https://example.com/b/"},
      {"https://example.com/../../a", "https://example.com/a"},
      {"https://example.com//a", "https://example.com//a"},
      {"https://example.com", "https://example.com/"},
      {"https://example.com/?", "https://example.com/"},
      {"https://example.com/a#frag", "https://example.com/a"},
      {"https://example.com/s?b=2&a=1&a=0&&c", "https://example.com/s?a=1&a=0&b=2&c"},
      {"https://example.com/s?a&a=", "https://example.com/s?a&a="},
      {"https://example.com/s?q=a%26b&q=a+b", "https://example.com/s?q=a%26b&q=a+b"},
      {"https://example.com/s?utm_source=x&fbclid=1&gclid=2&yclid=3&id=7",
       "https://example.com/s?id=7"},
      {"https://example.com/s?utm=1&UTM_SOURCE=2", "https://example.com/s?UTM_SOURCE=2&utm=1"},
      {"https://www.example.com/news/", "https://www.example.com/news/"},
      {"https://m.example.com/", "https://m.example.com/"},
      {"https://user:pa%3ass@example.com/", "https://user:pa%3Ass@example.com/"},
      {"https://:secret@example.com/", "https://:secret@example.com/"},
      {"https://user:@example.com/", "https://user@example.com/"},
      {"https://example.com/a b<c>\"d`{e}", "https://example.com/a%20b%3Cc%3E%22d%60%7Be%7D"},
      {"https://example.com/?q=a b'c\"<d>", "https://example.com/?q=a%20b%27c%22%3Cd%3E"},
      {"https://ru.wikipedia.org/wiki/Москва",
       "https://ru.wikipedia.org/wiki/%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0"},
      {"https://example.com/?q=%d0%94", "https://example.com/?q=%D0%94"},
      {"https://example.com/%%41a%4%42%zz", "https://example.com/%%41a%4%42%zz"},
      {"https://127.1/", "https://127.0.0.1/"},
      {"https://0x7f.0.0.1./", "https://127.0.0.1/"},
      {"http://[0:0:0:0:0:ffff:7f00:1]/", "http://[::ffff:7f00:1]/"},
      {"http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/"},
      {"http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080/"},
      {" \t https://example.com/a\n ", "https://example.com/a"},
      {"https://exa\tmple.com/a\rb", "https://example.com/ab"},
      {std::string("https://example.com/a\x01"
                   "b") +
           '\0' + "c\x7f",
       "https://example.com/a%01b%00c%7F"},
      {std::string("https://example.com/a\x7f") + "b", "https://example.com/a%7Fb"},
      {"https:example.com/a", "https://example.com/a"},
      {"https:////example.com/a", "https://example.com/a"},
      {"https:\\\\example.com\\a\\b?c\\d", "https://example.com/a/b?c\\d"},
  }));
  CAPTURE(input);
  CHECK(Href(input) == expected);
}

TEST_CASE("a canonical URL canonicalizes to itself") {
  const auto input =
      GENERATE(as<std::string>{}, "HTTP://User@Example.COM:80/a/../%7e?b=1&a#x",
               "https://пример.рф./путь?ключ=значение",
               "https://example.com../%2e%2E/x%2fy?q=%3d%3D&&utm_id=1", "http://[::ffff:1.2.3.4]/",
               "https://youtu.be/aB3dE5fG7hI?t=1", "https://t.me/s/Chan/1?single",
               "https://vk.ru/feed?w=wall1_2", "https://example.com/%%41a%4%42?%%7e");
  const auto once = Canonicalize(input);
  REQUIRE(once.ok());
  CAPTURE(input, once->href);
  const auto twice = Canonicalize(once->href);
  REQUIRE(twice.ok());
  CHECK(twice->href == once->href);
}

TEST_CASE("only http and https are accepted, and the message names the scheme") {
  const auto [input, scheme] = GENERATE(table<std::string, std::string>({
      {"javascript:alert(1)", "javascript"},
      {"JavaScript:alert(1)", "javascript"},
      {"  javascript:alert(1)", "javascript"},
      {"data:text/html,<script>x</script>", "data"},
      {"file:///etc/passwd", "file"},
      {"ftp://example.com/file", "ftp"},
      {"mailto:someone@example.com", "mailto"},
      {"ws://example.com/", "ws"},
  }));
  CAPTURE(input);
  const auto result = Canonicalize(input);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == Status::Code::kInvalidArgument);
  CHECK(result.status().message() ==
        "scheme \"" + scheme + "\" is not allowed; only http and https");
}

TEST_CASE("a scheme in a refusal is cut short") {
  const auto result = Canonicalize(std::string(100, 'x') + ":payload");
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().message().size() < 100);
  CHECK(result.status().message().find("...") != std::string::npos);
}

TEST_CASE("what is not a usable URL is refused with the reason") {
  const auto [input, reason] = GENERATE(table<std::string, std::string>({
      {"", "the URL is empty"},
      {" \t\r\n ", "the URL is empty"},
      {"http://", "No host part in the URL"},
      {"https:///", "No host part in the URL"},
      {"http://exa mple.com/", "Bad hostname"},
      {"http://a<b.com/", "Bad hostname"},
      {"http://a%25b.com/", "a host name cannot contain '%'"},
      {"http://a%7Cb.com/", "a host name cannot contain '|'"},
      {"http://a\x7f.com/", "a host name cannot contain byte 0x7F"},
      {"http://a%C3b.com/", "not a valid internationalized domain name"},
      {"http://1.2.3.4.5/", "not an IPv4 address"},
      {"http://example.09/", "not an IPv4 address"},
      {"http://[fe80::1%25eth0]/", "IPv6 zone ids are not allowed"},
      {"http://[1:2/", "Bad IPv6"},
      {"http://example.com:65536/", "Port number"},
      {"http://example.com:8o/", "Port number"},
      {"example.com/news", "the URL is relative (no scheme); start it with https://"},
      {"//example.com/news", "the URL is relative (no scheme); start it with https://"},
  }));
  CAPTURE(input);
  const auto result = Canonicalize(input);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(result.status().message(), Catch::Contains(reason));
}

TEST_CASE("inputs over kMaxUrlBytes are refused, inputs at the limit are not") {
  const std::string prefix = "https://example.com/";
  const std::string at_limit = prefix + std::string(kMaxUrlBytes - prefix.size(), 'a');
  CHECK(Canonicalize(at_limit).ok());
  const auto over = Canonicalize(at_limit + "a");
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().message() == "the URL is 8193 bytes long; the limit is 8192");
  const auto base_over = Canonicalize("a", at_limit + "/");
  REQUIRE_FALSE(base_over.ok());
  CHECK_THAT(base_over.status().message(), Catch::Contains("the base URL is 8193 bytes"));
}

TEST_CASE("a relative link resolves against the page it was found on") {
  const std::string base = "http://example.org/foo/bar?q=1#frag";
  const auto [input, expected] = GENERATE(table<std::string, std::string>({
      {"", "http://example.org/foo/bar?q=1"},
      {"  ", "http://example.org/foo/bar?q=1"},
      {"#x", "http://example.org/foo/bar?q=1"},
      {"?x", "http://example.org/foo/bar?x"},
      {"?x#y", "http://example.org/foo/bar?x"},
      {"?", "http://example.org/foo/bar"},
      {"baz", "http://example.org/foo/baz"},
      {"./baz", "http://example.org/foo/baz"},
      {".", "http://example.org/foo/"},
      {"..", "http://example.org/"},
      {"../a", "http://example.org/a"},
      {"../../../a", "http://example.org/a"},
      {"%2e%2e/a", "http://example.org/a"},
      {"%2E./%2e%2E/a", "http://example.org/a"},
      {"/abs?b=2&a=1", "http://example.org/abs?a=1&b=2"},
      {"//Other.COM/x", "http://other.com/x"},
      {"\\\\other.com\\x", "http://other.com/x"},
      {"///other.com/x", "http://other.com/x"},
      {"http:baz", "http://example.org/foo/baz"},
      {"http:c:29", "http://example.org/foo/c:29"},
      {"https:other.com", "https://other.com/"},
      {"a b?c d", "http://example.org/foo/a%20b?c%20d"},
      {"1.2:x", "http://example.org/foo/1.2:x"},
      {"+x:y/z", "http://example.org/foo/+x:y/z"},
      {"https://abs.example/x", "https://abs.example/x"},
  }));
  CAPTURE(input);
  CHECK(Href(input, base) == expected);
}

TEST_CASE("a base must be an absolute http(s) URL") {
  const auto [base, reason] = GENERATE(table<std::string, std::string>({
      {"ftp://example.org/", "scheme \"ftp\" is not allowed"},
      {"/relative/base", "the base URL is relative"},
      {"   ", "the base URL is empty"},
      {"http://", "No host part"},
  }));
  CAPTURE(base);
  const auto result = Canonicalize("a", base);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.status().message(), Catch::Contains(reason));
}

TEST_CASE("a non-http link on an http page is still refused") {
  const auto result = Canonicalize("javascript:void(0)", "https://example.org/");
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.status().message(), Catch::Contains("\"javascript\""));
}

TEST_CASE("platform rules fold aliases of one post or video") {
  const auto [input, expected] = GENERATE(table<std::string, std::string>({
      {"https://t.me/s/ExampleChannel/123?single&utm_source=x", "https://t.me/examplechannel/123"},
      {"https://t.me/s/ExampleChannel", "https://t.me/examplechannel"},
      {"https://telegram.me/Durov", "https://t.me/durov"},
      {"https://t.me/+AbCdEf", "https://t.me/+AbCdEf"},
      {"https://t.me/joinchat/AbCdEf", "https://t.me/joinchat/AbCdEf"},
      {"https://t.me/c/1234/5?single", "https://t.me/c/1234/5"},
      {"https://youtu.be/aB3dE5fG7hI?t=42&si=Zx9",
       "https://www.youtube.com/watch?t=42&v=aB3dE5fG7hI"},
      {"http://youtu.be/aB3dE5fG7hI", "https://www.youtube.com/watch?v=aB3dE5fG7hI"},
      {"https://m.youtube.com/watch?v=aB3dE5fG7hI&si=q",
       "https://www.youtube.com/watch?v=aB3dE5fG7hI"},
      {"https://youtube.com/shorts/aB3dE5fG7hI", "https://www.youtube.com/watch?v=aB3dE5fG7hI"},
      {"https://youtube.com/shorts/aB3&x=1", "https://www.youtube.com/shorts/aB3&x=1"},
      {"https://youtu.be/a%26b", "https://youtu.be/a%26b"},
      {"https://youtu.be:8080/aB3dE5fG7hI", "https://youtu.be:8080/aB3dE5fG7hI"},
      {"https://vk.ru/club1?w=wall-1_2", "https://vk.com/wall-1_2"},
      {"https://m.vk.ru/feed?w=wall1_2&z=photo", "https://m.vk.com/wall1_2"},
      {"https://vk.com/feed?w=photo-1_2", "https://vk.com/feed?w=photo-1_2"},
      {"https://vk.com/feed?w=wall-1_", "https://vk.com/feed?w=wall-1_"},
      {"https://notvk.ru/a", "https://notvk.ru/a"},
  }));
  CAPTURE(input);
  CHECK(Href(input) == expected);
}

TEST_CASE("each platform rule set can be disabled on its own") {
  const auto [rules, input,
              expected] = GENERATE(table<std::vector<std::string>, std::string, std::string>({
      {{}, "https://t.me/s/Chan/1?single", "https://t.me/s/Chan/1?single"},
      {{}, "https://youtu.be/aB3dE5fG7hI?si=x", "https://youtu.be/aB3dE5fG7hI?si=x"},
      {{}, "https://vk.ru/club1?w=wall-1_2", "https://vk.ru/club1?w=wall-1_2"},
      {{"youtube", "vk"}, "https://telegram.me/Chan/1", "https://telegram.me/Chan/1"},
      {{"youtube", "vk"}, "https://youtu.be/aB3", "https://www.youtube.com/watch?v=aB3"},
      {{"telegram", "vk"}, "https://m.youtube.com/shorts/aB3", "https://m.youtube.com/shorts/aB3"},
      {{"telegram", "vk"}, "https://telegram.me/Chan/1", "https://t.me/chan/1"},
      {{"telegram", "youtube"}, "https://vk.com/x?w=wall-1_2", "https://vk.com/x?w=wall-1_2"},
  }));
  CAPTURE(input);
  CHECK(Href(input, {}, WithRules(rules)) == expected);
}

TEST_CASE("KnownPlatformRules lists the three rule sets") {
  CHECK(KnownPlatformRules() == std::vector<std::string>{"telegram", "youtube", "vk"});
}

TEST_CASE("strip_params drops configured keys, and a trailing * makes a prefix") {
  CanonOptions options;
  options.strip_params = {"ref", "session_*"};
  const auto [input, with_option, without_option] =
      GENERATE(table<std::string, std::string, std::string>({
          {"https://e.com/?ref=tg&id=1", "https://e.com/?id=1", "https://e.com/?id=1&ref=tg"},
          {"https://e.com/?session_id=9&session_=1&id=1", "https://e.com/?id=1",
           "https://e.com/?id=1&session_=1&session_id=9"},
          {"https://e.com/?referrer=a&session=b", "https://e.com/?referrer=a&session=b",
           "https://e.com/?referrer=a&session=b"},
          {"https://e.com/?Ref=a", "https://e.com/?Ref=a", "https://e.com/?Ref=a"},
          {"https://e.com/?ref&utm_medium=x", "https://e.com/", "https://e.com/?ref"},
      }));
  CAPTURE(input);
  CHECK(Href(input, {}, options) == with_option);
  CHECK(Href(input) == without_option);
}

TEST_CASE("the key folds http into https unless told not to") {
  const auto http = Canonicalize("HTTP://Example.com:80/a");
  REQUIRE(http.ok());
  CHECK(http->href == "http://example.com/a");
  CHECK(http->key == "https://example.com/a");
  CHECK(http->scheme == "http");
  CHECK(http->host == "example.com");

  const auto odd_port = Canonicalize("http://example.com:443/a");
  REQUIRE(odd_port.ok());
  const auto https = Canonicalize("https://example.com/a");
  REQUIRE(https.ok());
  CHECK(odd_port->key != https->key);
  CHECK(https->key == https->href);

  CanonOptions strict;
  strict.scheme_insensitive_key = false;
  const auto strict_http = Canonicalize("http://example.com/a", {}, strict);
  REQUIRE(strict_http.ok());
  CHECK(strict_http->key == "http://example.com/a");
}

TEST_CASE("host is the canonical host without port") {
  const auto [input, host] = GENERATE(table<std::string, std::string>({
      {"https://ПРИМЕР.РФ:8443/", "xn--e1afmkfd.xn--p1ai"},
      {"http://[::1]:81/", "[::1]"},
      {"https://youtu.be/aB3", "www.youtube.com"},
  }));
  const auto result = Canonicalize(input);
  REQUIRE(result.ok());
  CHECK(result->host == host);
}

TEST_CASE("concurrent calls agree, IDN included") {
  constexpr int kThreads = 4;
  constexpr int kCallsPerThread = 200;
  std::vector<std::vector<std::string>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&seen, t] {
      for (int i = 0; i < kCallsPerThread; ++i) seen[t].push_back(Href("https://пример.рф/?b&a"));
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& results : seen) {
    REQUIRE(results.size() == static_cast<size_t>(kCallsPerThread));
    for (const std::string& href : results) CHECK(href == "https://xn--e1afmkfd.xn--p1ai/?a&b");
  }
}

TEST_CASE("random URL-like inputs either fail or canonicalize to a fixed point") {
  // Fragments chosen to hit every normalization step; the seed is fixed so a
  // failure reproduces.
  const std::vector<std::string> pieces = {"http://",
                                           "https:",
                                           "//",
                                           "/",
                                           "\\",
                                           "..",
                                           ".",
                                           "%2e",
                                           "%",
                                           "%zz",
                                           "%41",
                                           "%2f",
                                           "?",
                                           "#",
                                           "&",
                                           "=",
                                           "@",
                                           ":",
                                           "[",
                                           "]",
                                           "::1",
                                           "a",
                                           "B",
                                           "\xc3\xa9",
                                           "\xd1\x80\xd1\x84",
                                           "xn--",
                                           "0x7f",
                                           "1.2.3.4",
                                           " ",
                                           "\t",
                                           std::string(1, '\0'),
                                           "\x7f",
                                           "utm_source",
                                           "w=wall-1_2",
                                           "t.me",
                                           "youtu.be",
                                           "vk.ru",
                                           "s",
                                           "si=1",
                                           "~",
                                           "+",
                                           "'",
                                           "<",
                                           "80",
                                           "javascript:"};
  const std::vector<std::string> bases = {"", "http://example.org/foo/bar?q#f",
                                          "https://t.me/s/Chan/1"};
  constexpr int kInputs = 3000;
  constexpr int kMaxPieces = 12;
  std::mt19937 rng(20240611);
  int canonical = 0;
  for (int i = 0; i < kInputs; ++i) {
    std::string input;
    const int n = std::uniform_int_distribution<int>(1, kMaxPieces)(rng);
    for (int k = 0; k < n; ++k) {
      input += pieces[std::uniform_int_distribution<size_t>(0, pieces.size() - 1)(rng)];
    }
    const std::string& base =
        bases[std::uniform_int_distribution<size_t>(0, bases.size() - 1)(rng)];
    const auto once = Canonicalize(input, base);
    if (!once.ok()) continue;
    ++canonical;
    const auto twice = Canonicalize(once->href);
    CAPTURE(input, base, once->href);
    REQUIRE(twice.ok());
    REQUIRE(twice->href == once->href);
  }
  CHECK(canonical > kInputs / 4);  // the generator still reaches the interesting paths
}
