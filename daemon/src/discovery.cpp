#include "linkwatch/daemon/discovery.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <algorithm>
#include <set>

#include "lease_loop.h"
#include "linkwatch/base/host_pattern.h"

namespace linkwatch::daemon {
namespace {

namespace asio = boost::asio;
// A candidate fetch not recorded by then is fetched again (after a crash).
constexpr int64_t kCandidateLeaseMs = 10 * 60 * 1000;

bool AllowListed(const std::vector<std::string>& patterns, const std::string& host) {
  for (const auto& p : patterns) {
    if (HostPatternMatches(p, host)) return true;
  }
  return false;
}

}  // namespace

int64_t CandidateRememberMs(const crawler::FetchResult& fetch, const DiscoveryConfig& config) {
  const bool transient = fetch.error != crawler::FetchError::kNone || fetch.http_status >= 500 ||
                         fetch.http_status == 429;
  const int64_t seconds = transient ? std::min(config.remember_s, kFailedCandidateRetryS) : config.remember_s;
  return seconds * 1000;
}

struct Discoverer::Impl : std::enable_shared_from_this<Discoverer::Impl> {
  Impl(asio::io_context& io, Executor workers, storage::Store& store, crawler::Fetcher& fetcher,
       const PageJudge& judge, DiscoveryConfig config, crawler::CanonOptions canon, const Clock& clock)
      : io(io), workers(std::move(workers)), store(store), fetcher(fetcher), judge(judge),
        config(std::move(config)), canon(std::move(canon)), clock(clock),
        loop(io, this->workers, this->config.poll_interval_ms, "discovery candidates") {}

  std::vector<storage::CandidateOffer> OffersFrom(const std::vector<std::string>& outlinks) const {
    std::vector<storage::CandidateOffer> offers;
    std::set<std::string> seen;
    for (const auto& url : outlinks) {  // as many as the page has (ExtractOptions caps them)
      auto c = crawler::Canonicalize(url, {}, canon);
      if (!c.ok() || !seen.insert(c->key).second) continue;
      offers.push_back({c->key, c->href, c->host, AllowListed(config.allow_hosts, c->host)});
    }
    return offers;
  }

  void Offer(int64_t found_from, const std::vector<std::string>& outlinks) {
    auto offers = OffersFrom(outlinks);
    if (offers.empty()) return;
    storage::OfferLimits limits{config.max_depth, config.max_per_day, config.max_per_page};
    auto queued = store.OfferCandidates(found_from, std::move(offers), limits, clock.Now());
    if (!queued.ok()) {
      spdlog::warn("offering outlinks of link {}: {}", found_from, queued.status().ToString());
      return;
    }
    if (*queued == 0) return;
    offered.fetch_add(*queued);
    asio::post(io, [self = shared_from_this()] { self->Poll(); });
  }

  // -- the fetch loop (io thread): LeaseLoop's hooks
  bool Stopping() const { return stopping; }
  int Room() const { return config.max_in_flight - static_cast<int>(running); }
  Result<std::vector<storage::DueCandidate>> Lease(int n) {  // on a worker
    return store.LeaseCandidates(clock.Now(), n, kCandidateLeaseMs);
  }
  void Start(storage::DueCandidate c) { DoFetch(std::move(c)); }
  void LeaseEnded() { MaybeStopped(); }
  void Poll() { loop.Poll(shared_from_this()); }

  void DoFetch(storage::DueCandidate c) {
    ++running;
    stats_in_flight.store(running);
    crawler::FetchRequest request{c.url, {}, {}};  // before `c` moves into the callback
    fetcher.Fetch(std::move(request), [self = shared_from_this(), c = std::move(c)](crawler::FetchResult r) mutable {
      asio::post(self->io, [self, c = std::move(c), r = std::move(r)]() mutable {
        self->OnFetched(std::move(c), std::move(r));
      });
    });
  }

