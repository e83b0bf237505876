#include "linkwatch/daemon/scheduler.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <algorithm>
#include <cstdlib>
#include <deque>
#include <limits>
#include <unordered_map>
#include <optional>
#include <nlohmann/json.hpp>

#include "linkwatch/base/sha256.h"

namespace linkwatch::daemon {
namespace {

namespace asio = boost::asio;
constexpr TimeMs kThroughputWindowMs = 60 * 1000;
// Fetched outcomes not yet recorded may reach this multiple of max_in_flight
// before leasing waits for the writer.
constexpr int64_t kMaxUnrecordedFactor = 2;
// A host may hold its fetch slots and about this much more of its own work
// (at its per-host delay) in the fetcher; the rest of its due links wait in
// the database, so that one busy host never fills the slots of all the others.
constexpr int64_t kHostBacklogMs = 2000;
// The spacing of a postponed host's links when it has no per-host delay.
constexpr int64_t kHostStepMs = 100;
// Postponement times kept per host, pruned beyond this many hosts.
constexpr size_t kMaxPostponedHosts = 4096;
// Two ends of a host's wait this close are one wait.
constexpr int64_t kSameWaitMs = 250;

// Where a host's postponed links stand.
struct HostLine {
  TimeMs postponed_until = 0;  // the last link postponed for the host's pace
  TimeMs held_until = 0;       // the end of the host's latest wait (Retry-After)
};

// Registered links before discovered ones; then never checked, then the
// longest unchecked.
bool ServedFirst(const storage::DueLink& a, const storage::DueLink& b) {
  auto key = [](const storage::DueLink& l) {
    return std::make_pair(l.origin != "registered", l.last_checked_at.value_or(std::numeric_limits<TimeMs>::min()));
  };
  return key(a) < key(b);
}

// 0: no quota (max_per_host unset).
int HostQuota(const SchedulerOptions& o) {
  if (o.max_per_host <= 0) return 0;
  const int64_t d = o.per_host_delay_ms;
  const int64_t backlog = d > 0 ? (kHostBacklogMs + d - 1) / d : o.max_per_host;
  return static_cast<int>(std::min<int64_t>(o.max_per_host + std::max<int64_t>(backlog, 1), o.max_in_flight));
}

// The time between two postponed links of one host: its pace.
int64_t HostStepMs(const SchedulerOptions& o) {
  if (o.per_host_delay_ms > 0) return o.per_host_delay_ms;
  return std::max<int64_t>(1, kHostStepMs / std::max(1, o.max_per_host));
}

std::mt19937_64& ThreadRng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

std::string RedirectChainJson(const crawler::FetchResult& r) {
  if (r.redirects.empty()) return "[]";  // most checks: no document to build
  nlohmann::json chain = nlohmann::json::array();
  for (const auto& hop : r.redirects) chain.push_back({{"url", hop.url}, {"status", hop.http_status}});
  return chain.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ErrorText(const crawler::FetchResult& r) {
  if (r.error == crawler::FetchError::kNone) return r.status_note.empty() ? std::string{} : "http: " + r.status_note;
  return std::string(crawler::FetchErrorName(r.error)) + ": " + r.error_text;
}

LinkState StateOf(const storage::DueLink& due) {
  LinkState s;
  s.status = due.status;
  s.candidate_status = due.candidate_status;
  s.candidate_count = due.candidate_count;
  s.backoff_step = due.backoff_step;
  s.removed_since = due.removed_since;
  return s;
}

// When the link was first seen in `observed`: the oldest check of the running
// streak, or now when this check starts one. Reads storage only for a streak.
TimeMs FirstSeen(storage::Store& store, const storage::DueLink& due, const std::string& observed,
                 TimeMs now) {
  if (due.candidate_status != observed || due.candidate_count < 1) return now;
  auto history = store.History(due.id, due.candidate_count, 0);
  if (!history.ok() || history->size() < static_cast<size_t>(due.candidate_count)) return now;
  const auto& oldest = history->at(static_cast<size_t>(due.candidate_count) - 1);
  return oldest.status == observed ? oldest.checked_at : now;
}

// What one fetch means for its link: the check row and the link's new state.
// Runs on a worker thread.
// Pages judged on workers, read by Stats() from any thread.
struct JudgeCounters {
  std::atomic<int64_t> matched{0}, carried_over{0}, flagged{0};
  std::atomic<int64_t> extract_us{0}, match_us{0};

  void Count(const Judgement& j) {
    if (!j.judged) return;
    (j.carried_over ? carried_over : matched).fetch_add(1);
    if (j.flagged) flagged.fetch_add(1);
    extract_us.fetch_add(j.extract_us);
    match_us.fetch_add(j.match_us);
  }
};

// What BuildOutcome makes of one fetch: the row to record and the event to
// tell once it is recorded.
struct Built {
  storage::CheckOutcome outcome;
  CheckEvent event;
};

CheckEvent EventOf(const storage::DueLink& due, const crawler::FetchResult& r,
                   const storage::CheckOutcome& o, const Judgement& j) {
  CheckEvent e;
  e.link_id = due.id;
  e.url = due.canonical_url;
  e.host = due.host;
  e.origin = due.origin;
  e.review_state = due.review_state;
  e.checked_at = o.checked_at;
  e.observed = o.observed;
  e.status_before = due.status;
  e.status_after = o.status;
  e.flagged_before = due.flagged;
  e.judged = o.judged;
  e.flagged_after = o.judged ? o.flagged : due.flagged;
  e.matched_rules = o.matched_rules;
  e.http_status = o.http_status;
  e.elapsed_ms = r.elapsed_ms;
  e.error = o.error;
  e.reason = o.reason;
  e.extract_us = j.extract_us;
  e.match_us = j.match_us;
  return e;
}

Built BuildOutcome(storage::Store& store, const storage::DueLink& due,
                   const crawler::FetchResult& r, TimeMs now,
                   const SchedulerOptions& options, const PageJudge* judge,
                   JudgeCounters& counters) {
  const StatusPolicy& policy = options.policy;
  storage::CheckOutcome o;
  if (!r.not_modified && r.error == crawler::FetchError::kNone) {
    // The content hash is of pages (2xx): what the rules judge and evidence keeps.
    if (r.http_status >= 200 && r.http_status < 300) o.content_hash = Sha256Hex(r.body);
    o.etag = r.Header("etag");
    o.last_modified = r.Header("last-modified");
  }
  Judgement j = judge != nullptr ? judge->Judge(due, r, o.content_hash) : Judgement{};
  counters.Count(j);
  const std::string& body_sha256 = r.not_modified ? due.content_hash : o.content_hash;
  // Flagged once, not now, and not the same body: does the newest evidence still
  // count under the rules in force? (Read only for such links: rare.)
  bool evidence_flagged = true;
  if (judge != nullptr && j.judged && !j.flagged && due.flagged_at && !due.flagged_sha256.empty() &&
      body_sha256 != due.flagged_sha256) {
    if (auto kept = store.EvidenceBody(due.flagged_sha256); kept.ok()) {
      evidence_flagged = judge->FlagsBody(*kept, due.canonical_url);
    } else {
      spdlog::warn("link {}: reading its newest evidence: {}", due.id, kept.status().ToString());
    }
  }
  const std::string observed =
      ApplyJudgement(due, j, body_sha256, evidence_flagged,
                     Observe(r, due.host, LastObserved(StateOf(due)), policy, &o.reason), &o.reason);
  const Transition t =
      Advance(StateOf(due), observed, now, FirstSeen(store, due, observed, now), policy, ThreadRng());
  o.link_id = due.id;
  o.lease_id = due.lease_id;
  o.checked_at = now;
  if (r.http_status > 0) o.http_status = r.http_status;
  o.observed = observed;
  o.final_url = r.final_url;
  o.redirect_chain = RedirectChainJson(r);
  o.elapsed_ms = r.elapsed_ms;
  o.bytes = r.wire_bytes;
  o.truncated = r.truncated;
  o.not_modified = r.not_modified;
  o.error = ErrorText(r);
  o.judged = j.judged;
  o.flagged = j.flagged;
  o.matches = std::move(j.matches);
  o.matched_rules = std::move(j.matched_ids);
  o.rules_version = std::move(j.rules_version);
  o.evidence = std::move(j.evidence);
  o.reach = std::move(j.reach);
  if (!j.outlinks.empty() && options.offer_outlinks) options.offer_outlinks(due.id, std::move(j.outlinks));
  o.status = t.state.status;
  o.candidate_status = t.state.candidate_status;
  o.candidate_count = t.state.candidate_count;
  o.backoff_step = t.state.backoff_step;
  o.next_check_at = t.next_check_at;
  // A 429/503 that was not retried in time: not back before the server asked.
  if (r.retry_after_ms) o.next_check_at = std::max(o.next_check_at, now + *r.retry_after_ms);
  o.removed_since = t.state.removed_since;
  o.reappeared_at = t.state.reappeared_at;
  // A link's first status (from pending) is news only when debugging: a
  // large import would log a line per link. Later changes are logged, and
  // every change is in the audit log.
  const auto level = due.status == "pending" ? spdlog::level::debug : spdlog::level::info;
  if (t.changed && spdlog::should_log(level)) {
    spdlog::log(level, "link {} is now {} (was {}): {}", due.id, t.state.status, due.status,
                !o.reason.empty() ? o.reason
                : o.error.empty() ? "HTTP " + std::to_string(r.http_status)
                                  : o.error);
  }
  if (o.judged && o.flagged && !due.flagged) {
    spdlog::info("link {} is flagged: {}", due.id, o.matched_rules);
  }
  CheckEvent event = EventOf(due, r, o, j);
  return {std::move(o), std::move(event)};
}

// A link whose stored URL no longer canonicalizes is recorded as unreachable
// with the reason, instead of being fetched.
crawler::FetchResult Unfetchable(const storage::DueLink& due, const Status& why) {
  crawler::FetchResult r;
  r.url = due.submitted_url;
  r.error = crawler::FetchError::kOther;
  r.error_text = "stored URL is not fetchable: " + why.message();
  return r;
}

// A leased link and the URL to fetch for it (or why there is none).
struct Leased {
  storage::DueLink link;
  Result<crawler::CanonicalUrl> canon;
};

// Canonicalized where the links are leased, on a worker: the io thread only
// starts the fetches.
// (By reference: a by-value Result here trips GCC 12's -Wmaybe-uninitialized.)
Result<std::vector<Leased>> Canonicalized(Result<std::vector<storage::DueLink>>& due,
                                          const crawler::CanonOptions& options) {
  if (!due.ok()) return due.status();
  std::vector<Leased> out;
  out.reserve(due->size());
  for (storage::DueLink& link : *due) {
    Result<crawler::CanonicalUrl> canon = crawler::Canonicalize(link.submitted_url, {}, options);
    out.push_back({std::move(link), std::move(canon)});
  }
  return out;
}

bool IsCancelled(const crawler::FetchResult& r) {
  return r.error == crawler::FetchError::kOther && r.error_text == "cancelled";
}

}  // namespace

struct Scheduler::Impl : std::enable_shared_from_this<Scheduler::Impl> {
  Impl(asio::io_context& io, Executor workers, storage::Store& store, crawler::Fetcher& fetcher,
       const PageJudge* judge, SchedulerOptions options, const Clock& clock)
      : io(io), poll_timer(io), flush_timer(io), stop_timer(io), workers(std::move(workers)), store(store),
        fetcher(fetcher), judge(judge), options(std::move(options)), clock(clock) {}

