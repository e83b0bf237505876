// CurlFetcher against TestWebServer: pages that arrive, one way or another.
#include <sys/resource.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "fetch_harness.h"
#include "test_web_server.h"

namespace linkwatch::crawler {
namespace {

using linkwatch::test::TestWebServer;
using test::FastOptions;
using test::Harness;

TEST_CASE("a page arrives with its status, headers and body", "[fetcher]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/ok"));
  CHECK(r.error == FetchError::kNone);
  CHECK(r.error_text.empty());
  CHECK(r.http_status == 200);
  CHECK(r.body == TestWebServer::PageHtml());
  CHECK(r.Header("content-type") == "text/html; charset=utf-8");
  CHECK(r.url == server.Url("/ok"));
  CHECK(r.final_url == server.Url("/ok"));
  CHECK(r.redirects.empty());
  CHECK(r.attempts == 1);
  CHECK_FALSE(r.truncated);
  CHECK_FALSE(r.not_modified);
  CHECK(r.wire_bytes > static_cast<int64_t>(r.body.size()));  // headers count too
  CHECK(r.elapsed_ms >= 0);
}

TEST_CASE("the request carries the User-Agent and offers every encoding", "[fetcher]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.user_agent = "linkwatch-test/1";
  Harness h(options);
  REQUIRE(h.Fetch(server.Url("/ok")).http_status == 200);
  const auto seen = server.Requests().at(0);
  CHECK(seen.user_agent == "linkwatch-test/1");
  for (const char* encoding : {"gzip", "deflate", "br", "zstd"}) {
    INFO(encoding);
    CHECK(seen.accept_encoding.find(encoding) != std::string::npos);
  }
}

TEST_CASE("an HTTP error status is a result, not a fetch error, and 4xx is not retried",
          "[fetcher]") {
  const int status = GENERATE(404, 410, 451, 403);
  TestWebServer server;
  Harness h;
  const std::string path = "/status/" + std::to_string(status);
  const FetchResult r = h.Fetch(server.Url(path));
  CHECK(r.http_status == status);
  CHECK(r.error == FetchError::kNone);
  CHECK(r.attempts == 1);
  CHECK(server.Count(path) == 1);
}

TEST_CASE("500 then 200 succeeds on the retry", "[fetcher][retry]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/flaky?fail=1"));
  CHECK(r.http_status == 200);
  CHECK(r.attempts == 2);
  CHECK(r.status_note.empty());  // only for a 429 or 5xx that is the result
  CHECK(r.body == TestWebServer::PageHtml());
  CHECK(server.Count("/flaky") == 2);
}

TEST_CASE("a lasting 5xx is retried max_retries times and then returned", "[fetcher][retry]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_retries = 3;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url("/status/503"));
  CHECK(r.http_status == 503);
  CHECK(r.error == FetchError::kNone);
  CHECK(r.attempts == 4);
  CHECK(r.status_note == "answered 503 on the last of 4 attempts");
  CHECK(server.Count("/status/503") == 4);
}

TEST_CASE("a redirect chain is followed and every hop recorded", "[fetcher][redirect]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/redirect/3"));
  CHECK(r.http_status == 200);
  CHECK(r.final_url == server.Url("/redirect/0"));
  REQUIRE(r.redirects.size() == 3);
  CHECK(r.redirects[0].url == server.Url("/redirect/3"));
  CHECK(r.redirects[1].url == server.Url("/redirect/2"));
  CHECK(r.redirects[2].url == server.Url("/redirect/1"));
  for (const Hop& hop : r.redirects) CHECK(hop.http_status == 302);
  CHECK(r.Header("Location").empty());  // headers are the final response's
  CHECK(r.body == TestWebServer::PageHtml());
}

TEST_CASE("a redirect to a 404 ends at the 404", "[fetcher][redirect]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/redirect-to-404"));
  CHECK(r.http_status == 404);
  CHECK(r.error == FetchError::kNone);
  CHECK(r.final_url == server.Url("/status/404"));
  REQUIRE(r.redirects.size() == 1);
  CHECK(r.redirects[0].http_status == 301);
}

TEST_CASE("a redirect to another host is followed", "[fetcher][redirect]") {
  TestWebServer server({"127.0.0.1", "127.0.0.2"});
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/redirect-to?url=" + server.Url("/ok", 1)));
  CHECK(r.http_status == 200);
  CHECK(r.final_url == server.Url("/ok", 1));
  CHECK(server.StartTimes("127.0.0.2").size() == 1);
}

TEST_CASE("a page that is too big is kept up to the cap and marked truncated",
          "[fetcher][limits]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_body_bytes = 1 << 20;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url("/huge?mib=20"));
  CHECK(r.error == FetchError::kNone);
  CHECK(r.http_status == 200);
  CHECK(r.truncated);
  CHECK(r.body.size() == size_t{1} << 20);
  CHECK(r.body == std::string(size_t{1} << 20, 'h'));
  CHECK(r.attempts == 1);
}