  void OnFetched(storage::DueCandidate c, crawler::FetchResult r) {
    if (stopping) {
      --running;
      stats_in_flight.store(running);
      return MaybeStopped();
    }
    workers([self = shared_from_this(), c = std::move(c), r = std::move(r)] {
      self->Judge(c, r);
      asio::post(self->io, [self] {
        --self->running;
        self->stats_in_flight.store(self->running);
        if (self->stopping) return self->MaybeStopped();
        self->Poll();
      });
    });
  }

  // On a worker: what the page is, recorded.
  void Judge(const storage::DueCandidate& c, const crawler::FetchResult& r) {
    const CandidateJudgement j = judge.JudgeCandidate(r);
    fetched.fetch_add(1);
    spdlog::debug("candidate {} from link {}: HTTP {} {} {}, {}", c.url, c.found_from, r.http_status,
                  crawler::FetchErrorName(r.error), r.error_text, j.discovered ? j.reason : "nothing known");
    storage::CandidateVerdict v;
    v.key = c.key;
    v.discovered = j.discovered;
    v.reason = j.reason;
    v.category = j.category;
    v.checked_at = clock.Now();
    v.remember_ms = CandidateRememberMs(r, config);
    auto ids = store.RecordCandidates({v});
    if (!ids.ok()) {
      spdlog::error("recording candidate {}: {}", c.url, ids.status().ToString());
      return;
    }
    if (ids->at(0) > 0) {
      discovered.fetch_add(1);
      spdlog::info("discovered link {} ({}) from link {}: {}", ids->at(0), c.url, c.found_from, j.reason);
      // The canonical URL, as every other event of the link names it.
      if (on_discovered) on_discovered(DiscoveryEvent{ids->at(0), c.key, c.found_from, j.reason});
    }
  }

  void MaybeStopped() {
    if (running > 0 || loop.leasing() || !on_stopped) return;
    auto done = std::move(on_stopped);
    on_stopped = nullptr;
    done();
  }

  asio::io_context& io;
  Executor workers;
  storage::Store& store;
  crawler::Fetcher& fetcher;
  const PageJudge& judge;
  const DiscoveryConfig config;
  const crawler::CanonOptions canon;
  const Clock& clock;
  std::function<void(const DiscoveryEvent&)> on_discovered;  // set before Start
  LeaseLoop<Impl, storage::DueCandidate> loop;

  // io-thread state
  bool stopping = false;
  int64_t running = 0;
  std::function<void()> on_stopped;

  std::atomic<int64_t> offered{0}, fetched{0}, discovered{0}, stats_in_flight{0};
};

Discoverer::Discoverer(asio::io_context& io, Executor workers, storage::Store& store,
                       crawler::Fetcher& fetcher, const PageJudge& judge, DiscoveryConfig config,
                       crawler::CanonOptions canon, const Clock& clock)
    : impl_(std::make_shared<Impl>(io, std::move(workers), store, fetcher, judge, std::move(config),
                                   std::move(canon), clock)) {}

Discoverer::~Discoverer() = default;

void Discoverer::Offer(int64_t found_from, std::vector<std::string> outlinks) {
  if (!impl_->config.enabled || outlinks.empty()) return;
  impl_->workers([impl = impl_, found_from, outlinks = std::move(outlinks)] {
    impl->Offer(found_from, outlinks);
  });
}

void Discoverer::SetOnDiscovered(std::function<void(const DiscoveryEvent&)> fn) {
  impl_->on_discovered = std::move(fn);
}

void Discoverer::Start() {
  if (impl_->config.enabled) impl_->Poll();
}

void Discoverer::Stop(std::function<void()> done) {
  impl_->stopping = true;
  impl_->on_stopped = std::move(done);
  impl_->loop.Cancel();
  impl_->MaybeStopped();
}

DiscoveryStats Discoverer::Stats() const {
  return {impl_->offered.load(), impl_->fetched.load(), impl_->discovered.load(),
          impl_->stats_in_flight.load()};
}

}  // namespace linkwatch::daemon
