#include "linkwatch/crawler/page.h"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "charset.h"  // white-box: crawler/src, for IsValidUtf8
#include "page_test_util.h"

using linkwatch::crawler::ExtractOptions;
using linkwatch::crawler::ExtractPage;
using linkwatch::crawler::IsValidUtf8;
using linkwatch::crawler::Page;
using linkwatch::crawler::ToUtf8;
using linkwatch::crawler::testing::Utf16;

namespace {

constexpr std::string_view kPageUrl = "https://example.org/dir/page.html?q=1";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

Page Html(std::string_view body, const ExtractOptions& options = {}) {
  return ExtractPage(body, "text/html", kPageUrl, options);
}

std::vector<std::string> Urls(const Page& page) {
  std::vector<std::string> urls;
  for (const auto& link : page.outlinks) urls.push_back(link.url);
  return urls;
}

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

// "Привет" in two legacy Cyrillic charsets.
const std::string kPrivet1251 = "\xCF\xF0\xE8\xE2\xE5\xF2";
const std::string kPrivetKoi8 = "\xF0\xD2\xC9\xD7\xC5\xD4";

}  // namespace

TEST_CASE("extraction reads title, descriptions, Open Graph and alt texts") {
  const Page page = Html(
      "<html><head><title>  The   Title </title>"
      "<meta name=Description content='A  description'>"
      "<meta property=og:title content='OG title'>"
      "<meta property='og:description' content='OG description'>"
      "<meta name=description content='second, ignored'>"
      "</head><body><img src=a.png alt=' first  alt '><img src=b.png alt=''>"
      "<img alt=second></body></html>");
  CHECK(page.html);
  CHECK(page.title == "The Title");
  CHECK(page.description == "A description");
  CHECK(page.og_title == "OG title");
  CHECK(page.og_description == "OG description");
  CHECK(page.alt_texts == std::vector<std::string>{"first alt", "second"});
  CHECK(page.text.empty());
  CHECK(page.MatchText() == "The Title\nA description\nOG title\nOG description\nfirst alt\nsecond");
}

TEST_CASE("visible text leaves out non-rendered elements") {
  const auto [html, expected] = GENERATE(table<std::string, std::string>({
      {"<p>a<script>var x = '<p>no</p>';</script>b</p>", "ab"},
      {"<style>p { color: red }</style><p>shown</p>", "shown"},
      {"<p>a<noscript>enable scripts</noscript>b</p>", "ab"},
      {"<template><p>later</p></template><p>now</p>", "now"},
      {"<head><title>t</title><style>x</style></head><body>body</body>", "body"},
      {"<p>x<iframe src=/f>fallback</iframe>y</p>", "xy"},
      {"<p>a<!-- comment -->b</p>", "ab"},
      {"<svg><script>evil()</script><text>drawn</text></svg>", "drawn"},
  }));
  CAPTURE(html);
  CHECK(Html(html).text == expected);
}

TEST_CASE("blocks are separated by newlines, inline elements joined") {
  const auto [html, expected] = GENERATE(table<std::string, std::string>({
      {"<p>cr<b>im</b>son</p>", "crimson"},
      {"<p>cr<span><i>im</i></span>son dawn</p>", "crimson dawn"},
      {"<div>one</div><div>two</div>", "one\ntwo"},
      {"<h1>Head</h1><p>para</p><ul><li>a<li>b</ul>", "Head\npara\na\nb"},
      {"<p>  lots \n\t of   space  </p>", "lots of space"},
      {"line<br>break", "line\nbreak"},
      {"<table><tr><td>c1<td>c2</table>", "c1\nc2"},
      {"<p>x <a href=/>link</a> y</p>", "x link y"},
      {"<div><div><p>deep</p></div></div>after", "deep\nafter"},
  }));
  CAPTURE(html);
  CHECK(Html(html).text == expected);
}

