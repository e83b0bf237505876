// Metrics: events in, the exact Prometheus series out; GET /metrics without a token.
#include <catch2/catch.hpp>

#include <cmath>
#include <future>
#include <sstream>
#include <thread>

#include "linkwatch/daemon/api.h"
#include "linkwatch/daemon/metrics.h"
#include "linkwatch/storage/store.h"
#include "test_support.h"

using namespace linkwatch;
using daemon::CheckEvent;
using daemon::Metrics;
using daemon::MetricsSample;

namespace {

CheckEvent Check(const std::string& observed, int64_t elapsed_ms) {
  CheckEvent e;
  e.link_id = 1;
  e.url = "https://example.org/a";
  e.observed = observed;
  e.elapsed_ms = elapsed_ms;
  return e;
}

// The lines of `text` that are samples (not # HELP / # TYPE).
std::vector<std::string> Samples(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  return out;
}

bool Has(const std::string& text, const std::string& line) {
  for (const auto& s : Samples(text)) {
    if (s == line) return true;
  }
  return false;
}

// The value of the sample `series` in `text`; NaN when it is not there.
double Value(const std::string& text, const std::string& series) {
  for (const auto& s : Samples(text)) {
    if (s.size() > series.size() && s.compare(0, series.size(), series) == 0 && s[series.size()] == ' ') {
      return std::stod(s.substr(series.size() + 1));
    }
  }
  return std::nan("");
}

}  // namespace

TEST_CASE("checks are counted by what they observed, their fetches in latency buckets", "[metrics]") {
  Metrics m;
  m.OnChecked(Check("removed", 30));
  m.OnChecked(Check("removed", 700));
  m.OnChecked(Check("alive", 2000));
  m.OnChecked(Check("sideways", 90000));  // beyond every bucket, an unknown observation
  const std::string text = m.Render();
  INFO(text);
  CHECK(text.find("# TYPE linkwatch_checks_total counter") != std::string::npos);
  CHECK(Has(text, R"(linkwatch_checks_total{status="removed"} 2)"));
  CHECK(Has(text, R"(linkwatch_checks_total{status="alive"} 1)"));
  CHECK(Has(text, R"(linkwatch_checks_total{status="blocked"} 0)"));
  CHECK(Has(text, R"(linkwatch_checks_total{status="unreachable"} 0)"));
  CHECK(Has(text, R"(linkwatch_checks_total{status="other"} 1)"));

  CHECK(text.find("# TYPE linkwatch_fetch_duration_seconds histogram") != std::string::npos);
  CHECK(Has(text, R"(linkwatch_fetch_duration_seconds_bucket{le="0.05"} 1)"));
  CHECK(Has(text, R"(linkwatch_fetch_duration_seconds_bucket{le="0.5"} 1)"));
  CHECK(Has(text, R"(linkwatch_fetch_duration_seconds_bucket{le="1"} 2)"));
  CHECK(Has(text, R"(linkwatch_fetch_duration_seconds_bucket{le="2.5"} 3)"));
  CHECK(Has(text, R"(linkwatch_fetch_duration_seconds_bucket{le="60"} 3)"));
  CHECK(Has(text, R"(linkwatch_fetch_duration_seconds_bucket{le="+Inf"} 4)"));
  CHECK(Has(text, "linkwatch_fetch_duration_seconds_count 4"));
  CHECK(Value(text, "linkwatch_fetch_duration_seconds_sum") == Approx(92.73));
  // Every bucket of the named list is rendered, and nothing else.
  size_t buckets = 0;
  for (const auto& s : Samples(text)) {
    if (s.rfind("linkwatch_fetch_duration_seconds_bucket{", 0) == 0) ++buckets;
  }
  CHECK(buckets == daemon::kFetchDurationBuckets.size() + 1);
}

TEST_CASE("matcher time, flagged pages, storage writes and discoveries are counted", "[metrics]") {
  Metrics m;
  CheckEvent flagged = Check("alive", 100);
  flagged.judged = true;
  flagged.flagged_after = true;
  flagged.extract_us = 1500;
  flagged.match_us = 250000;
  m.OnChecked(flagged);
  CheckEvent carried = Check("alive", 100);  // judged, carried over: no worker time
  carried.judged = true;
  carried.flagged_after = true;
  m.OnChecked(carried);
  CheckEvent not_flagged = Check("alive", 100);
  not_flagged.judged = true;
  not_flagged.extract_us = 500;
  not_flagged.match_us = 250000;
  m.OnChecked(not_flagged);

  m.OnRecorded({3, 4000, true});     // 4 ms
  m.OnRecorded({5, 2'000'000, true});  // 2 s
  m.OnRecorded({1, 100, false});
  m.OnDiscovered({7, "https://example.org/b", 1, "linked from a flagged page"});
  m.OnDiscovered({8, "https://example.org/c", 1, "linked from a flagged page"});

  const std::string text = m.Render();
  INFO(text);
  CHECK(Has(text, "linkwatch_pages_flagged_total 2"));
  CHECK(Has(text, "linkwatch_pages_matched_total 2"));
  CHECK(Value(text, "linkwatch_extract_seconds_total") == Approx(0.002));
  CHECK(Value(text, "linkwatch_match_seconds_total") == Approx(0.5));
  CHECK(text.find("# TYPE linkwatch_storage_write_seconds histogram") != std::string::npos);
  CHECK(Has(text, R"(linkwatch_storage_write_seconds_bucket{le="0.0025"} 0)"));
  CHECK(Has(text, R"(linkwatch_storage_write_seconds_bucket{le="0.005"} 1)"));
  CHECK(Has(text, R"(linkwatch_storage_write_seconds_bucket{le="1"} 1)"));
  CHECK(Has(text, R"(linkwatch_storage_write_seconds_bucket{le="2.5"} 2)"));
  CHECK(Has(text, "linkwatch_storage_write_seconds_count 2"));
  CHECK(Has(text, "linkwatch_storage_write_failures_total 1"));
  CHECK(Has(text, "linkwatch_discovered_total 2"));
  // Without a sampler there are no scrape-time gauges.
  CHECK(text.find("linkwatch_due_backlog") == std::string::npos);
}

