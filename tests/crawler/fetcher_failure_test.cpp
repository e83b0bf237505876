// CurlFetcher against servers that fail: every failure has its FetchError,
// a readable text, and is retried only when it is transient.
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <chrono>

#include "fetch_harness.h"
#include "test_web_server.h"

namespace linkwatch::crawler {
namespace {

using linkwatch::test::TestWebServer;
using std::chrono::milliseconds;
using test::FastOptions;
using test::Harness;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A port nothing listens on: bound once, then released.
uint16_t ClosedPort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

int64_t MsBetween(TestWebServer::Clock::time_point a, TestWebServer::Clock::time_point b) {
  return std::chrono::duration_cast<milliseconds>(b - a).count();
}

TEST_CASE("a redirect loop is detected and named", "[fetcher][redirect]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/loop/a"));
  CHECK(r.error == FetchError::kRedirectLoop);
  CHECK(r.error_text == "redirect loop: " + server.Url("/loop/a") + " -> " + server.Url("/loop/b") +
                            " -> " + server.Url("/loop/a"));
  CHECK(r.redirects.size() == 1);
  CHECK(r.attempts == 1);
  CHECK(server.Count("/loop/a") == 1);
  CHECK(server.Count("/loop/b") == 1);
}

TEST_CASE("redirects past max_redirects stop with kTooManyRedirects", "[fetcher][redirect]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_redirects = 2;
  Harness h(options);
  CHECK(h.Fetch(server.Url("/redirect/2")).http_status == 200);  // exactly the limit
  const FetchResult r = h.Fetch(server.Url("/redirect/5"));
  CHECK(r.error == FetchError::kTooManyRedirects);
  CHECK(r.redirects.size() == 2);
  CHECK(r.http_status == 302);
  CHECK(Contains(r.error_text, "more than 2 redirects"));
}

TEST_CASE("a reset mid-body is kReset after every retry", "[fetcher][retry]") {
  const char* path = GENERATE("/reset", "/reset?rst=1");
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_retries = 2;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url(path));
  INFO(path << ": " << r.error_text);
  CHECK(r.error == FetchError::kReset);
  CHECK(r.attempts == options.max_retries + 1);
  CHECK(server.Count(path) == options.max_retries + 1);
  CHECK_FALSE(r.error_text.empty());
}

TEST_CASE("slow headers time out on the first-byte timeout", "[fetcher][timeout]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.first_byte_timeout_ms = 200;
  options.max_retries = 1;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url("/slow-headers?ms=5000"));
  CHECK(r.error == FetchError::kTimeout);
  CHECK(Contains(r.error_text, "timed out after 200 ms waiting for the first byte"));
  CHECK(r.http_status == 0);
  CHECK(r.attempts == 2);  // a timeout is transient
}

TEST_CASE("headers within the first-byte timeout are fine", "[fetcher][timeout]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.first_byte_timeout_ms = 2000;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url("/slow-headers?ms=50"));
  CHECK(r.error == FetchError::kNone);
  CHECK(r.http_status == 200);
}

// Documented choice: a body still streaming at the total time limit is an
// error (kTimeout) that keeps the status and the bytes that arrived; a body
// that reaches max_body_bytes first is a truncated page instead.
TEST_CASE("an endless slow body ends at the total timeout as kTimeout", "[fetcher][timeout]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.total_timeout_ms = 500;
  options.max_retries = 0;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url("/endless?chunk=10&every_ms=20"));
  CHECK(r.error == FetchError::kTimeout);
  CHECK(Contains(r.error_text, "total time limit"));
  CHECK(r.http_status == 200);
  CHECK_FALSE(r.truncated);
  CHECK_FALSE(r.body.empty());
}

TEST_CASE("a trickling body trips the low-speed limit", "[fetcher][timeout]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.low_speed_bytes = 1000;
  options.low_speed_seconds = 1;
  options.max_retries = 0;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url("/endless?chunk=1&every_ms=100"));
  CHECK(r.error == FetchError::kTimeout);
  CHECK(Contains(r.error_text, "slower than 1000 bytes/s for 1 s"));
}