  // -- leasing
  void DoPoll() {
    if (stopping || leasing) return;
    // Fetch slots free up when a fetch ends; outcomes still waiting for the
    // writer are bounded separately, so storage cannot fall behind unbounded.
    if (unrecorded > options.max_in_flight * kMaxUnrecordedFactor) return;
    const int64_t room = options.max_in_flight - fetching;
    if (room <= 0) return;  // a fetch's end polls again
    leasing = true;
    const int want = static_cast<int>(std::min<int64_t>(room, options.lease_batch));
    // Asynchronous: no worker waits on the writer; the lease goes into the
    // writer's next transaction, before the queued records.
    store.LeaseDueAsync(clock.Now(), want, options.lease_ms,
                        [self = shared_from_this(), want](Result<std::vector<storage::DueLink>> leased) {
      self->workers([self, want, leased = std::move(leased)]() mutable {
        auto due = Canonicalized(leased, self->options.canon);
        asio::post(self->io, [self, want, due = std::move(due)]() mutable { self->OnLeased(want, std::move(due)); });
      });
    });
  }

  void OnLeased(int wanted, Result<std::vector<Leased>> due) {
    leasing = false;
    // Leased but not fetched: ReleaseAllLeases at the next start makes them due.
    if (stopping) return MaybeFinishStop();
    if (!due.ok()) {
      spdlog::error("leasing due links: {}", due.status().ToString());
      return ArmPoll();
    }
    std::vector<storage::Store::Postponed> later;
    const TimeMs now = clock.Now();
    // The links due together are served longest-unchecked first: when a held
    // host's wait ends, its links waiting for it are due at once, and the one
    // checked last goes to the back of the line.
    std::stable_sort(due->begin(), due->end(),
                     [](const Leased& a, const Leased& b) { return ServedFirst(a.link, b.link); });
    for (auto& link : *due) {
      if (quota > 0 && HostFetching(link.link.host) >= quota) {
        later.push_back(PostponeOf(link.link, now));
      } else {
        DoFetch(std::move(link));
      }
    }
    if (!later.empty()) Postpone(std::move(later));
    if (static_cast<int>(due->size()) == wanted) return DoPoll();  // more may be due
    ArmPoll();
  }

