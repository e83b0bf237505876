#include "linkwatch/daemon/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <string_view>
#include <utility>

namespace linkwatch::daemon {
namespace {

namespace prom = ::prometheus;

// What a check can observe (CheckEvent::observed); anything else counts as "other".
constexpr std::array<std::string_view, 4> kObserved = {"alive", "removed", "blocked", "unreachable"};
// The statuses a link can have; linkwatch_links shows each, 0 when no link has it.
constexpr std::array<std::string_view, 5> kLinkStatuses = {"pending", "alive", "removed", "blocked",
                                                           "unreachable"};

constexpr double kMicrosPerSecond = 1e6;
constexpr double kMillisPerSecond = 1e3;

}  // namespace

struct Metrics::Impl {
  explicit Impl(Sampler s) : sample(std::move(s)) {}

  const Sampler sample;
  // Fed by events; prometheus-cpp's metrics are thread-safe.
  prom::Registry registry;
  prom::Family<prom::Counter>& checks = prom::BuildCounter()
      .Name("linkwatch_checks_total")
      .Help("Checks durably recorded, by what the check observed")
      .Register(registry);
  std::array<prom::Counter*, kObserved.size()> checks_by_observed{};
  prom::Counter& checks_other = checks.Add({{"status", "other"}});
  prom::Histogram& fetch_duration = prom::BuildHistogram()
      .Name("linkwatch_fetch_duration_seconds")
      .Help("Duration of the fetch of each recorded check")
      .Register(registry)
      .Add({}, kFetchDurationBuckets);
  prom::Counter& pages_matched = prom::BuildCounter()
      .Name("linkwatch_pages_matched_total")
      .Help("Page bodies extracted and matched against the rules (not carried over)")
      .Register(registry)
      .Add({});
  prom::Counter& pages_flagged = prom::BuildCounter()
      .Name("linkwatch_pages_flagged_total")
      .Help("Checks whose page the rules judged flagged")
      .Register(registry)
      .Add({});
  prom::Counter& extract_seconds = prom::BuildCounter()
      .Name("linkwatch_extract_seconds_total")
      .Help("Worker time spent extracting page text")
      .Register(registry)
      .Add({});
  prom::Counter& match_seconds = prom::BuildCounter()
      .Name("linkwatch_match_seconds_total")
      .Help("Worker time spent matching pages against the rules")
      .Register(registry)
      .Add({});
  prom::Histogram& storage_write = prom::BuildHistogram()
      .Name("linkwatch_storage_write_seconds")
      .Help("Storage transactions of check results, from hand-off until durable")
      .Register(registry)
      .Add({}, kStorageWriteBuckets);
  prom::Counter& storage_write_failures = prom::BuildCounter()
      .Name("linkwatch_storage_write_failures_total")
      .Help("Storage transactions of check results that failed")
      .Register(registry)
      .Add({});
  prom::Counter& discovered = prom::BuildCounter()
      .Name("linkwatch_discovered_total")
      .Help("Candidates that became discovered links pending review")
      .Register(registry)
      .Add({});

  prom::Counter& ChecksFor(const std::string& observed) {
    for (size_t i = 0; i < kObserved.size(); ++i) {
      if (observed == kObserved[i]) return *checks_by_observed[i];
    }
    return checks_other;
  }

  // The gauges of one scrape, in a registry of their own: a status or rules
  // version that is gone leaves no stale series behind.
  static void AddSample(const MetricsSample& s, prom::Registry& r) {
    auto gauge = [&r](const char* name, const char* help) -> prom::Family<prom::Gauge>& {
      return prom::BuildGauge().Name(name).Help(help).Register(r);
    };
    if (s.fetches_in_flight) {
      gauge("linkwatch_fetches_in_flight", "Transfers on the wire")
          .Add({}).Set(static_cast<double>(*s.fetches_in_flight));
    }
    if (s.fetches_queued) {
      gauge("linkwatch_fetches_queued", "Transfers waiting for a politeness slot")
          .Add({}).Set(static_cast<double>(*s.fetches_queued));
    }
    if (s.queue) {
      gauge("linkwatch_due_backlog", "Links due now and not under a lease")
          .Add({}).Set(static_cast<double>(s.queue->due_now));
      gauge("linkwatch_links_leased", "Links under a current lease (being checked)")
          .Add({}).Set(static_cast<double>(s.queue->leased));
      auto& links = gauge("linkwatch_links", "Links by status");
      for (std::string_view status : kLinkStatuses) {
        const auto it = s.queue->by_status.find(std::string(status));
        links.Add({{"status", std::string(status)}})
            .Set(it == s.queue->by_status.end() ? 0.0 : static_cast<double>(it->second));
      }
      for (const auto& [status, n] : s.queue->by_status) {
        bool known = false;
        for (std::string_view k : kLinkStatuses) known = known || status == k;
        if (!known) links.Add({{"status", status}}).Set(static_cast<double>(n));
      }
    }
    if (s.rules) {
      gauge("linkwatch_rules_info", "The rule set in force; its version is the label")
          .Add({{"version", s.rules->version}}).Set(1);
      gauge("linkwatch_rules", "Rules in the rule set in force")
          .Add({}).Set(static_cast<double>(s.rules->count));
      gauge("linkwatch_rules_loaded_timestamp_seconds",
            "When the rule set in force was loaded (Unix time; 0: never)")
          .Add({}).Set(static_cast<double>(s.rules->loaded_at) / kMillisPerSecond);
    }
  }
};

Metrics::Metrics(Sampler sample) : impl_(std::make_unique<Impl>(std::move(sample))) {
  for (size_t i = 0; i < kObserved.size(); ++i) {
    impl_->checks_by_observed[i] = &impl_->checks.Add({{"status", std::string(kObserved[i])}});
  }
}

Metrics::~Metrics() = default;

void Metrics::OnChecked(const CheckEvent& e) {
  impl_->ChecksFor(e.observed).Increment();
  impl_->fetch_duration.Observe(static_cast<double>(e.elapsed_ms) / kMillisPerSecond);
  if (e.judged && e.flagged_after) impl_->pages_flagged.Increment();
  if (e.extract_us > 0 || e.match_us > 0) {
    impl_->pages_matched.Increment();
    impl_->extract_seconds.Increment(static_cast<double>(e.extract_us) / kMicrosPerSecond);
    impl_->match_seconds.Increment(static_cast<double>(e.match_us) / kMicrosPerSecond);
  }
}

void Metrics::OnRecorded(const RecordEvent& e) {
  if (!e.ok) {
    impl_->storage_write_failures.Increment();
    return;
  }
  impl_->storage_write.Observe(static_cast<double>(e.latency_us) / kMicrosPerSecond);
}

void Metrics::OnDiscovered(const DiscoveryEvent&) { impl_->discovered.Increment(); }

std::string Metrics::Render() const {
  std::vector<prom::MetricFamily> families = impl_->registry.Collect();
  if (impl_->sample) {
    prom::Registry scrape;
    Impl::AddSample(impl_->sample(), scrape);
    for (auto& f : scrape.Collect()) families.push_back(std::move(f));
  }
  return prom::TextSerializer().Serialize(families);
}

}  // namespace linkwatch::daemon