TEST_CASE("response headers past curl's limits are a bad response that is named and not retried", "[fetcher][limits]") {
  const auto [path, says] = GENERATE(table<const char*, const char*>({
      {"/huge-headers?kib=200", "response header line from 127.0.0.1:"},  // one line over 100 KiB
      {"/huge-headers?n=4000", "response headers from 127.0.0.1:"},     // 400 KiB in all
  }));
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_retries = 2;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url(path));
  INFO(path << ": " << r.error_text);
  CHECK(r.error == FetchError::kBadResponse);
  CHECK(Contains(r.error_text, says));
  CHECK(Contains(r.error_text, "too large"));
  CHECK(r.attempts == 1);
  CHECK(server.Count("/huge-headers") == 1);
  // Headers within the limits are fine.
  CHECK(h.Fetch(server.Url("/huge-headers?kib=50&n=100")).http_status == 200);
}

TEST_CASE("a refused connection is kConnect after every retry", "[fetcher][connect]") {
  const uint16_t port = ClosedPort();
  Harness h;
  const FetchResult r = h.Fetch("http://127.0.0.1:" + std::to_string(port) + "/");
  CHECK(r.error == FetchError::kConnect);
  CHECK(r.error_text == "connection refused by 127.0.0.1:" + std::to_string(port));
  CHECK(r.http_status == 0);
  CHECK(r.attempts == FastOptions().max_retries + 1);
}

TEST_CASE("a proxy that refuses the connection is named, not the site behind it", "[fetcher][connect][proxy]") {
  const uint16_t port = ClosedPort();
  FetchOptions options = FastOptions();
  const std::string proxy = "http://127.0.0.1:" + std::to_string(port);
  options.proxies = {{"*", proxy}};
  Harness h(options);
  const FetchResult r = h.Fetch("http://site.example.test/ok");
  CHECK(r.error == FetchError::kConnect);
  CHECK(r.error_text == "connection refused by proxy 127.0.0.1:" + std::to_string(port) + " (" + proxy + ")");
}

TEST_CASE("an unresolvable host is kDns and not retried", "[fetcher][dns]") {
  Harness h;
  const FetchResult r = h.Fetch("http://nonexistent.invalid/");
  CHECK(r.error == FetchError::kDns);
  CHECK(Contains(r.error_text, "could not resolve"));
  CHECK(r.attempts == 1);
}

TEST_CASE("a TLS handshake with a plain-HTTP port is kTls and not retried", "[fetcher][tls]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch("https://127.0.0.1:" + std::to_string(server.port()) + "/ok");
  CHECK(r.error == FetchError::kTls);
  CHECK(Contains(r.error_text, "TLS failure with 127.0.0.1:"));
  CHECK(r.attempts == 1);
}

TEST_CASE("a URL that is not http(s) fails without a request", "[fetcher]") {
  Harness h;
  const FetchResult r = h.Fetch("not a url");
  CHECK(r.error == FetchError::kOther);
  CHECK(Contains(r.error_text, "not a valid"));
}

TEST_CASE("429 Retry-After delays the retry by at least its seconds", "[fetcher][retry]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/retry-after?seconds=1&fail=1"));
  CHECK(r.http_status == 200);
  CHECK(r.attempts == 2);
  const auto starts = server.StartTimes("127.0.0.1");
  REQUIRE(starts.size() == 2);
  CHECK(MsBetween(starts[0], starts[1]) >= 1000);
}

TEST_CASE("503 Retry-After as an HTTP date delays the retry", "[fetcher][retry]") {
  TestWebServer server;
  Harness h;
  const FetchResult r = h.Fetch(server.Url("/retry-after?seconds=2&fail=1&status=503&date=1"));
  CHECK(r.http_status == 200);
  CHECK(r.attempts == 2);
  const auto starts = server.StartTimes("127.0.0.1");
  REQUIRE(starts.size() == 2);
  // The date has whole seconds: "in 2 s" may be read as just over 1 s.
  CHECK(MsBetween(starts[0], starts[1]) >= 1000);
  // The check took the wait and both attempts, not only the last.
  CHECK(r.elapsed_ms >= MsBetween(starts[0], starts[1]));
}

TEST_CASE("Retry-After holds back other requests to the same host", "[fetcher][retry]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_retries = 0;
  Harness h(options);
  const FetchResult limited = h.Fetch(server.Url("/retry-after?seconds=1&fail=1"));
  CHECK(limited.http_status == 429);
  CHECK(limited.retry_after_ms == 1000);
  CHECK(limited.status_note ==
        "answered 429 asking to wait 1 s (Retry-After), not retried (retries are off: crawler.max_retries = 0)");
  const FetchResult ok = h.Fetch(server.Url("/ok"));
  CHECK(ok.http_status == 200);
  CHECK(ok.status_note.empty());
  const auto starts = server.StartTimes("127.0.0.1");
  REQUIRE(starts.size() == 2);
  CHECK(MsBetween(starts[0], starts[1]) >= 1000);
}