  void ArmPoll() {
    if (stopping) return;
    poll_timer.expires_after(std::chrono::milliseconds(options.poll_interval_ms));
    poll_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->DoPoll();
    });
  }

  // -- one host's share
  int HostFetching(const std::string& host) const {
    const auto it = host_fetching.find(host);
    return it == host_fetching.end() ? 0 : it->second;
  }

  void HostDone(const std::string& host) {
    const auto it = host_fetching.find(host);
    if (it != host_fetching.end() && --it->second <= 0) host_fetching.erase(it);
  }

  // The host has all it can take: the link is due again once the host's
  // pace reaches it, behind the host's links postponed before it.
  storage::Store::Postponed PostponeOf(const storage::DueLink& link, TimeMs now) {
    const int64_t step = HostStepMs(options);
    TimeMs& until = PruneLines(now)[link.host].postponed_until;
    until = std::max(until, now + quota * step) + step;
    return {link.id, link.lease_id, until};
  }

  // The link's host takes no request for `held_ms`: the link is due when the
  // wait ends, at the same time as the host's other links that waited for it
  // (OnLeased then serves the longest-unchecked first); links postponed
  // for the host's pace come after them.
  storage::Store::Postponed HeldOf(const storage::DueLink& link, TimeMs now, int64_t held_ms) {
    HostLine& line = PruneLines(now)[link.host];
    if (held_ms <= 0) {  // no slot came free in time: back in the host's pace
      line.postponed_until = std::max(line.postponed_until, now) + HostStepMs(options);
      return {link.id, link.lease_id, line.postponed_until};
    }
    const TimeMs ends = now + held_ms;
    // One wait, seen through the fetcher's and this clock: a few ms apart.
    if (line.held_until < now || std::llabs(ends - line.held_until) > kSameWaitMs) line.held_until = ends;
    line.postponed_until = std::max(line.postponed_until, line.held_until);
    return {link.id, link.lease_id, line.held_until};
  }