TEST_CASE("the charset comes from the header, a BOM, a meta prescan, else UTF-8") {
  struct Row {
    std::string body, content_type, charset, source;
  };
  const Row row = GENERATE_COPY(values<Row>({
      {"<p>" + kPrivet1251, "text/html; charset=windows-1251", "windows-1251", "header"},
      {"<p>" + kPrivet1251, "text/html; charset=\"CP1251\"", "windows-1251", "header"},
      {"<p>" + kPrivet1251, "text/html;charset=x-cp1251", "windows-1251", "header"},
      {"<meta charset=windows-1251><p>" + kPrivet1251, "text/html", "windows-1251", "meta"},
      {"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"><p>" +
           kPrivet1251, "text/html", "windows-1251", "meta"},
      {"<!-- <meta charset=koi8-u> --><meta charset='koi8-r'><p>" + kPrivetKoi8, "", "koi8-r", "meta"},
      {"<p>" + kPrivetKoi8, "text/html; charset=koi8-r", "koi8-r", "header"},
      // The header beats a <meta> that says otherwise.
      {"<meta charset=koi8-r><p>" + kPrivet1251, "text/html; charset=cp1251", "windows-1251", "header"},
      {"\xEF\xBB\xBF<p>Привет", "text/html", "utf-8", "bom"},
      {"\xFF\xFE" + Utf16(u"<p>Привет", true), "text/html", "utf-16le", "bom"},
      {"\xFE\xFF" + Utf16(u"<p>Привет", false), "text/html", "utf-16be", "bom"},
      {"<p>Привет", "text/html", "utf-8", "default"},
  }));
  CAPTURE(row.body, row.content_type);
  const Page page = ExtractPage(row.body, row.content_type, kPageUrl);
  CHECK(page.charset == row.charset);
  CHECK(page.charset_source == row.source);
  CHECK(page.text == "Привет");
  CHECK_FALSE(page.repaired);
}

TEST_CASE("invalid bytes become U+FFFD and never reach the output") {
  const auto [body, content_type] = GENERATE(table<std::string, std::string>({
      {"<p>a\xFF\xC0\xAF" "b\xE2\x82", "text/html"},
      {"<p>a\xED\xA0\x80" "b", "text/html; charset=utf-8"},
      {"<title>t\xF4\x90\x80\x80</title><p>x\xF0\x9F\x98", ""},
      {"\xFF\xFE" + Utf16(u"<p>ab", true) + std::string("\x00\xD8" "c", 3), "text/html"},  // lone surrogate, odd byte
      {"<p>\x98 a", "text/html; charset=windows-1251"},  // 0x98 is unassigned in windows-1251
      {"<p>\x82\xA0\x82", "text/html; charset=shift_jis"},  // truncated double-byte character
  }));
  CAPTURE(body, content_type);
  const Page page = ExtractPage(body, content_type, kPageUrl);
  CHECK(page.repaired);
  CHECK(IsValidUtf8(page.text));
  CHECK(IsValidUtf8(page.title));
  CHECK(page.MatchText().find(kReplacement) != std::string::npos);
}

TEST_CASE("an unknown charset label reads as UTF-8 with repair") {
  const Page page = ExtractPage("<p>ok \xE9t\xE9", "text/html; charset=x-no-such-charset", kPageUrl);
  CHECK(page.charset == "utf-8");
  CHECK(page.charset_source == "header");
  CHECK(page.repaired);
  CHECK(page.text == "ok \uFFFDt\uFFFD");
  CHECK(ToUtf8("caf\xC3\xA9", "bogus//TRANSLIT") == "caf\xC3\xA9");
}

TEST_CASE("ToUtf8 converts legacy charsets by WHATWG labels") {
  const auto [bytes, label, expected] = GENERATE(table<std::string, std::string, std::string>({
      {"\xCF\xF0\xE8\xE2\xE5\xF2", "cp1251", "Привет"},
      {"\xF0\xD2\xC9\xD7\xC5\xD4", " KOI8-R ", "Привет"},
      {"caf\xE9 \x80", "latin1", "café €"},  // iso-8859-1 reads as windows-1252
      {"\xA4", "iso-8859-15", "€"},
      {"\xBF\xE0", "iso-8859-5", "Пр"},
      {"\x8F\xE0", "ibm866", "Пр"},
      {"\x82\xA0", "sjis", "あ"},
      {"plain", "utf8", "plain"},
  }));
  bool repaired = true;
  CHECK(ToUtf8(bytes, label, &repaired) == expected);
  CHECK_FALSE(repaired);
}