TEST_CASE("a body exactly at the cap is not truncated", "[fetcher][limits]") {
  TestWebServer server;
  server.SetBody("/exact", std::string(1000, 'x'));
  FetchOptions options = FastOptions();
  options.max_body_bytes = 1000;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url("/exact"));
  CHECK(r.body.size() == 1000);
  CHECK_FALSE(r.truncated);
  CHECK(r.error == FetchError::kNone);
}

TEST_CASE("an endless fast body stops at the cap as truncated", "[fetcher][limits]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_body_bytes = 256 << 10;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url("/endless?chunk=16384"));
  CHECK(r.error == FetchError::kNone);
  CHECK(r.truncated);
  CHECK(r.body.size() == size_t{256} << 10);
}

long PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST_CASE("a gzip bomb is stopped early as kDecodeBomb", "[fetcher][limits]") {
  TestWebServer server;
  const std::string& bomb = TestWebServer::GzipBomb();  // built before measuring
  Harness h;
  const long rss_before = PeakRssKiB();
  const FetchResult r = h.Fetch(server.Url("/gzip-bomb"));
  const long rss_growth_mib = (PeakRssKiB() - rss_before) / 1024;
  CHECK(r.error == FetchError::kDecodeBomb);
  CHECK(r.error_text.find("decompression bomb") != std::string::npos);
  CHECK(r.http_status == 200);
  CHECK(r.attempts == 1);
  CHECK(r.body.size() <= static_cast<size_t>(FastOptions().max_body_bytes));
  CHECK(r.wire_bytes < static_cast<int64_t>(bomb.size()));  // gave up before the end
  CHECK(rss_growth_mib < 64);
}

TEST_CASE("a page that compresses far past the bomb ratio but fits the body cap is a page", "[fetcher][limits]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/gzip-repetitive?kib=3072"));
  INFO(r.error_text);
  CHECK(r.error == FetchError::kNone);
  CHECK(r.http_status == 200);
  CHECK_FALSE(r.truncated);
  CHECK(r.body.size() > size_t{3000} << 10);
  // It did grow past max_decode_ratio: before, this page was a "bomb".
  CHECK(static_cast<int64_t>(r.body.size()) > FastOptions().max_decode_ratio * r.wire_bytes);
}

TEST_CASE("a gzip-encoded page is decoded", "[fetcher][encoding]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/gzip"));
  CHECK(r.http_status == 200);
  CHECK(r.Header("Content-Encoding") == "gzip");
  CHECK(r.body == TestWebServer::PageHtml());
}

TEST_CASE("framing variants deliver the same bytes", "[fetcher][encoding]") {
  const char* path = GENERATE("/chunked", "/http10");
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url(path));
  INFO(path);
  CHECK(r.error == FetchError::kNone);
  CHECK(r.http_status == 200);
  CHECK(r.body == TestWebServer::PageHtml());
}

TEST_CASE("invalid UTF-8 passes through byte for byte", "[fetcher][encoding]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/invalid-utf8"));
  CHECK(r.http_status == 200);
  CHECK(r.body == TestWebServer::InvalidUtf8Body());
}

TEST_CASE("soft-removal and block pages arrive as 200 with their text", "[fetcher]") {
  TestWebServer server;
  Harness h;
  const FetchResult video = h.Fetch(server.Url("/video-unavailable"));
  CHECK(video.http_status == 200);
  CHECK(video.body.find("This video is unavailable") != std::string::npos);
  const FetchResult blocked = h.Fetch(server.Url("/blocked"));
  CHECK(blocked.http_status == 200);
  CHECK(blocked.body.find("Access restricted by <b>court</b>&nbsp;order") != std::string::npos);
}

TEST_CASE("a conditional request answered 304 is not_modified", "[fetcher][conditional]") {
  TestWebServer server;
  Harness h;
  const FetchResult first = h.Fetch(server.Url("/etag"));
  REQUIRE(first.http_status == 200);
  CHECK_FALSE(first.not_modified);
  const std::string etag = first.Header("ETag");
  const std::string last_modified = first.Header("Last-Modified");
  CHECK(etag == TestWebServer::kEtag);

  SECTION("by ETag") {
    const FetchResult again = h.Fetch(FetchRequest{server.Url("/etag"), etag, ""});
    CHECK(again.http_status == 304);
    CHECK(again.not_modified);
    CHECK(again.body.empty());
    CHECK(again.error == FetchError::kNone);
    CHECK(server.Requests().back().if_none_match == etag);
  }
  SECTION("by Last-Modified") {
    const FetchResult again = h.Fetch(FetchRequest{server.Url("/etag"), "", last_modified});
    CHECK(again.not_modified);
    CHECK(server.Requests().back().if_modified_since == last_modified);
  }
  SECTION("a stale ETag gets the page") {
    const FetchResult again = h.Fetch(FetchRequest{server.Url("/etag"), "\"old\"", ""});
    CHECK(again.http_status == 200);
    CHECK_FALSE(again.not_modified);
  }
}

