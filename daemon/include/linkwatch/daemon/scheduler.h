// The check loop: lease due links, fetch them, classify, record in batches.
//
// A Scheduler lives on one io_context thread (the fetcher's); all its state is
// touched only there, except Stats() and Wake(), which any thread may call.
// Storage calls and per-page work run on the worker executor. A due link is
// leased before its fetch and recorded only while its lease is current, so a
// crash or restart neither loses a check (the lease is released at start and
// the link is due again) nor records one twice.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "linkwatch/base/time.h"
#include "linkwatch/crawler/fetcher.h"
#include "linkwatch/crawler/url.h"
#include "linkwatch/daemon/events.h"
#include "linkwatch/daemon/rules.h"
#include "linkwatch/daemon/status_policy.h"
#include "linkwatch/storage/store.h"

namespace boost::asio {
class io_context;
}

namespace linkwatch::daemon {

// A check's fetch must end this long after its lease began (a tenth of the
// lease is kept to judge and record it): no retry, redirect or politeness
// wait runs past it.
inline int64_t FetchDeadlineMs(int64_t lease_ms) { return lease_ms - lease_ms / 10; }

struct SchedulerOptions {
  int max_in_flight = 512;              // links between lease and record
  int lease_batch = 256;                // links leased per storage call
  int64_t lease_ms = 15 * 60 * 1000;    // a check not recorded by then is redone
  int64_t poll_interval_ms = 1000;      // look for due links this often when idle
  // The fetcher's politeness, so that one host's due links beyond what it can
  // take soon wait in the database, not in fetch slots (0: no such limit).
  int max_per_host = 0;
  int64_t per_host_delay_ms = 0;
  int flush_batch = 256;                // outcomes per storage transaction ...
  int64_t flush_interval_ms = 200;      // ... or after this long
  StatusPolicy policy;
  crawler::CanonOptions canon;
  // Given the outlinks of each newly judged flagged page (on a worker), for discovery.
  std::function<void(int64_t link_id, std::vector<std::string> outlinks)> offer_outlinks;
  // Told on the io thread after each storage transaction, and for each check
  // it durably recorded (never for a check whose lease was lost). Quick.
  std::function<void(const RecordEvent&)> on_recorded;
  std::function<void(const CheckEvent&)> on_checked;
};

struct SchedulerStats {
  int64_t in_flight = 0;        // leased, not yet recorded
  int64_t checks_recorded = 0;  // since start
  int64_t leases_lost = 0;      // outcomes dropped because their lease had expired
  int64_t fetches_cut_short = 0;  // cancelled by Stop: not recorded, due again at the next start
  // Leased, given back unfetched: their host was busy, or held (Retry-After)
  // past the lease.
  int64_t links_postponed = 0;
  double checks_per_minute = 0; // over the last minute
  // Page judgements since start: bodies extracted and matched, unchanged
  // bodies whose last judgement was carried over, flagged pages.
  int64_t pages_matched = 0, pages_carried_over = 0, pages_flagged = 0;
  int64_t extract_ms = 0, match_ms = 0;  // worker time spent extracting and matching
};

class Scheduler {
 public:
  using Executor = std::function<void(std::function<void()>)>;

  // `io`, `store`, `fetcher`, `judge` and `clock` must outlive the scheduler.
  // Each page is judged by `judge` (not judged when null).
  Scheduler(boost::asio::io_context& io, Executor workers, storage::Store& store,
            crawler::Fetcher& fetcher, const PageJudge* judge, SchedulerOptions options,
            const Clock& clock = SystemClock::Instance());
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Frees leases left by a previous run, then starts polling. On the io thread.
  void Start();
  // Frees the leases left by a previous run (Start does too; a second call finds none).
  void ReleaseStaleLeases();
  // (Until Start, Wake does nothing: a rescan only marks links due.)
  // Stops leasing; calls `done` on the io thread once every check in flight is
  // recorded. On the io thread.
  void Stop(std::function<void()> done);
  // Something became due (a rescan, a new link): look now. Any thread.
  void Wake();
  SchedulerStats Stats() const;  // any thread

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace linkwatch::daemon