TEST_CASE("text/plain is converted text, other types are empty pages") {
  const Page text = ExtractPage("<b>not</b> " + kPrivet1251, "text/plain; charset=windows-1251", kPageUrl);
  CHECK_FALSE(text.html);
  CHECK(text.text == "<b>not</b> Привет");
  CHECK(text.charset == "windows-1251");

  const std::string content_type = GENERATE("image/png", "application/pdf",
                                            "application/octet-stream", "video/mp4", "IMAGE/GIF");
  CAPTURE(content_type);
  const Page other = ExtractPage("<p>text <a href=/x>x</a>", content_type, kPageUrl);
  CHECK_FALSE(other.html);
  CHECK(other.text.empty());
  CHECK(other.outlinks.empty());
  CHECK(other.charset.empty());
}

TEST_CASE("a body without a content type is read as HTML") {
  const Page page = ExtractPage("<p>hello <b>there</b>", "", kPageUrl);
  CHECK(page.html);
  CHECK(page.text == "hello there");
}

TEST_CASE("outlinks are resolved, http(s) only, without fragment") {
  const auto [href, expected] = GENERATE(table<std::string, std::string>({
      {"other.html", "https://example.org/dir/other.html"},
      {"../up#frag", "https://example.org/up"},
      {"/abs?x=1", "https://example.org/abs?x=1"},
      {"//cdn.example.net/a", "https://cdn.example.net/a"},
      {"?page=2", "https://example.org/dir/page.html?page=2"},
      {"HTTP://Other.ORG", "http://Other.ORG/"},  // resolved, not canonicalized
      {" https://x.org/a b \n", "https://x.org/a%20b"},
      {"https:///x.org/three-slashes", "https://x.org/three-slashes"},
      {"https:rel", "https://example.org/dir/rel"},
      {"1a:x", "https://example.org/dir/1a:x"},  // no scheme: a path with a colon
  }));
  CAPTURE(href);
  const Page page = Html("<a href='" + href + "'>x</a>");
  CHECK(Urls(page) == std::vector<std::string>{expected});
}

TEST_CASE("links that name no other web resource are dropped") {
  const std::string href = GENERATE("javascript:void(0)", " JavaScript:alert(1)", "mailto:a@b.org",
                                    "data:text/html,hi", "tel:+100", "ftp://x.org/", "#top", "",
                                    "http://", "https://[::1", "a:b");
  CAPTURE(href);
  CHECK(Html("<a href='" + href + "'>x</a>").outlinks.empty());
}

TEST_CASE("outlinks come from every linking element, first occurrence kept") {
  const Page page = Html(
      "<a href=/a>1</a><area href=/area><iframe src=/frame></iframe><frame src=/f2>"
      "<video src=/v.mp4 poster=/poster.jpg><source src=/s.webm><track src=/t.vtt></video>"
      "<audio src=/au.mp3></audio><embed src=/e.swf><a href=/a#again>dup</a>"
      "<a href=https://example.org/a>dup too</a><a>no href</a><img src=/img.png>");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"https://example.org/a", "a"},         {"https://example.org/area", "area"},
      {"https://example.org/frame", "iframe"}, {"https://example.org/v.mp4", "video"},
      {"https://example.org/s.webm", "source"}, {"https://example.org/t.vtt", "track"},
      {"https://example.org/au.mp3", "audio"}, {"https://example.org/e.swf", "embed"},
  };
  std::vector<std::pair<std::string, std::string>> actual;
  for (const auto& link : page.outlinks) actual.emplace_back(link.url, link.tag);
  CHECK(actual == expected);
}

TEST_CASE("frames inside a frameset are outlinks") {
  const Page page = Html("<frameset><frame src=left.html><frame src=right.html></frameset>");
  CHECK(Urls(page) == std::vector<std::string>{"https://example.org/dir/left.html",
                                               "https://example.org/dir/right.html"});
}

