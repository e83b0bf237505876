// The fetcher's internal decisions as tables: Retry-After, header lines,
// proxy choice, error mapping, redirect and retry steps.
#include <catch2/catch.hpp>

#include "fetcher_errors.h"
#include "fetcher_http.h"
#include "fetcher_result.h"
#include "fetcher_transfer.h"

namespace linkwatch::crawler {
namespace {

// 2015-10-21T07:28:00Z
constexpr int64_t kNow = 1445412480;

TEST_CASE("Retry-After reads seconds and HTTP dates", "[fetcher][parts]") {
  struct Row {
    const char* value;
    std::optional<int64_t> ms;
  };
  const Row row = GENERATE(values<Row>({
      {"120", 120000},
      {" 0 ", 0},
      {"Wed, 21 Oct 2015 07:28:30 GMT", 30000},
      {"Wed, 21 Oct 2015 07:27:00 GMT", 0},  // in the past
      // Past any sane wait, and past int64: both capped, not ignored.
      {"99999999999", (int64_t{1} << 31) * 1000},
      {"123456789012345678901234567890", (int64_t{1} << 31) * 1000},
      {"12x", std::nullopt},
      {"-5", std::nullopt},
      {"soon", std::nullopt},
      {"", std::nullopt},
  }));
  INFO(row.value);
  CHECK(ParseRetryAfterMs(row.value, kNow) == row.ms);
}

TEST_CASE("header lines are classified", "[fetcher][parts]") {
  using Kind = HeaderLine::Kind;
  CHECK(ParseHeaderLine("HTTP/1.1 200 OK\r\n").kind == Kind::kStatus);
  CHECK(ParseHeaderLine("HTTP/2 404\r\n").kind == Kind::kStatus);
  CHECK(ParseHeaderLine("\r\n").kind == Kind::kEnd);
  const HeaderLine field = ParseHeaderLine("Content-Type:  text/html \r\n");
  CHECK(field.kind == Kind::kField);
  CHECK(field.name == "Content-Type");
  CHECK(field.value == "text/html");
  const HeaderLine folded = ParseHeaderLine("\t more\r\n");
  CHECK(folded.kind == Kind::kContinuation);
  CHECK(folded.value == "more");
  CHECK(ParseHeaderLine("no colon here\r\n").kind == Kind::kJunk);
}

TEST_CASE("the first matching proxy rule wins", "[fetcher][parts]") {
  const std::vector<ProxyRule> rules = {
      {"direct.example.org", ""},
      {"*.example.org", "socks5h://127.0.0.1:1080"},
      {"*", "http://127.0.0.1:3128"},
  };
  struct Row {
    const char* host;
    const char* proxy;
  };
  const Row row = GENERATE(values<Row>({
      {"direct.example.org", ""},
      {"a.example.org", "socks5h://127.0.0.1:1080"},
      {"A.B.Example.ORG", "socks5h://127.0.0.1:1080"},
      {"example.org", "http://127.0.0.1:3128"},  // "*.x" is for names under x
      {"other.net", "http://127.0.0.1:3128"},
  }));
  INFO(row.host);
  CHECK(ChooseProxy(rules, row.host) == row.proxy);
  CHECK(ChooseProxy({}, "any.host").empty());
}

TEST_CASE("a proxy URL curl could not use is named, with what is wrong", "[fetcher][parts]") {
  for (const char* ok : {"", "http://127.0.0.1:3128", "https://proxy.example:8443", "socks5h://127.0.0.1:1080",
                         "socks4a://[::1]:1080", "SOCKS5://127.0.0.1:1080/", "http://user:pw@127.0.0.1:3128"}) {
    CAPTURE(ok);
    CHECK(ProxyUrlError(ok).empty());
  }
  const std::pair<const char*, const char*> bad[] = {
      {"htp://127.0.0.1:3128", "proxy \"htp://127.0.0.1:3128\" has scheme \"htp\"; a proxy is http, https, socks4"},
      {"not a url", "proxy \"not a url\" is not a URL: write scheme://host:port"},
      {"127.0.0.1:3128", "is not a URL"},
      {"socks5h://127.0.0.1:99999", "proxy \"socks5h://127.0.0.1:99999\" is not a valid URL: "},
      {"http://", "proxy \"http://\" is not a valid URL"},
      {"http://127.0.0.1:3128/path", "has a path"},
      {"http://127.0.0.1:3128/?a=1", "has a query or fragment"},
  };
  for (const auto& [proxy, message] : bad) {
    CAPTURE(proxy);
    CHECK_THAT(ProxyUrlError(proxy), Catch::Contains(message));
  }
}

TEST_CASE("the politeness key is the lower-case host name", "[fetcher][parts]") {
  CHECK(HostKey("http://Example.ORG:8080/a") == "example.org");
  CHECK(HostKey("https://127.0.0.2/") == "127.0.0.2");
  CHECK(HostKey("no url") == std::nullopt);
}

TEST_CASE("curl failures map to FetchError", "[fetcher][parts]") {
  struct Row {
    CURLcode code;
    long os_errno;
    bool connected;
    FetchError error;
    const char* text;
  };
  const Row row = GENERATE(values<Row>({
      {CURLE_COULDNT_RESOLVE_HOST, 0, false, FetchError::kDns, "could not resolve the host"},
      {CURLE_COULDNT_CONNECT, ECONNREFUSED, false, FetchError::kConnect,
       "connection refused by h:1"},
      {CURLE_COULDNT_CONNECT, EHOSTUNREACH, false, FetchError::kConnect, "host unreachable: h:1"},
      {CURLE_OPERATION_TIMEDOUT, 0, false, FetchError::kTimeout,
       "timed out after 7 ms connecting to h:1"},
      {CURLE_OPERATION_TIMEDOUT, 0, true, FetchError::kTimeout,
       "timed out after 7 ms (total time limit) from h:1"},
      {CURLE_PEER_FAILED_VERIFICATION, 0, true, FetchError::kTls, "TLS failure with h:1"},
      {CURLE_SSL_CONNECT_ERROR, 0, true, FetchError::kTls, "TLS failure with h:1"},
      {CURLE_PARTIAL_FILE, 0, true, FetchError::kReset, "connection to h:1 closed mid-body"},
      {CURLE_RECV_ERROR, 0, true, FetchError::kReset, "connection to h:1 broken"},
      {CURLE_GOT_NOTHING, 0, true, FetchError::kReset,
       "h:1 closed the connection without a response"},
      {CURLE_BAD_CONTENT_ENCODING, 0, true, FetchError::kBadResponse, "bad content encoding"},
      {CURLE_OUT_OF_MEMORY, 0, true, FetchError::kOther, "Out of memory"},
  }));
  CurlFailure failure;
  failure.code = row.code;
  failure.peer = "h:1";
  failure.os_errno = row.os_errno;
  failure.connected = row.connected;
  failure.elapsed_ms = 7;
  const FetchFailure f = DescribeCurlFailure(failure);
  INFO(curl_easy_strerror(row.code));
  CHECK(f.error == row.error);
  CHECK(f.text == row.text);
}

TEST_CASE("only transient failures are retried", "[fetcher][parts]") {
  for (FetchError e : {FetchError::kConnect, FetchError::kTimeout, FetchError::kReset}) {
    CHECK(IsTransient(e));
  }
  for (FetchError e : {FetchError::kDns, FetchError::kTls, FetchError::kDecodeBomb,
                       FetchError::kRedirectLoop, FetchError::kBadResponse, FetchError::kOther}) {
    CHECK_FALSE(IsTransient(e));
  }
  for (int s : {429, 500, 502, 503, 504}) CHECK(IsTransientStatus(s));
  for (int s : {200, 301, 304, 400, 403, 404, 410, 451}) CHECK_FALSE(IsTransientStatus(s));
}

Outcome Status(int status, std::string location = "") {
  Outcome o;
  o.http_status = status;
  o.redirect_url = std::move(location);
  return o;
}

TEST_CASE("back-off doubles from the base and stops at the cap", "[fetcher][parts]") {
  FetchOptions options;
  options.max_retries = 5;
  options.retry_base_delay_ms = 100;
  options.retry_max_delay_ms = 500;
  ResultBuilder b(options, {"http://a/", "", ""});
  std::vector<int64_t> delays;
  for (int i = 0; i < 5; ++i) {
    const NextStep step = b.Add(Status(503));
    REQUIRE(step.kind == NextStep::Kind::kRetry);
    delays.push_back(step.delay.count());
  }
  CHECK(delays == std::vector<int64_t>{100, 200, 400, 500, 500});
  CHECK(b.Add(Status(503)).kind == NextStep::Kind::kFinish);
  const FetchResult r = b.Take();
  CHECK(r.attempts == 6);
  CHECK(r.http_status == 503);
}

TEST_CASE("a Retry-After longer than the back-off wins", "[fetcher][parts]") {
  FetchOptions options;
  options.retry_base_delay_ms = 100;
  ResultBuilder b(options, {"http://a/", "", ""});
  Outcome limited = Status(429);
  limited.retry_after_ms = 3000;
  const NextStep step = b.Add(limited);
  CHECK(step.kind == NextStep::Kind::kRetry);
  CHECK(step.delay.count() == 3000);
}

TEST_CASE("a retry is taken only when its wait and a whole attempt fit before the deadline", "[fetcher][parts]") {
  FetchOptions options;
  options.retry_base_delay_ms = 100;
  options.total_timeout_ms = 1000;
  {
    ResultBuilder b(options, {"http://a/", "", ""});
    CHECK(b.Add(Status(503), 1100).kind == NextStep::Kind::kRetry);  // 100 + 1000 fit
    // The second retry would wait 200 ms: 1200 ms do not fit in 1199.
    CHECK(b.Add(Status(503), 1199).kind == NextStep::Kind::kFinish);
    const FetchResult r = b.Take();
    CHECK(r.attempts == 2);
    CHECK(r.http_status == 503);
  }
  ResultBuilder b(options, {"http://a/", "", ""});
  Outcome limited = Status(429);
  limited.retry_after_ms = 3000;
  CHECK(b.Add(limited, 3999).kind == NextStep::Kind::kFinish);
  CHECK(b.Take().retry_after_ms == 3000);
}

TEST_CASE("a 304 is not_modified only as the answer to a conditional request", "[fetcher][parts]") {
  FetchOptions options;
  ResultBuilder asked(options, {"http://a/", "\"v1\"", ""});
  asked.Add(Status(304));
  const FetchResult same = asked.Take();
  CHECK(same.not_modified);
  CHECK(same.status_note.empty());
  ResultBuilder since(options, {"http://a/", "", "Wed, 21 Oct 2015 07:28:00 GMT"});
  since.Add(Status(304));
  CHECK(since.Take().not_modified);
  // Nothing was named, so "not modified" stands for no page.
  ResultBuilder unasked(options, {"http://a/", "", ""});
  unasked.Add(Status(304));
  const FetchResult r = unasked.Take();
  CHECK(r.http_status == 304);
  CHECK_FALSE(r.not_modified);
  CHECK(r.status_note == "answered 304 Not Modified to a request that named no page it could mean: no page");
}

TEST_CASE("a deferred fetch says how long its host is held", "[fetcher][parts]") {
  FetchOptions options;
  ResultBuilder held(options, {"http://a/", "", ""});
  held.Deferred("a", 1500);
  const FetchResult r = held.Take();
  CHECK(r.error == FetchError::kDeferred);
  CHECK(r.retry_after_ms == 1500);
  CHECK(r.error_text == "not sent: host a takes no request for 1500 ms more (Retry-After or per-host pace), past the fetch's deadline");
}

TEST_CASE("redirects are followed and recorded, and a retry keeps the chain", "[fetcher][parts]") {
  FetchOptions options;
  ResultBuilder b(options, {"http://a/", "", ""});
  CHECK(b.Add(Status(301, "http://b/")).kind == NextStep::Kind::kFollow);
  CHECK(b.current_url() == "http://b/");
  CHECK(b.Add(Status(500)).kind == NextStep::Kind::kRetry);
  CHECK(b.current_url() == "http://b/");
  CHECK(b.Add(Status(200)).kind == NextStep::Kind::kFinish);
  const FetchResult r = b.Take();
  CHECK(r.final_url == "http://b/");
  REQUIRE(r.redirects.size() == 1);
  CHECK(r.redirects[0].url == "http://a/");
  CHECK(r.redirects[0].http_status == 301);
  CHECK(r.attempts == 2);
}

TEST_CASE("a redirect back to a visited URL is a loop", "[fetcher][parts]") {
  FetchOptions options;
  ResultBuilder b(options, {"http://a/", "", ""});
  b.Add(Status(302, "http://b/"));
  b.Add(Status(302, "http://c/"));
  CHECK(b.Add(Status(302, "http://a/")).kind == NextStep::Kind::kFinish);
  const FetchResult r = b.Take();
  CHECK(r.error == FetchError::kRedirectLoop);
  CHECK(r.error_text == "redirect loop: http://a/ -> http://b/ -> http://c/ -> http://a/");
}

TEST_CASE("4xx, DNS and TLS failures finish at once", "[fetcher][parts]") {
  FetchOptions options;
  Outcome dns;
  dns.error = FetchError::kDns;
  Outcome tls;
  tls.error = FetchError::kTls;
  for (const Outcome& o : {Status(404), Status(451), dns, tls}) {
    ResultBuilder b(options, {"http://a/", "", ""});
    CHECK(b.Add(o).kind == NextStep::Kind::kFinish);
    CHECK(b.Take().attempts == 1);
  }
}

TEST_CASE("every FetchError has a short name", "[fetcher][parts]") {
  CHECK(std::string(FetchErrorName(FetchError::kNone)) == "none");
  CHECK(std::string(FetchErrorName(FetchError::kDns)) == "dns");
  CHECK(std::string(FetchErrorName(FetchError::kDecodeBomb)) == "decode_bomb");
  CHECK(std::string(FetchErrorName(FetchError::kTooManyRedirects)) == "too_many_redirects");
  CHECK(std::string(FetchErrorName(FetchError::kDeferred)) == "deferred");
}

TEST_CASE("the easy-handle pool hands back reset handles and keeps at most max_idle", "[fetcher][parts][pool]") {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  EasyPool pool(1);
  CURL* first = pool.Take();
  REQUIRE(first != nullptr);
  long marker = 7;
  curl_easy_setopt(first, CURLOPT_PRIVATE, &marker);
  pool.Give(first);
  CHECK(pool.idle() == 1);
  CURL* again = pool.Take();
  CHECK(again == first);  // reused ...
  void* owner = &marker;
  curl_easy_getinfo(again, CURLINFO_PRIVATE, &owner);
  CHECK(owner == nullptr);  // ... and reset
  CURL* second = pool.Take();
  REQUIRE(second != nullptr);
  CHECK(second != again);
  pool.Give(again);
  pool.Give(second);  // past max_idle: cleaned up
  CHECK(pool.idle() == 1);
  pool.Give(nullptr);
  CHECK(pool.idle() == 1);
}

}  // namespace
}  // namespace linkwatch::crawler