TEST_CASE("each scrape reads the fetcher, the queue and the rule set anew", "[metrics]") {
  MetricsSample sample;
  sample.fetches_in_flight = 3;
  sample.fetches_queued = 11;
  storage::QueueStats queue;
  queue.links = 9;
  queue.due_now = 4;
  queue.leased = 2;
  queue.by_status = {{"alive", 6}, {"removed", 3}};
  sample.queue = queue;
  sample.rules = MetricsSample::Rules{"3f2a9c", 1'767'225'600'000, 42};
  int scrapes = 0;
  Metrics m([&] {
    ++scrapes;
    return sample;
  });

  std::string text = m.Render();
  INFO(text);
  CHECK(scrapes == 1);
  CHECK(text.find("# TYPE linkwatch_fetches_in_flight gauge") != std::string::npos);
  CHECK(Has(text, "linkwatch_fetches_in_flight 3"));
  CHECK(Has(text, "linkwatch_fetches_queued 11"));
  CHECK(Has(text, "linkwatch_due_backlog 4"));
  CHECK(Has(text, "linkwatch_links_leased 2"));
  CHECK(Has(text, R"(linkwatch_links{status="alive"} 6)"));
  CHECK(Has(text, R"(linkwatch_links{status="removed"} 3)"));
  CHECK(Has(text, R"(linkwatch_links{status="blocked"} 0)"));
  CHECK(Has(text, R"(linkwatch_links{status="pending"} 0)"));
  CHECK(Has(text, R"(linkwatch_rules_info{version="3f2a9c"} 1)"));
  CHECK(Has(text, "linkwatch_rules 42"));
  CHECK(Has(text, "linkwatch_rules_loaded_timestamp_seconds 1767225600"));

  // A reload and a drained queue: the old version leaves no series behind.
  sample.rules->version = "77aa01";
  sample.queue->due_now = 0;
  sample.queue->by_status = {{"alive", 9}};
  sample.fetches_in_flight = 0;
  text = m.Render();
  CHECK(scrapes == 2);
  CHECK(Has(text, R"(linkwatch_rules_info{version="77aa01"} 1)"));
  CHECK(text.find("3f2a9c") == std::string::npos);
  CHECK(Has(text, "linkwatch_due_backlog 0"));
  CHECK(Has(text, R"(linkwatch_links{status="removed"} 0)"));
  CHECK(Has(text, "linkwatch_fetches_in_flight 0"));

  // The store could not be read: the queue gauges are left out, the rest stays.
  sample.queue.reset();
  text = m.Render();
  CHECK(text.find("linkwatch_due_backlog") == std::string::npos);
  CHECK(text.find("linkwatch_links{") == std::string::npos);
  CHECK(Has(text, "linkwatch_fetches_queued 11"));
}

TEST_CASE("metrics may be fed from many threads while being scraped", "[metrics]") {
  Metrics m([] { return MetricsSample{}; });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) {
        m.OnChecked(Check("alive", 10));
        m.OnRecorded({1, 100, true});
      }
    });
  }
  threads.emplace_back([&m] {
    for (int i = 0; i < 50; ++i) CHECK(!m.Render().empty());
  });
  for (auto& t : threads) t.join();
  const std::string text = m.Render();
  CHECK(Has(text, R"(linkwatch_checks_total{status="alive"} 4000)"));
  CHECK(Has(text, "linkwatch_storage_write_seconds_count 4000"));
}

namespace {

daemon::ApiResponse Get(daemon::Api& api, const std::string& target, const std::string& method = "GET") {
  std::promise<daemon::ApiResponse> p;
  api.Handle({method, target, "", ""}, [&p](daemon::ApiResponse r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

struct ApiFixture {
  test::TempDir dir;
  std::unique_ptr<storage::Store> store;

  ApiFixture() {
    auto opened = storage::Store::Open(dir.File("lw.db"), storage::Options{});
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }
  ~ApiFixture() { store->Close(); }

  // Work runs inline: Handle() answers before it returns.
  std::unique_ptr<daemon::Api> Make(daemon::ApiHooks hooks) {
    daemon::ApiOptions options;
    options.hooks = std::move(hooks);
    return std::make_unique<daemon::Api>(std::move(options), *store,
                                         [](std::function<void()> fn) { fn(); });
  }
};

}  // namespace

TEST_CASE("GET /metrics answers the Prometheus text without a token, 503 when not wired", "[metrics]") {
  ApiFixture f;
  Metrics metrics;
  metrics.OnChecked(Check("blocked", 100));
  daemon::ApiHooks hooks;
  hooks.metrics = [&metrics] { return metrics.Render(); };
  auto api = f.Make(hooks);

  const auto r = Get(*api, "/metrics");
  INFO(r.body);
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4");
  CHECK(Has(r.body, R"(linkwatch_checks_total{status="blocked"} 1)"));
  CHECK(Get(*api, "/metrics?x=1").status == 200);
  CHECK(Get(*api, "/metrics", "POST").status == 405);
  const auto health = Get(*api, "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == R"({"status":"ok"})");

  auto unwired = f.Make({});
  const auto none = Get(*unwired, "/metrics");
  CHECK(none.status == 503);
  CHECK(none.content_type == "application/json");
}