TEST_CASE("a long Retry-After is capped by max_retry_after_ms", "[fetcher][retry]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_retry_after_ms = 100;
  Harness h(options);
  const FetchResult r = h.Fetch(server.Url("/retry-after?seconds=3600&fail=1"));
  CHECK(r.http_status == 200);
  CHECK(r.attempts == 2);
  const auto starts = server.StartTimes("127.0.0.1");
  REQUIRE(starts.size() == 2);
  CHECK(MsBetween(starts[0], starts[1]) >= 100);
  // A 429 that is the result says what was asked and what was taken.
  options.max_retries = 0;
  options.max_retry_after_ms = 60000;
  Harness once(options);
  const FetchResult capped = once.Fetch(server.Url("/retry-after?seconds=99999999&fail=1&post=2"));
  CHECK(capped.http_status == 429);
  CHECK(capped.retry_after_ms == 60000);
  CHECK(Contains(capped.status_note,
                 "answered 429 asking to wait 99999999 s (Retry-After; taken as 60 s, crawler.max_retry_after_ms)"));
}

TEST_CASE("a retry that could not end before the fetch's deadline is not taken", "[fetcher][retry][deadline]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.total_timeout_ms = 2000;
  options.retry_base_delay_ms = 500;
  options.retry_max_delay_ms = 500;
  Harness h(options);
  // Retry-After 5 s and a whole attempt do not fit in 4 s: the 503 is the result.
  FetchRequest limited{server.Url("/retry-after?seconds=5&fail=1&status=503"), "", ""};
  limited.deadline_ms = 4000;
  const FetchResult r = h.Fetch(limited);
  CHECK(r.http_status == 503);
  CHECK(r.error == FetchError::kNone);
  CHECK(r.attempts == 1);
  CHECK(r.retry_after_ms == 5000);
  CHECK(r.error_text.empty());
  CHECK(r.status_note ==
        "answered 503 asking to wait 5 s (Retry-After), not retried: a retry in 5000 ms could not end "
        "before the fetch's deadline");
  CHECK(server.Count("/retry-after") == 1);
  // An error that is not retried for the deadline says so (a new fetcher:
  // this one holds the host for the 5 s asked).
  Harness fresh(options);
  FetchRequest reset{server.Url("/reset"), "", ""};
  reset.deadline_ms = 2300;  // the 500 ms back-off and 2 s do not fit
  const FetchResult cut = fresh.Fetch(reset);
  INFO(cut.error_text);
  CHECK(cut.error == FetchError::kReset);
  CHECK(cut.attempts == 1);
  CHECK(Contains(cut.error_text, "not retried: a retry in 500 ms could not end before the fetch's deadline"));
  // With time enough, the same failure is retried.
  reset.deadline_ms = 10000;
  CHECK(fresh.Fetch(reset).attempts == 3);
}

TEST_CASE("a request its host holds past the fetch's deadline ends deferred at once", "[fetcher][retry][deadline]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_per_host = 1;
  options.max_retries = 0;
  options.total_timeout_ms = 2000;
  Harness h(options);
  // The first answer holds the host for 30 s; the second request, queued
  // behind it, could start no later than 18 s from now.
  FetchRequest waiting{server.Url("/ok"), "", ""};
  waiting.deadline_ms = 20000;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<FetchResult> r =
      h.FetchAll({FetchRequest{server.Url("/retry-after?seconds=30&fail=1"), "", ""}, waiting});
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(r[0].http_status == 429);
  INFO(r[1].error_text);
  CHECK(r[1].error == FetchError::kDeferred);
  CHECK(r[1].http_status == 0);
  CHECK(Contains(r[1].error_text, "not sent: host 127.0.0.1 takes no request for"));
  REQUIRE(r[1].retry_after_ms.has_value());
  CHECK(*r[1].retry_after_ms > 20000);
  CHECK(*r[1].retry_after_ms <= 30000);
  CHECK(server.Count("/ok") == 0);
  // Dropped when the host was held, not when its latest start came.
  CHECK(waited < std::chrono::seconds(15));
  CHECK(h.fetcher().Queued() == 0);
}