TEST_CASE("base href applies to every relative link and the canonical link") {
  const auto [base, expected] = GENERATE(table<std::string, std::string>({
      {"https://cdn.example.net/root/", "https://cdn.example.net/root/x"},
      {"/other/", "https://example.org/other/x"},
      {"javascript:alert(1)", "https://example.org/dir/x"},  // not a web base: ignored
  }));
  CAPTURE(base);
  const Page page = Html("<head><base href='" + base + "'><link rel='Canonical Alternate' href=x>"
                         "</head><a href=x>x</a><base href=/ignored/>");
  CHECK(Urls(page) == std::vector<std::string>{expected});
  CHECK(page.canonical_url == expected);
}

TEST_CASE("the canonical link is resolved, absent, it is empty") {
  CHECK(Html("<link rel=canonical href='/c#f'>").canonical_url == "https://example.org/c");
  CHECK(Html("<link rel=stylesheet href=/s.css><p>x").canonical_url.empty());
  CHECK(Html("<link rel=canonical href='mailto:x@y'>").canonical_url.empty());
}

TEST_CASE("caps on outlinks, alt texts and text are kept") {
  std::string body;
  for (int i = 0; i < 50; ++i) {
    body += "<a href=/p" + std::to_string(i) + ">l</a><img alt=a" + std::to_string(i) + ">";
  }
  const Page page = Html(body, {.max_outlinks = 7, .max_alt_texts = 3});
  CHECK(page.outlinks.size() == 7);
  CHECK(page.outlinks.back().url == "https://example.org/p6");
  CHECK(page.alt_texts == std::vector<std::string>{"a0", "a1", "a2"});

  const size_t cap = GENERATE(0, 1, 2, 3, 4, 5, 11);
  CAPTURE(cap);
  const Page cut = Html("<p>ab Привет</p><p>more</p>", {.max_text_bytes = cap});
  CHECK(cut.text_truncated);
  CHECK(cut.text.size() <= cap);
  CHECK(IsValidUtf8(cut.text));
  CHECK(std::string("ab Привет").starts_with(cut.text));
  CHECK_FALSE(Html("<p>ab</p>", {.max_text_bytes = 2}).text_truncated);

  const Page plain = ExtractPage(Repeat("я", 10), "text/plain", kPageUrl, {.max_text_bytes = 5});
  CHECK(plain.text == "яя");
  CHECK(plain.text_truncated);
}

// How long they take is measured by bench/lw_extract_bench, not here.
namespace {
// Resident memory of this process now, in MiB (/proc/self/statm).
long ResidentMiB() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}
}  // namespace

TEST_CASE("the memory Gumbo took for a 5 MiB page goes back to the system") {
  std::string html = "<html><body>";
  while (html.size() < (size_t{5} << 20)) html += "<p><a href=/x>link</a><b>t</b></p>";
  const long before = ResidentMiB();
  const Page page = ExtractPage(html, "text/html", "https://example.org/");
  CHECK(page.html);
  CHECK(page.text.size() > size_t{100} << 10);
#if defined(__SANITIZE_ADDRESS__)
  WARN("not measured: AddressSanitizer's allocator keeps freed memory by design");
  (void)before;
#else
  // Parsing took about 200 MB; what stays is the page itself and noise.
  CHECK(ResidentMiB() - before < 40);
#endif
}

TEST_CASE("hostile pages neither crash nor break the text limits") {
  const std::string huge_text = "<p>" + Repeat("word and <b>bold</b> ", 5 << 20 >> 4);
  const auto [name, body] = GENERATE_COPY(table<std::string, std::string>({
      {"100,000 nested div", Repeat("<div>x", 100000)},
      {"100,000 nested b", Repeat("<b>", 100000) + "text"},
      {"100,000 nested span and table", Repeat("<span><table><tr><td>", 25000)},
      {"a 5 MiB page", huge_text},
      {"binary garbage", Repeat(std::string("\x00\xFF<\x01\x80>\"'=/", 11), 100000)},
      {"a truncated tag", "<p>ok</p><a href=\"/x" + Repeat("y", 100000)},
      {"an unclosed comment and script", "<p>a<!-- <script>" + Repeat("<div>", 10000)},
  }));
  CAPTURE(name);
  const Page page = Html(body);
  CHECK(IsValidUtf8(page.text));
  CHECK(page.text.size() <= ExtractOptions{}.max_text_bytes);
}