  std::unordered_map<std::string, HostLine>& PruneLines(TimeMs now) {
    if (host_lines.size() > kMaxPostponedHosts) {
      std::erase_if(host_lines, [now](const auto& kv) {
        return kv.second.postponed_until < now && kv.second.held_until < now;
      });
    }
    return host_lines;
  }

  void Postpone(std::vector<storage::Store::Postponed> later) {
    spdlog::debug("{} due links postponed: their hosts have all the work they can take, or ask to wait",
                  later.size());
    stats_postponed.fetch_add(static_cast<int64_t>(later.size()));
    workers([self = shared_from_this(), later = std::move(later)]() mutable {
      // On failure the leases run out and the links come due again.
      auto n = self->store.PostponeLeased(std::move(later));
      if (!n.ok()) spdlog::error("postponing links of busy hosts: {}", n.status().ToString());
    });
  }

  // -- fetching
  void DoFetch(Leased leased) {
    ++fetching;
    ++host_fetching[leased.link.host];
    ++in_flight;
    stats_in_flight.store(in_flight);
    storage::DueLink due = std::move(leased.link);
    const Result<crawler::CanonicalUrl>& canon = leased.canon;
    if (!canon.ok()) return OnFetched(std::move(due), Unfetchable(due, canon.status()));
    crawler::FetchRequest req{canon->href, due.etag, due.last_modified};
    req.deadline_ms = FetchDeadlineMs(options.lease_ms);
    // A new rule set must see the body: no conditional request then, nor when
    // the latest check saw no page (MayRevalidate).
    if (!MayRevalidate(StateOf(due), due.http_status) ||
        (judge != nullptr && judge->rules().Current()->version() != due.rules_version)) {
      req.etag.clear();
      req.last_modified.clear();
    }
    fetcher.Fetch(std::move(req), [self = shared_from_this(), due = std::move(due)](crawler::FetchResult r) mutable {
      // The fetcher answers on the io thread; post keeps this off its call stack.
      asio::post(self->io, [self, due = std::move(due), r = std::move(r)]() mutable {
        self->OnFetched(std::move(due), std::move(r));
      });
    });
  }

