#include "linkwatch/daemon/rules.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "linkwatch/base/zstd.h"
#include "linkwatch/matcher/match_json.h"
#include "linkwatch/matcher/normalize.h"
#include "linkwatch/matcher/simhash.h"

namespace linkwatch::daemon {
namespace {

using nlohmann::json;
constexpr size_t kMaxHeaderJsonBytes = 128 * 1024;  // below storage's cap on evidence headers

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// The rule ids of a stored matches array (for a carried-over judgement).
std::string IdsOf(const std::string& matches) {
  json ids = json::array();
  const json parsed = json::parse(matches.empty() ? "[]" : matches, nullptr, false);
  if (parsed.is_array()) {
    for (const auto& m : parsed) {
      if (m.contains("rule_id") && m["rule_id"].is_string()) {
        ids.push_back(m["rule_id"]);
      } else if (m.contains("sha256") && m["sha256"].is_string()) {
        ids.push_back("hash:" + m["sha256"].get<std::string>());
      }
    }
  }
  return ids.dump();
}

storage::CheckReach ReachOf(const crawler::Page& page) {
  using crawler::CounterKind;
  storage::CheckReach r;
  r.counters_seen = true;
  r.views = crawler::BestCount(page.counters, CounterKind::kViews);
  r.shares = crawler::BestCount(page.counters, CounterKind::kShares);
  r.likes = crawler::BestCount(page.counters, CounterKind::kLikes);
  r.comments = crawler::BestCount(page.counters, CounterKind::kComments);
  return r;
}

// The normalized main text that names a page's content ("" when it has none).
std::string IdentityText(const crawler::Page& page, const matcher::RuleSet& rules) {
  return matcher::Normalize(page.main_text.empty() ? page.text : page.main_text,
                            rules.options().normalize);
}

void SetIdentity(const crawler::Page& page, const matcher::RuleSet& rules, ClusterIndex* clusters,
                 storage::CheckReach& r) {
  const std::string text = IdentityText(page, rules);
  if (text.empty()) return;
  r.fingerprint = matcher::Fingerprint(text);
  r.simhash = matcher::SimHash(text);
  r.cluster_key = clusters != nullptr ? clusters->Assign(r.fingerprint, *r.simhash) : r.fingerprint;
}

std::string_view PageUrl(const crawler::FetchResult& fetch) {
  return fetch.final_url.empty() ? fetch.url : fetch.final_url;
}

std::string HitReason(const matcher::MatchResult& result) {
  std::string ids;
  for (const auto& hit : result.hits) ids += (ids.empty() ? "" : ", ") + hit.rule_id;
  for (const auto& hit : result.hash_hits) ids += (ids.empty() ? "" : ", ") + ("hash " + hit.sha256.substr(0, 12));
  return "rules: " + ids;
}

// Whether anything reads the extracted page: the rules' text patterns and
// text digests, a discovered link's cluster identity, and the counters. With
// none of them the body is not parsed; the check then records what a parse
// would have given it: no match and unknown counters.
bool NeedsPage(const storage::DueLink& due, const crawler::FetchResult& fetch,
               const matcher::RuleSet& rules, const crawler::ExtractOptions& extract) {
  if (!rules.rules().empty() || !rules.hash_entries().empty()) return true;
  if (due.origin == "discovered") return true;
  return crawler::MayCarryCounters(fetch.body, fetch.Header("content-type"), PageUrl(fetch), extract);
}

}  // namespace

CandidateJudgement JudgeCandidate(const crawler::FetchResult& fetch, const matcher::RuleSet& rules,
                                  const crawler::ExtractOptions& extract,
                                  const ClusterIndex* clusters) {
  CandidateJudgement c;
  if (fetch.error != crawler::FetchError::kNone || fetch.http_status < 200 || fetch.http_status >= 300) {
    return c;
  }
  c.fetched = true;
  const crawler::Page page = crawler::ExtractPage(
      fetch.body, fetch.Header("content-type"), fetch.final_url.empty() ? fetch.url : fetch.final_url, extract);
  const matcher::MatchResult result = rules.Match(page.MatchText(), fetch.body);
  if (result.flagged) {
    c.discovered = true;
    c.reason = HitReason(result);
    c.category = !result.hits.empty() ? result.hits.front().category : result.hash_hits.front().category;
    return c;
  }
  if (clusters == nullptr) return c;
  const std::string text = IdentityText(page, rules);
  if (text.empty()) return c;
  if (auto key = clusters->Find(matcher::Fingerprint(text), matcher::SimHash(text))) {
    c.discovered = true;
    c.reason = "cluster: " + *key;
  }
  return c;
}

matcher::LoadOptions LoadOptionsFrom(const Config& config) {
  matcher::LoadOptions o;
  for (const auto& c : config.registry.categories) {
    if (c != "extremist" && c != "terrorist") o.extra_categories.push_back(c);
  }
  o.hash_paths = config.rules.hash_lists;
  o.normalize.map_confusables = config.rules.map_confusables;
  o.excerpt_chars = config.rules.excerpt_chars;
  return o;
}

RuleSource::RuleSource(std::vector<std::string> paths, matcher::LoadOptions options)
    : paths_(std::move(paths)), options_(std::move(options)) {
  // The empty set: loading nothing cannot fail.
  auto empty = matcher::RuleSet::Load({}, matcher::LoadOptions{});
  current_ = *empty;
}

Result<std::shared_ptr<const matcher::RuleSet>> RuleSource::Reload(
    std::vector<matcher::LoadError>* errors) {
  // One reload at a time, and no queue of them: each would hold a worker
  // thread for as long as the rule files take to compile.
  std::unique_lock reload(reload_mu_, std::try_to_lock);
  if (!reload.owns_lock()) {
    const std::string message = "a reload of the rules is already running; try again when it has finished";
    if (errors) errors->push_back({"", 0, "", message});
    return Status::Unavailable(message);
  }
  auto loaded = matcher::RuleSet::Load(paths_, options_, errors);
  if (!loaded.ok()) return loaded.status();
  const auto running = Current();
  // A kind of judgement that was in force and would vanish: every page it
  // flagged would read as edited clean, and its link as removed. Most likely
  // a file was emptied, moved or truncated by mistake.
  std::string vanished;
  if (!running->rules().empty() && (*loaded)->rules().empty()) {
    vanished = "no rules (" + std::to_string(running->rules().size()) + " in force)";
  } else if (!running->hash_entries().empty() && (*loaded)->hash_entries().empty()) {
    vanished = "no hash entries (" + std::to_string(running->hash_entries().size()) + " in force)";
  }
  if (!vanished.empty()) {
    std::string message = "the rule files now hold " + vanished + " (";
    for (size_t i = 0; i < paths_.size(); ++i) {
      if (i > 0) message += ", ";
      message += paths_[i];
    }
    for (const auto& h : options_.hash_paths) message += ", " + h;
    message += "); the running set stays: emptying it would unflag every link it flagged";
    if (errors) errors->push_back({"", 0, "", message});
    return Status::InvalidArgument(message);
  }
  std::lock_guard lock(mu_);
  current_ = *loaded;
  loaded_at_ = SystemClock::Instance().Now();
  return current_;
}

void LogReload(std::string_view cause, const Result<std::shared_ptr<const matcher::RuleSet>>& loaded,
               const std::vector<matcher::LoadError>& errors, const matcher::RuleSet& running) {
  if (loaded.ok()) {
    spdlog::info("rules loaded {}: {} rules, {} hash entries, version {}", cause,
                 (*loaded)->rules().size(), (*loaded)->hash_entries().size(),
                 (*loaded)->version().substr(0, 12));
    return;
  }
  std::string list;
  for (const auto& e : errors) list += "\n  " + e.ToString();
  if (errors.empty()) list = " " + loaded.status().message();
  spdlog::error("rule set refused {}, {} {}:{}", cause, errors.size(), errors.size() == 1 ? "error" : "errors",
                list);
  if (!running.rules().empty() || !running.hash_entries().empty()) {
    spdlog::warn("the running rule set ({} rules, version {}) stays in force", running.rules().size(),
                 running.version().substr(0, 12));
  }
}

ReloadOutcome ReloadAndAudit(RuleSource& rules, storage::Store& store, const storage::Actor& actor,
                             std::string_view cause) {
  const auto running = rules.Current();
  std::vector<matcher::LoadError> errors;
  auto loaded = rules.Reload(&errors);
  LogReload(cause, loaded, errors, *running);
  ReloadOutcome out{std::move(loaded), std::move(errors), running->version(), Status::Ok()};
  if (!out.loaded.ok() && out.loaded.status().code() == Status::Code::kUnavailable) return out;
  json detail = {{"ok", out.loaded.ok()}, {"previous", out.previous}};
  if (out.loaded.ok()) {
    detail["version"] = (*out.loaded)->version();
    detail["rules"] = (*out.loaded)->rules().size();
  } else {
    detail["errors"] = out.errors.size();
  }
  out.audited = store.AppendAudit(actor, "rules.reload", "rules", detail.dump());
  return out;
}

std::shared_ptr<const matcher::RuleSet> RuleSource::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

TimeMs RuleSource::loaded_at() const {
  std::lock_guard lock(mu_);
  return loaded_at_;
}

std::string HeadersJson(const crawler::FetchResult& fetch) {
  json out = json::array();
  size_t bytes = 0;
  for (const auto& [name, value] : fetch.headers) {
    bytes += name.size() + value.size() + 8;
    if (bytes > kMaxHeaderJsonBytes) break;
    out.push_back({name, value});
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

Judgement Judge(const storage::DueLink& due, const crawler::FetchResult& fetch,
                const std::string& content_hash, const matcher::RuleSet& rules,
                const crawler::ExtractOptions& extract, ClusterIndex* clusters) {
  Judgement j;
  if (fetch.error != crawler::FetchError::kNone) return j;
  const bool same_rules = !due.rules_version.empty() && rules.version() == due.rules_version;
  // 304: the body the last check judged is still the page.
  const bool unchanged =
      fetch.not_modified || (!content_hash.empty() && content_hash == due.content_hash);
  if (unchanged && same_rules) {
    j.judged = j.carried_over = true;
    j.rules_version = rules.version();
    j.flagged = due.flagged;
    j.matches = due.matches;
    j.matched_ids = IdsOf(due.matches);
    return j;
  }
  if (fetch.not_modified || fetch.http_status < 200 || fetch.http_status >= 300) return j;
  j.judged = true;
  j.rules_version = rules.version();
  auto start = std::chrono::steady_clock::now();
  j.page_read = NeedsPage(due, fetch, rules, extract);
  const crawler::Page page =
      j.page_read ? crawler::ExtractPage(fetch.body, fetch.Header("content-type"), PageUrl(fetch), extract)
                  : crawler::Page{};
  j.extract_us = MicrosSince(start);
  start = std::chrono::steady_clock::now();
  const matcher::MatchResult result = rules.Match(page.MatchText(), fetch.body);
  j.match_us = MicrosSince(start);
  j.flagged = result.flagged;
  j.matches = matcher::MatchesJson(result);
  j.matched_ids = matcher::MatchedIdsJson(result);
  j.reach = ReachOf(page);
  // A discovered link may have joined its cluster by its text alone.
  if (j.flagged || due.origin == "discovered") SetIdentity(page, rules, clusters, j.reach);
  if (j.flagged) {
    for (const auto& link : page.outlinks) j.outlinks.push_back(link.url);
  }
  // Evidence when the link is first flagged and whenever flagged content changes.
  if (j.flagged && (!due.flagged || content_hash != due.content_hash)) {
    storage::EvidenceSnapshot e;
    e.sha256 = content_hash;
    e.body_zstd = ZstdCompress(fetch.body);
    e.body_bytes = static_cast<int64_t>(fetch.body.size());
    e.headers = HeadersJson(fetch);
    e.matches = j.matches;
    j.evidence = std::move(e);
  }
  return j;
}

bool PageJudge::FlagsBody(const std::string& body, const std::string& url) const {
  const auto rules = rules_.Current();
  const crawler::Page page = crawler::ExtractPage(body, "text/html", url, extract_);
  return rules->Match(page.MatchText(), body).flagged;
}

std::string ApplyJudgement(const storage::DueLink& due, const Judgement& j,
                           const std::string& body_sha256, bool evidence_flagged,
                           const std::string& observed, std::string* reason) {
  // A page seen "removed" already, carried over (a 304, or the same body as the
  // check that found the content gone), says why again.
  if (!j.judged || j.flagged || (observed != "alive" && !(observed == "removed" && j.carried_over)) ||
      !due.flagged_at) {
    return observed;
  }
  if (!evidence_flagged || (!body_sha256.empty() && body_sha256 == due.flagged_sha256)) return observed;
  *reason = kContentRemovedReason;
  return "removed";
}

}  // namespace linkwatch::daemon