TEST_CASE("a retry its host then holds past the deadline ends with the answer it was to replace", "[fetcher][retry][deadline]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_per_host = 1;
  options.max_retries = 2;
  options.total_timeout_ms = 2000;
  Harness h(options);
  // The first asks for 1 s and would be retried then; the second, served in
  // that second, asks for an hour. The first's retry can no longer be sent:
  // its fetch ends with the 429 it had, not as a fetch never made.
  FetchRequest soon{server.Url("/retry-after?seconds=1&fail=1000&post=soon"), "", ""};
  FetchRequest late{server.Url("/retry-after?seconds=3600&fail=1000&post=late"), "", ""};
  soon.deadline_ms = late.deadline_ms = 10000;
  const std::vector<FetchResult> r = h.FetchAll({soon, late});
  INFO(r[0].error_text << " | " << r[0].status_note);
  CHECK(r[0].error == FetchError::kNone);
  CHECK(r[0].http_status == 429);
  CHECK(r[0].attempts == 1);
  CHECK(r[0].retry_after_ms == 1000);
  CHECK(Contains(r[0].status_note, "answered 429 asking to wait 1 s (Retry-After), not retried: host 127.0.0.1 "
                                   "takes no request for"));
  CHECK(r[1].http_status == 429);
  CHECK(server.Count("/retry-after?seconds=1&fail=1000&post=soon") == 1);
  CHECK(server.Count("/retry-after?seconds=3600&fail=1000&post=late") == 1);
}

TEST_CASE("a request whose host has no free slot before its latest start ends deferred", "[fetcher][deadline]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_per_host = 1;
  options.total_timeout_ms = 2000;
  Harness h(options);
  // The slow answer holds the host's one slot for 1.5 s; the request behind it
  // had to start within 0.5 s to end in its 2.5 s.
  FetchRequest waiting{server.Url("/ok"), "", ""};
  waiting.deadline_ms = 2500;
  const std::vector<FetchResult> r =
      h.FetchAll({FetchRequest{server.Url("/slow-headers?ms=1500"), "", ""}, waiting});
  CHECK(r[0].http_status == 200);
  INFO(r[1].error_text);
  CHECK(r[1].error == FetchError::kDeferred);
  CHECK(Contains(r[1].error_text, "not sent: no slot for host 127.0.0.1 came free in time"));
  CHECK(r[1].retry_after_ms == 0);
  CHECK(server.Count("/ok") == 0);
  // Without a deadline it waits its turn.
  const std::vector<FetchResult> patient = h.FetchAll(
      {FetchRequest{server.Url("/slow-headers?ms=1000"), "", ""}, FetchRequest{server.Url("/ok"), "", ""}});
  CHECK(patient[1].http_status == 200);
}

TEST_CASE("Stop cancels running and queued fetches", "[fetcher][stop]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_in_flight = 1;
  Harness h(options);
  std::vector<FetchResult> results;
  for (int i = 0; i < 3; ++i) {
    h.fetcher().Fetch({server.Url("/slow-headers?ms=5000"), "", ""},
                      [&results](FetchResult r) { results.push_back(std::move(r)); });
  }
  h.RunUntil([&] { return server.Count("/slow-headers") == 1; });
  CHECK(h.fetcher().InFlight() == 1);
  CHECK(h.fetcher().Queued() == 2);
  h.fetcher().Stop();
  REQUIRE(results.size() == 3);
  for (const FetchResult& r : results) {
    CHECK(r.error == FetchError::kOther);
    CHECK(r.error_text == "cancelled");
  }
  CHECK(h.fetcher().InFlight() == 0);
  CHECK(h.fetcher().Queued() == 0);

  SECTION("and later fetches are cancelled at once") {
    CHECK(h.Fetch(server.Url("/ok")).error_text == "cancelled");
    CHECK(server.Count("/ok") == 0);
  }
}

TEST_CASE("destroying the fetcher calls every pending callback", "[fetcher][stop]") {
  TestWebServer server;
  boost::asio::io_context io;
  int cancelled = 0;
  {
    CurlFetcher fetcher(io, FastOptions());
    for (int i = 0; i < 2; ++i) {
      fetcher.Fetch({server.Url("/slow-headers?ms=5000"), "", ""}, [&cancelled](FetchResult r) {
        if (r.error_text == "cancelled") ++cancelled;
      });
    }
    io.run_for(milliseconds(200));
  }
  CHECK(cancelled == 2);
  io.restart();
  io.run_for(milliseconds(50));  // leftover handlers find the fetcher gone
  CHECK(cancelled == 2);
}

}  // namespace
}  // namespace linkwatch::crawler
