// Politeness, counted at the server: per-host cap, per-host delay between
// request starts, global cap across hosts.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>

#include "fetch_harness.h"
#include "test_web_server.h"

namespace linkwatch::crawler {
namespace {

using linkwatch::test::TestWebServer;
using test::FastOptions;
using test::Harness;

// Both ends read the same steady clock. The fetcher counts the delay from the
// previous answer's first byte, after the server recorded that request, so
// the gap as recorded cannot be shorter; the millisecond is rounding only.
constexpr int64_t kArrivalSlackMs = 1;

std::vector<int64_t> GapsMs(const std::vector<TestWebServer::Clock::time_point>& starts) {
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < starts.size(); ++i) {
    gaps.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(starts[i] - starts[i - 1]).count());
  }
  return gaps;
}

void CheckAllOk(const std::vector<FetchResult>& results) {
  for (const FetchResult& r : results) {
    INFO(r.url << ": " << r.error_text);
    CHECK(r.http_status == 200);
  }
}

TEST_CASE("one host gets at most max_per_host requests, delay apart", "[fetcher][politeness]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_per_host = 2;
  options.per_host_delay_ms = 100;
  Harness h(options);
  CheckAllOk(h.FetchAll(std::vector<std::string>(20, server.Url("/ok"))));
  CHECK(server.MaxConcurrentRequests("127.0.0.1") <= 2);
  const auto starts = server.StartTimes("127.0.0.1");
  REQUIRE(starts.size() == 20);
  for (int64_t gap : GapsMs(starts)) CHECK(gap >= options.per_host_delay_ms - kArrivalSlackMs);
}

TEST_CASE("the per-host cap holds while answers are slow", "[fetcher][politeness]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_per_host = 2;
  Harness h(options);
  CheckAllOk(h.FetchAll(std::vector<std::string>(10, server.Url("/slow-headers?ms=60"))));
  CHECK(server.MaxConcurrentRequests("127.0.0.1") == 2);
  CHECK(server.MaxConcurrentConnections("127.0.0.1") <= 2);
}

TEST_CASE("a slow first page of a plain-http host does not hold back the others", "[fetcher][politeness]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_per_host = 4;
  Harness h(options);
  std::vector<std::string> urls;
  for (int i = 0; i < 4; ++i) urls.push_back(server.Url("/slow-headers?ms=400&n=" + std::to_string(i)));
  CheckAllOk(h.FetchAll(urls));
  // All four at once: none waits to learn whether the first connection multiplexes.
  CHECK(server.MaxConcurrentRequests("127.0.0.1") == 4);
  CHECK(server.MaxConcurrentConnections("127.0.0.1") == 4);
}

TEST_CASE("the global cap holds across hosts", "[fetcher][politeness]") {
  TestWebServer server({"127.0.0.1", "127.0.0.2", "127.0.0.3"});
  FetchOptions options = FastOptions();
  options.max_in_flight = 2;
  options.max_per_host = 2;
  Harness h(options);
  std::vector<std::string> urls;
  for (int i = 0; i < 12; ++i) urls.push_back(server.Url("/slow-headers?ms=40", i % 3));
  CheckAllOk(h.FetchAll(urls));
  CHECK(server.MaxConcurrentRequests() <= 2);
  CHECK(server.MaxConcurrentConnections() <= 2 + 1);  // a finished connection may linger open
  for (const char* host : {"127.0.0.1", "127.0.0.2", "127.0.0.3"}) {
    CHECK(server.StartTimes(host).size() == 4);
  }
}

TEST_CASE("a host waiting out its delay does not hold back another host", "[fetcher][politeness]") {
  TestWebServer server({"127.0.0.1", "127.0.0.2"});
  FetchOptions options = FastOptions();
  options.max_per_host = 1;
  options.per_host_delay_ms = 150;
  Harness h(options);
  std::vector<std::string> urls(4, server.Url("/ok", 0));
  urls.push_back(server.Url("/ok", 1));  // queued last
  CheckAllOk(h.FetchAll(urls));
  const auto slow_host = server.StartTimes("127.0.0.1");
  const auto other_host = server.StartTimes("127.0.0.2");
  REQUIRE(slow_host.size() == 4);
  REQUIRE(other_host.size() == 1);
  CHECK(other_host[0] < slow_host[1]);
}

TEST_CASE("retries and redirect hops wait their turn like any request", "[fetcher][politeness]") {
  TestWebServer server;
  FetchOptions options = FastOptions();
  options.max_per_host = 1;
  options.per_host_delay_ms = 80;
  Harness h(options);
  const std::vector<std::string> urls = {server.Url("/redirect/2"), server.Url("/flaky?fail=1"),
                                         server.Url("/ok")};
  CheckAllOk(h.FetchAll(urls));
  const auto starts = server.StartTimes("127.0.0.1");
  REQUIRE(starts.size() == 6);  // 3 hops + 2 attempts + 1
  for (int64_t gap : GapsMs(starts)) CHECK(gap >= options.per_host_delay_ms - kArrivalSlackMs);
}

}  // namespace
}  // namespace linkwatch::crawler
