// The daemon's current rule set, and what one fetched page means under it.
//
// RuleSource is thread-safe: Current() may be called from any thread while
// Reload() builds a new set; a reload that fails leaves the running set in
// place. Judge() is a pure function (thread-safe).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "linkwatch/base/status.h"
#include "linkwatch/base/time.h"
#include "linkwatch/crawler/fetcher.h"
#include "linkwatch/crawler/page.h"
#include "linkwatch/daemon/clusters.h"
#include "linkwatch/daemon/config.h"
#include "linkwatch/matcher/rule_set.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::daemon {

// The matcher's load options from the config: [rules] and the registry's
// extra categories.
matcher::LoadOptions LoadOptionsFrom(const Config& config);

class RuleSource {
 public:
  RuleSource(std::vector<std::string> paths, matcher::LoadOptions options);

  // Loads every file anew. On success the new set becomes current and is
  // returned; on failure the current set stays, `errors` (when not null) lists
  // each problem, and the status's message lists them one per line.
  Result<std::shared_ptr<const matcher::RuleSet>> Reload(
      std::vector<matcher::LoadError>* errors = nullptr);

  // The set in force: the empty set until a Reload succeeds. Never null.
  std::shared_ptr<const matcher::RuleSet> Current() const;
  const std::vector<std::string>& paths() const { return paths_; }
  TimeMs loaded_at() const;

 private:
  const std::vector<std::string> paths_;
  const matcher::LoadOptions options_;
  std::mutex reload_mu_;  // one Reload at a time
  mutable std::mutex mu_;
  std::shared_ptr<const matcher::RuleSet> current_;  // guarded by mu_
  TimeMs loaded_at_ = 0;                             // guarded by mu_
};

// Logs what a reload asked for by `cause` ("at start", "on SIGHUP", "by
// agency X (token N)") came to: the new set's size and version, or each
// error and that the running set stays in force.
void LogReload(std::string_view cause, const Result<std::shared_ptr<const matcher::RuleSet>>& loaded,
               const std::vector<matcher::LoadError>& errors, const matcher::RuleSet& running);

// What one reload came to: the new set or why it was refused, the version in
// force before, and whether recording it in the audit log failed.
struct ReloadOutcome {
  Result<std::shared_ptr<const matcher::RuleSet>> loaded;
  std::vector<matcher::LoadError> errors;
  std::string previous;  // version of the set in force before
  Status audited;        // Ok, or why the audit row could not be written
};

// Loads the rules again for `actor` (the caller, or the daemon itself: token 0,
// agency "linkwatchd", for a SIGHUP), logs it as LogReload with `cause`, and
// records it, accepted or refused, in the audit log as "rules.reload" (target
// "rules"; detail ok, previous version, and the new version and rule count or
// the number of errors). A reload refused because another one runs
// (kUnavailable) tried nothing and is not audited.
ReloadOutcome ReloadAndAudit(RuleSource& rules, storage::Store& store, const storage::Actor& actor,
                             std::string_view cause);

// Why a page that answers 2xx counts as removed: it carried flagged content
// once and no longer does.
inline constexpr char kContentRemovedReason[] = "content removed: no rule matches the page any more";

// The rule judgement of one fetch of `due`, with its evidence.
struct Judgement {
  bool judged = false;        // false: no usable body (error, non-2xx, 304)
  bool carried_over = false;  // body and rule set unchanged: the last judgement stands
  bool page_read = false;     // the body was parsed (judged and not carried over, unless nothing
                              // would read the page: see Judge)
  bool flagged = false;
  std::string matches;        // JSON (matcher/match_json.h)
  std::string matched_ids;    // JSON array of rule ids
  std::string rules_version;
  std::optional<storage::EvidenceSnapshot> evidence;  // first flagged, or flagged content changed
  // Counters when the page was read; for a flagged page also its fingerprint,
  // SimHash and cluster (assigned in `clusters` when one is given).
  storage::CheckReach reach;
  std::vector<std::string> outlinks;  // a flagged page's outlinks, for discovery
  int64_t extract_us = 0, match_us = 0;  // time spent (0 when carried over)
};

// Judges `fetch` of `due` with `rules`. A 304, or a body whose SHA-256
// (`content_hash`, hex) equals the last judged one, under the same rule set,
// carries the last judgement over without extracting or matching; another
// 2xx body is extracted and matched; anything else judges nothing. The
// extraction is skipped when nothing would read the page - a rule set with no
// rules and no hash entries, a link that was not discovered, and a body
// crawler::MayCarryCounters() rules out - and the judgement is then the one an
// empty page gives: not flagged, counters seen and all unknown.
Judgement Judge(const storage::DueLink& due, const crawler::FetchResult& fetch,
                const std::string& content_hash, const matcher::RuleSet& rules,
                const crawler::ExtractOptions& extract = {}, ClusterIndex* clusters = nullptr);

// What a discovery candidate's fetch showed: flagged by the rules, or the
// same (or near-same) content as a known cluster. Does not index the page.
struct CandidateJudgement {
  bool fetched = false;   // a 2xx page was read
  bool discovered = false;
  std::string reason;     // "rules: cd-001, cd-002" or "cluster: <key>"
  std::string category;   // of the highest-severity hit ("" for a cluster match)
};
CandidateJudgement JudgeCandidate(const crawler::FetchResult& fetch, const matcher::RuleSet& rules,
                                  const crawler::ExtractOptions& extract,
                                  const ClusterIndex* clusters);

// The rules, clusters and extraction options the daemon judges pages with.
// Thread-safe (its parts are).
class PageJudge {
 public:
  // `rules` and `clusters` (may be null: no clusters) must outlive it.
  PageJudge(const RuleSource& rules, ClusterIndex* clusters, crawler::ExtractOptions extract)
      : rules_(rules), clusters_(clusters), extract_(std::move(extract)) {}
  const RuleSource& rules() const { return rules_; }
  Judgement Judge(const storage::DueLink& due, const crawler::FetchResult& fetch,
                  const std::string& content_hash) const {
    return daemon::Judge(due, fetch, content_hash, *rules_.Current(), extract_, clusters_);
  }
  CandidateJudgement JudgeCandidate(const crawler::FetchResult& fetch) const {
    return daemon::JudgeCandidate(fetch, *rules_.Current(), extract_, clusters_);
  }
  // Whether the rules in force flag a stored body (a link's newest evidence).
  bool FlagsBody(const std::string& body, const std::string& url) const;

 private:
  const RuleSource& rules_;
  ClusterIndex* clusters_;
  const crawler::ExtractOptions extract_;
};

// The status a judged page implies: "removed" when a page that was flagged
// before is not flagged now, else `observed` unchanged. Sets *reason then
// (also when `observed` is "removed" already: a 304 of such a page).
// `body_sha256` is the digest of the page judged (the last one on a 304): when it
// is the body of the link's newest evidence, the content is still there and a
// rule set that no longer flags it has changed, not the page: alive. So too
// when `evidence_flagged` is false: the rules in force no longer flag the
// newest evidence itself (PageJudge::FlagsBody), so it is not the page that
// changed (a view counter or a token differs in every fetch of most pages).
std::string ApplyJudgement(const storage::DueLink& due, const Judgement& j,
                           const std::string& body_sha256, bool evidence_flagged,
                           const std::string& observed, std::string* reason);

// A response's headers as a JSON array [[name, value], ...] (capped).
std::string HeadersJson(const crawler::FetchResult& fetch);

}  // namespace linkwatch::daemon
