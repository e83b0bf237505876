// The HTTP API's semantics, independent of the transport: routing, bearer
// token authentication, roles, validation and JSON. docs/API.md is the contract.
//
// Api is thread-safe: Handle() may be called concurrently from any thread.
// Work runs on the executor given at construction (never on the caller's
// thread), registrations complete on the store's writer thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "linkwatch/crawler/fetcher.h"
#include "linkwatch/crawler/url.h"
#include "linkwatch/daemon/rules.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::daemon {

struct ApiRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // path and query, e.g. "/v1/links?status=alive"
  std::string authorization;  // the Authorization header, may be empty
  std::string body;
};

struct ApiResponse {
  ApiResponse(int status = 200, std::string body = {}, std::string content_type = "application/json")
      : status(status), body(std::move(body)), content_type(std::move(content_type)) {}

  int status = 200;
  std::string body;  // JSON text, unless content_type says otherwise
  std::string content_type = "application/json";
  std::string allow;  // 405: the methods the path takes ("GET, HEAD")
};

// What the crawl loop reports for GET /v1/status.
struct CrawlStats {
  int64_t in_flight = 0;        // links leased and not yet recorded
  int64_t fetch_running = 0;    // transfers on the wire
  int64_t fetch_queued = 0;     // transfers waiting for a politeness slot
  int64_t checks_recorded = 0;  // since the daemon started
  int64_t leases_lost = 0;
  double checks_per_minute = 0;
  int64_t links_postponed = 0;  // given back to wait for their busy host, since start
  int64_t pages_matched = 0;       // bodies extracted and matched
  int64_t pages_carried_over = 0;  // unchanged bodies: the last judgement stands
  int64_t pages_flagged = 0;
  int64_t candidates_offered = 0;  // outlinks of flagged pages queued for discovery
  int64_t candidates_fetched = 0;
  int64_t discovered = 0;          // candidates that became discovered links
};

// Ties to the rest of the daemon; each may be empty (tests, API-only runs).
struct ApiHooks {
  std::function<void()> wake_scheduler;   // links became due now
  std::function<CrawlStats()> crawl_stats;
  // The rule set in force and its reload (GET /v1/rules, POST /v1/rules/...);
  // without `rules` those endpoints answer 503.
  RuleSource* rules = nullptr;
  // Fetches one URL for POST /v1/rules/test; `done` may run on any thread.
  std::function<void(crawler::FetchRequest, crawler::Fetcher::Callback done)> fetch;
  // The Prometheus text for GET /metrics (no token needed); without it, 503.
  std::function<std::string()> metrics;
};

struct ApiOptions {
  int max_batch_items = 10000;
  std::vector<std::string> categories = {"extremist", "terrorist"};
  crawler::CanonOptions canon;
  ApiHooks hooks;
};

// Limits on the fields of a submission (docs/API.md).
inline constexpr size_t kMaxBasisChars = 500;
inline constexpr size_t kMaxNoteChars = 2000;
inline constexpr int kMaxListLimit = 1000;
inline constexpr int kDefaultHistoryLimit = 100;

class Api {
 public:
  using Done = std::function<void(ApiResponse)>;
  using Executor = std::function<void(std::function<void()>)>;

  // `store` must outlive the Api. `run` schedules work on worker threads.
  Api(ApiOptions options, storage::Store& store, Executor run);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Answers `request`; `done` is called exactly once, on a worker or writer thread.
  void Handle(ApiRequest request, Done done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace linkwatch::daemon