TEST_CASE("a page the server takes down reads 404 on the next fetch", "[fetcher]") {
  TestWebServer server;
  server.SetBody("/post/1", "<html><body>the post</body></html>");
  Harness h;
  const FetchResult up = h.Fetch(server.Url("/post/1"));
  CHECK(up.http_status == 200);
  CHECK(up.body == "<html><body>the post</body></html>");
  // Run-time pages carry an ETag that follows the body.
  CHECK(h.Fetch(FetchRequest{server.Url("/post/1"), up.Header("ETag"), ""}).not_modified);

  server.Set("/post/1", 404);
  CHECK(h.Fetch(server.Url("/post/1")).http_status == 404);
  server.Set("/post/1", 451);
  CHECK(h.Fetch(server.Url("/post/1")).http_status == 451);
}

TEST_CASE("connections are reused between fetches to one host", "[fetcher]") {
  TestWebServer server;
  Harness h;
  for (int i = 0; i < 5; ++i) REQUIRE(h.Fetch(server.Url("/ok")).http_status == 200);
  CHECK(server.ConnectionsAccepted() == 1);
}

TEST_CASE("a host-pattern proxy carries matching hosts, others go direct", "[fetcher][proxy]") {
  TestWebServer proxy;
  TestWebServer direct;
  FetchOptions options = FastOptions();
  options.proxies = {{"*.example.test", proxy.Origin()}, {"*", ""}};
  Harness h(options);

  const FetchResult via = h.Fetch("http://site.example.test/ok");
  CHECK(via.http_status == 200);
  REQUIRE(proxy.Requests().size() == 1);
  CHECK(proxy.Requests()[0].proxied);
  CHECK(proxy.Requests()[0].host == "site.example.test");

  CHECK(h.Fetch(direct.Url("/ok")).http_status == 200);
  CHECK(direct.Count("/ok") == 1);
  CHECK(proxy.Requests().size() == 1);
}

TEST_CASE("a reused curl handle carries nothing from one request to the next", "[fetcher][pool]") {
  TestWebServer proxy;
  TestWebServer direct;
  FetchOptions options = FastOptions();
  options.proxies = {{"*.example.test", proxy.Origin()}, {"*", ""}};
  options.max_body_bytes = 64 * 1024;
  Harness h(options);
  // One fetch at a time: each takes the handle the one before gave back.

  SECTION("conditional-request headers") {
    const FetchResult conditional = h.Fetch(
        FetchRequest{direct.Url("/etag"), TestWebServer::kEtag, TestWebServer::kLastModified});
    REQUIRE(conditional.not_modified);
    const FetchResult plain = h.Fetch(direct.Url("/etag"));
    CHECK(plain.http_status == 200);
    CHECK_FALSE(plain.not_modified);
    CHECK(plain.body == TestWebServer::PageHtml());
    CHECK(direct.Requests().back().if_none_match.empty());
    CHECK(direct.Requests().back().if_modified_since.empty());
  }
  SECTION("proxy") {
    REQUIRE(h.Fetch("http://site.example.test/ok").http_status == 200);
    REQUIRE(proxy.Requests().size() == 1);
    CHECK(h.Fetch(direct.Url("/ok")).http_status == 200);
    REQUIRE(direct.Requests().size() == 1);
    CHECK_FALSE(direct.Requests()[0].proxied);
    CHECK(proxy.Requests().size() == 1);
  }
  SECTION("body cap, response headers and errors") {
    const FetchResult cut = h.Fetch(direct.Url("/huge?mib=1"));
    REQUIRE(cut.truncated);
    CHECK(cut.body.size() == 64 * 1024);
    const FetchResult refused = h.Fetch("http://127.0.0.1:1/ok");
    REQUIRE(refused.error == FetchError::kConnect);
    const FetchResult whole = h.Fetch(direct.Url("/ok"));
    CHECK(whole.error == FetchError::kNone);
    CHECK(whole.error_text.empty());
    CHECK_FALSE(whole.truncated);
    CHECK(whole.body == TestWebServer::PageHtml());
    CHECK(whole.Header("content-type") == "text/html; charset=utf-8");
    const auto content_types = std::count_if(whole.headers.begin(), whole.headers.end(), [](const auto& kv) {
      return kv.first == "Content-Type" || kv.first == "content-type";
    });
    CHECK(content_types == 1);
    CHECK(whole.wire_bytes < 64 * 1024);
  }
  SECTION("User-Agent and encodings on every request") {
    for (int i = 0; i < 3; ++i) REQUIRE(h.Fetch(direct.Url("/ok")).http_status == 200);
    for (const auto& seen : direct.Requests()) {
      CHECK(seen.user_agent == options.user_agent);
      CHECK(seen.accept_encoding.find("gzip") != std::string::npos);
    }
    CHECK(direct.ConnectionsAccepted() == 1);
  }
}

}  // namespace
}  // namespace linkwatch::crawler
