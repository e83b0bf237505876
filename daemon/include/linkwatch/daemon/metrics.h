// The daemon's Prometheus metrics (GET /metrics, docs/API.md): counters and
// histograms fed by the check, record and discovery events, and gauges read
// at each scrape. Every name starts with linkwatch_; the values are aggregate
// counts and durations, never URLs or people.
//
// Thread-safe: the On* functions and Render() may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "linkwatch/base/time.h"
#include "linkwatch/daemon/events.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::daemon {

// Bucket upper bounds, in seconds.
// A fetch: from 50 ms to the longest total timeout worth telling apart.
inline const std::vector<double> kFetchDurationBuckets = {0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                                          5,    10,  15,   30,  60};
// One storage transaction of check results, from hand-off until durable.
inline const std::vector<double> kStorageWriteBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                         0.1,   0.25,   0.5,   1,    2.5,   5};

// What a scrape reads from the running daemon; an absent part is not rendered.
struct MetricsSample {
  std::optional<int64_t> fetches_in_flight;  // transfers on the wire
  std::optional<int64_t> fetches_queued;     // transfers waiting for a politeness slot
  std::optional<storage::QueueStats> queue;  // absent when the store could not be read
  struct Rules {
    std::string version;
    TimeMs loaded_at = 0;  // 0: never loaded
    int64_t count = 0;
  };
  std::optional<Rules> rules;
};

class Metrics {
 public:
  using Sampler = std::function<MetricsSample()>;

  // `sample` is called by each Render() (on the caller's thread); may be empty.
  explicit Metrics(Sampler sample = {});
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void OnChecked(const CheckEvent& e);
  void OnRecorded(const RecordEvent& e);
  void OnDiscovered(const DiscoveryEvent& e);

  // Every metric in the Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace linkwatch::daemon