  void OnFetched(storage::DueLink due, crawler::FetchResult r) {
    --fetching;
    HostDone(due.host);
    if (stopping && IsCancelled(r)) {
      // Cut short by shutdown: not a finding. The lease is released at the next start.
      --in_flight;
      stats_in_flight.store(in_flight);
      stats_cut_short.fetch_add(1);
      return MaybeFinishStop();
    }
    const TimeMs now = clock.Now();
    if (r.error == crawler::FetchError::kDeferred) {
      // Its host is held (Retry-After) past the lease: no check, due once the host is free.
      --in_flight;
      stats_in_flight.store(in_flight);
      Postpone({HeldOf(due, now, r.retry_after_ms.value_or(0))});
      return DoPoll();
    }
    ++unrecorded;
    if (options.max_in_flight - fetching >= options.lease_batch / 4) DoPoll();
    workers([self = shared_from_this(), due = std::move(due), r = std::move(r), now] {
      Built built = BuildOutcome(self->store, due, r, now, self->options, self->judge,
                                 self->judge_counters);
      asio::post(self->io, [self, b = std::move(built)]() mutable { self->Enqueue(std::move(b)); });
    });
  }

  // -- recording
  void Enqueue(Built b) {
    pending.push_back(std::move(b.outcome));
    pending_events.push_back(std::move(b.event));
    if (static_cast<int>(pending.size()) >= options.flush_batch || stopping) return DoFlush();
    if (!flush_armed) {
      flush_armed = true;
      flush_timer.expires_after(std::chrono::milliseconds(options.flush_interval_ms));
      flush_timer.async_wait([self = shared_from_this()](const boost::system::error_code&) {
        self->flush_armed = false;
        self->DoFlush();
      });
    }
  }

  void DoFlush() {
    if (pending.empty()) return;
    std::vector<storage::CheckOutcome> batch;
    batch.swap(pending);
    auto events = std::make_shared<std::vector<CheckEvent>>();
    events->swap(pending_events);
    const int64_t n = static_cast<int64_t>(batch.size());
    ++records_outstanding;
    const auto start = std::chrono::steady_clock::now();
    store.RecordChecksAsync(std::move(batch), [self = shared_from_this(), n, events, start](Result<std::vector<bool>> r) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start).count();
      asio::post(self->io, [self, n, r = std::move(r), events, us] {
        self->OnRecorded(n, r);
        self->Tell(r, *events, us);
      });
    });
  }

  // Hooks hear only of checks that were durably recorded.
  void Tell(const Result<std::vector<bool>>& r, const std::vector<CheckEvent>& events, int64_t us) {
    if (options.on_recorded) {
      options.on_recorded(RecordEvent{static_cast<int64_t>(events.size()), us, r.ok()});
    }
    if (!r.ok() || !options.on_checked) return;
    for (size_t i = 0; i < events.size() && i < r->size(); ++i) {
      if ((*r)[i]) options.on_checked(events[i]);
    }
  }

  void OnRecorded(int64_t n, const Result<std::vector<bool>>& r) {
    --records_outstanding;
    in_flight -= n;
    unrecorded -= n;
    stats_in_flight.store(in_flight);
    if (!r.ok()) {
      // The leases expire and the links come due again: nothing is lost.
      spdlog::error("recording {} checks: {}", n, r.status().ToString());
    } else {
      const TimeMs now = clock.Now();
      for (bool applied : *r) {
        if (applied) {
          recorded_times.push_back(now);
          stats_recorded.fetch_add(1);
        } else {
          stats_lost.fetch_add(1);
        }
      }
      UpdateThroughput(now);
    }
    if (stopping) return MaybeFinishStop();
    DoPoll();
  }

  void UpdateThroughput(TimeMs now) {
    while (!recorded_times.empty() && recorded_times.front() < now - kThroughputWindowMs) {
      recorded_times.pop_front();
    }
    stats_per_minute.store(static_cast<double>(recorded_times.size()));
  }

  void MaybeFinishStop() {
    if (in_flight > 0 || records_outstanding > 0 || leasing || !on_stopped) return;
    auto done = std::move(on_stopped);
    on_stopped = nullptr;
    done();
    stop_guard.reset();
    stop_timer.cancel();
  }

  asio::io_context& io;
  asio::steady_timer poll_timer;
  asio::steady_timer flush_timer;
  asio::steady_timer stop_timer;  // bounds the wait for the writer at a stop
  Executor workers;
  storage::Store& store;
  crawler::Fetcher& fetcher;
  const PageJudge* judge;  // null: pages are not judged
  SchedulerOptions options;
  const Clock& clock;
  const int quota = HostQuota(options);  // links of one host in the fetcher at most; 0: any

  // io-thread state
  bool started = false;
  bool stopping = false;
  bool leasing = false;
  bool flush_armed = false;
  int64_t in_flight = 0;   // leased and not yet recorded
  int64_t fetching = 0;    // on the fetcher (wire or politeness queue)
  int64_t unrecorded = 0;  // fetched, waiting for the worker or the writer
  int records_outstanding = 0;
  std::vector<storage::CheckOutcome> pending;
  std::vector<CheckEvent> pending_events;  // pending's events, index for index
  std::deque<TimeMs> recorded_times;
  std::unordered_map<std::string, int> host_fetching;       // links on the fetcher, by host
  std::unordered_map<std::string, HostLine> host_lines;  // by host
  std::function<void()> on_stopped;
  // From Stop until on_stopped ran: a lease or a record still with the writer
  // posts back to the io thread, which must not have run out of work by then
  // (the records' events would not reach the notifier).
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> stop_guard;

  // read by Stats() from any thread
  std::atomic<int64_t> stats_in_flight{0};
  std::atomic<int64_t> stats_recorded{0};
  std::atomic<int64_t> stats_lost{0};
  std::atomic<int64_t> stats_cut_short{0};
  std::atomic<int64_t> stats_postponed{0};
  std::atomic<double> stats_per_minute{0};
  JudgeCounters judge_counters;
};

