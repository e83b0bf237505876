// Discovery of new copies: outlinks of flagged pages, within a scope, are
// fetched at low priority; those that carry known content (rules) or the same
// text as a known cluster become discovered links pending review.
//
// Offer() may be called from any thread (it runs on the workers). The fetch
// loop lives on the io_context thread, like the scheduler's; Stats() any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "linkwatch/base/time.h"
#include "linkwatch/crawler/fetcher.h"
#include "linkwatch/crawler/url.h"
#include "linkwatch/daemon/config.h"
#include "linkwatch/daemon/events.h"
#include "linkwatch/daemon/rules.h"
#include "linkwatch/storage/store.h"

namespace boost::asio {
class io_context;
}

namespace linkwatch::daemon {

struct DiscoveryStats {
  int64_t offered = 0;     // outlinks queued as candidates
  int64_t fetched = 0;     // candidates fetched
  int64_t discovered = 0;  // became discovered links
  int64_t in_flight = 0;
};

// How long a candidate that was not discovered waits before an offer may
// queue it again: `remember_s`, but at most an hour when its fetch failed for
// a reason that may pass (no answer, 5xx, 429), so that a mirror down for a
// moment is not forgotten for a week.
inline constexpr int64_t kFailedCandidateRetryS = 3600;
int64_t CandidateRememberMs(const crawler::FetchResult& fetch, const DiscoveryConfig& config);

class Discoverer {
 public:
  using Executor = std::function<void(std::function<void()>)>;

  // Everything passed must outlive the Discoverer.
  Discoverer(boost::asio::io_context& io, Executor workers, storage::Store& store,
             crawler::Fetcher& fetcher, const PageJudge& judge, DiscoveryConfig config,
             crawler::CanonOptions canon, const Clock& clock = SystemClock::Instance());
  ~Discoverer();
  Discoverer(const Discoverer&) = delete;
  Discoverer& operator=(const Discoverer&) = delete;

  // The outlinks of flagged page `found_from`: canonicalized, de-duplicated,
  // marked allow-listed, offered to storage (which applies scope, depth, the
  // daily budget and max_per_page to the links in scope). Any thread.
  void Offer(int64_t found_from, std::vector<std::string> outlinks);

  // Called (on a worker) after a link was discovered and recorded. Before Start.
  void SetOnDiscovered(std::function<void(const DiscoveryEvent&)> fn);
  void Start();                           // io thread
  void Stop(std::function<void()> done);  // io thread; `done` once no fetch is outstanding
  DiscoveryStats Stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace linkwatch::daemon