TEST_CASE("deep nesting keeps its text once capped") {
  const Page page = Html(Repeat("<div>", 2000) + "deep" + Repeat("</div>", 2000) + "<p>after");
  CHECK(page.text == "deep\nafter");
}

namespace {

std::string PageFixture(const std::string& name) {
  std::ifstream in(std::string(LINKWATCH_SOURCE_DIR) + "/tests/crawler/pages/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The visible text of the body every article-*.html fixture shares.
const std::string kArticleBody =
    "Council approves the river plan\n"
    "The city council approved the river plan on Tuesday, after a long debate.\n"
    "Работы начнутся весной, сообщили в совете.\n"
    "The river at dawn.\n"
    "Critics said the plan costs too much.";

}  // namespace

TEST_CASE("main text is the article, without nav, header, aside and footer") {
  const Page page = Html(PageFixture("article-a.html"));
  CHECK(page.main_text == kArticleBody);
  CHECK(page.text.find("Another story") != std::string::npos);  // still in the visible text
  CHECK(page.text.find("All rights reserved") != std::string::npos);
}

TEST_CASE("the same article in other site templates has the same main text") {
  const std::string a = Html(PageFixture("article-a.html")).main_text;
  const std::string b = Html(PageFixture("article-b.html")).main_text;  // role=main, share box, comment form
  const std::string c = Html(PageFixture("article-c.html")).main_text;  // no landmarks: paragraphs
  CHECK(a == kArticleBody);
  CHECK(b == a);
  CHECK(c == a);
}

TEST_CASE("main text chooses by landmarks, then paragraphs, then the whole text") {
  struct Row {
    const char* html;
    const char* main_text;
  };
  const Row rows[] = {
      // The largest of several candidates; a tie keeps the inner one.
      {"<article>short</article><article>the longer one</article>", "the longer one"},
      {"<main><article>same</article></main>", "same"},
      {"<main>intro <article>body</article></main>", "intro\nbody"},
      {"<div role=main>by role</div><p>a paragraph outside it</p>", "by role"},
      {"<div role='region MAIN'>by role token</div><p>outside</p>", "by role token"},
      // Candidates inside barriers do not count.
      {"<aside><article>teaser</article></aside><div><p>the real text</p></div>", "the real text"},
      {"<nav><main>menu</main></nav>text", "menu\ntext"},
      // Paragraphs: the element whose own <p> children hold the most text.
      {"<div><p>one</p></div><div><p>two two</p><p>three</p><span>tail</span></div>",
       "two two\nthree\ntail"},
      {"<div><p>x</p><nav><p>a very long navigation paragraph</p></nav></div><div><p>yy</p></div>", "yy"},
      // What is left out of the chosen element.
      {"<article>a<nav>n</nav>b</article>", "a\nb"},
      {"<article>a <span role=menu>m</span> b</article>", "a b"},
      {"<article>a<span role=menu>m</span>b</article>", "ab"},
      {"<article><header>h</header>a<footer>f</footer></article>", "a"},
      {"<article>a<form><p>comment here</p></form></article>", "a"},
      {"<article>a<aside>x<nav>y</nav>z</aside>b</article>", "a\nb"},
      // A form around the whole page (ASP.NET) is no barrier.
      {"<form><div class=menu>m</div><div><p>page text</p></div></form>", "page text"},
      {"<form><main>main in a form</main></form>", "main in a form"},
      // Nothing to go by: the visible text.
      {"<div>just</div><div>divs</div>", "just\ndivs"},
      {"", ""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.html);
    CHECK(Html(row.html).main_text == row.main_text);
  }
  CHECK(ExtractPage("plain text", "text/plain", kPageUrl).main_text == "plain text");
  CHECK(ExtractPage("\x89PNG", "image/png", kPageUrl).main_text.empty());
}

TEST_CASE("main text keeps the text cap") {
  const std::string html = "<nav>menu</nav><article>" + Repeat("слово ", 100) + "</article>";
  const size_t cap = GENERATE(0, 1, 10, 101, 1000);
  CAPTURE(cap);
  const Page page = Html(html, {.max_text_bytes = cap});
  CHECK(page.main_text.size() <= cap);
  CHECK(IsValidUtf8(page.main_text));
  CHECK(page.text.find(page.main_text) != std::string::npos);
}