Scheduler::Scheduler(asio::io_context& io, Executor workers, storage::Store& store,
                     crawler::Fetcher& fetcher, const PageJudge* judge, SchedulerOptions options,
                     const Clock& clock)
    : impl_(std::make_shared<Impl>(io, std::move(workers), store, fetcher, judge,
                                   std::move(options), clock)) {}

Scheduler::~Scheduler() = default;

void Scheduler::ReleaseStaleLeases() {
  auto released = impl_->store.ReleaseAllLeases();
  if (!released.ok()) {
    spdlog::error("releasing stale leases: {}", released.status().ToString());
  } else if (*released > 0) {
    spdlog::info("{} checks left unfinished by the previous run are due again", *released);
  }
}

void Scheduler::Start() {
  ReleaseStaleLeases();
  impl_->started = true;
  impl_->DoPoll();
}

void Scheduler::Stop(std::function<void()> done) {
  impl_->stopping = true;
  impl_->on_stopped = std::move(done);
  impl_->stop_guard.emplace(impl_->io.get_executor());
  // A writer that never answers must not keep the daemon from exiting: what it
  // has not committed is redone at the next start (the leases are released).
  impl_->stop_timer.expires_after(std::chrono::seconds(30));
  impl_->stop_timer.async_wait([impl = impl_](const boost::system::error_code& ec) {
    if (ec || !impl->stop_guard) return;
    spdlog::warn("stopping: storage has not answered for 30 s; exiting without waiting further");
    impl->stop_guard.reset();
  });
  impl_->poll_timer.cancel();
  impl_->DoFlush();
  impl_->MaybeFinishStop();
}

void Scheduler::Wake() {
  asio::post(impl_->io, [impl = impl_] {
    // Never started (schedule.enabled = false): a rescan only marks links due.
    if (!impl->started) return;
    impl->poll_timer.cancel();
    impl->DoPoll();
  });
}

SchedulerStats Scheduler::Stats() const {
  const JudgeCounters& j = impl_->judge_counters;
  SchedulerStats s;
  s.in_flight = impl_->stats_in_flight.load();
  s.checks_recorded = impl_->stats_recorded.load();
  s.leases_lost = impl_->stats_lost.load();
  s.fetches_cut_short = impl_->stats_cut_short.load();
  s.links_postponed = impl_->stats_postponed.load();
  s.checks_per_minute = impl_->stats_per_minute.load();
  s.pages_matched = j.matched.load();
  s.pages_carried_over = j.carried_over.load();
  s.pages_flagged = j.flagged.load();
  s.extract_ms = j.extract_us.load() / 1000;
  s.match_ms = j.match_us.load() / 1000;
  return s;
}

}  // namespace linkwatch::daemon
