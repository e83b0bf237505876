#include "linkwatch/matcher/rule_set.h"

#include <algorithm>

#include "linkwatch/base/sha256.h"
#include "normalize_internal.h"
#include "rule_set_state.h"

namespace linkwatch::matcher {

std::string LoadError::ToString() const {
  // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, a false
  // positive) on "literal" + std::to_string(...) here.
  std::string out;
  if (!file.empty()) {
    out.append(file);
    if (line > 0) out.append(":").append(std::to_string(line));
    out.append(": ");
  }
  if (!rule_id.empty()) out.append("rule \"").append(rule_id).append("\": ");
  return out.append(message);
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Load(const std::vector<std::string>& paths,
                                                     const LoadOptions& options,
                                                     std::vector<LoadError>* errors) {
  std::vector<LoadError> found;
  auto state = internal::LoadState(paths, options, &found);
  if (errors) *errors = found;
  if (state) return std::shared_ptr<const RuleSet>(new RuleSet(std::move(state)));
  std::string message;
  bool only_io = true;
  for (const auto& e : found) {
    if (!message.empty()) message.push_back('\n');
    message.append(e.ToString());
    only_io = only_io && e.line == 0 && !e.file.empty();
  }
  return only_io ? Status::IOError(message) : Status::InvalidArgument(message);
}

RuleSet::RuleSet(std::unique_ptr<internal::RuleSetState> state) : state_(std::move(state)) {}
RuleSet::~RuleSet() = default;

const std::string& RuleSet::version() const { return state_->version; }
const std::vector<Rule>& RuleSet::rules() const { return state_->rules; }
const std::vector<HashEntry>& RuleSet::hash_entries() const { return state_->hashes; }
const LoadOptions& RuleSet::options() const { return state_->options; }
uint64_t RuleSet::set_fallbacks() const { return state_->set_fallbacks.load(); }

namespace {
// Normalized text is kept in a per-thread buffer that Match() reuses: a fresh
// string per page costs more in allocation, zero-filling and page faults than
// normalizing does. A buffer grown past this by a huge page is given back.
constexpr size_t kMaxKeptScratch = size_t{16} << 20;
}  // namespace

MatchResult RuleSet::Match(std::string_view text, std::optional<std::string_view> raw_body) const {
  thread_local std::string scratch;
  const std::string_view normalized =
      internal::NormalizeInto(text, state_->options.normalize, &scratch);
  MatchResult result = state_->Match(text, normalized, raw_body);
  if (scratch.size() > kMaxKeptScratch) std::string().swap(scratch);
  return result;
}

namespace internal {

MatchResult RuleSetState::Match(std::string_view text, std::string_view normalized,
                                std::optional<std::string_view> raw_body) const {
  MatchResult result;
  const std::vector<int> hits = SetHits(normalized);
  if (!hits.empty()) EvaluateRules(text, normalized, hits, &result);
  CheckHashes(normalized, raw_body, &result);
  result.flagged = !result.hits.empty() || !result.hash_hits.empty();
  return result;
}

std::vector<int> RuleSetState::SetHits(std::string_view normalized) const {
  std::vector<int> hits;
  if (!set) return hits;
  RE2::Set::ErrorInfo info{RE2::Set::kNoError};
  if (!set->Match(normalized, &hits, &info) && info.kind != RE2::Set::kNoError) {
    // The DFA gave up (out of memory); the patterns alone give the same answer.
    set_fallbacks.fetch_add(1, std::memory_order_relaxed);
    hits.clear();
    for (size_t i = 0; i < regexps.size(); ++i) {
      if (RE2::PartialMatch(normalized, *regexps[i])) hits.push_back(static_cast<int>(i));
    }
  }
  std::sort(hits.begin(), hits.end());
  return hits;
}

void RuleSetState::EvaluateRules(std::string_view original, std::string_view normalized,
                                 const std::vector<int>& hits, MatchResult* result) const {
  std::vector<std::vector<int>> hit_patterns;  // set indices, per entry of result->hits
  for (size_t i = 0; i < hits.size();) {
    const uint32_t r = entries[hits[i]].rule;
    std::vector<int> found;
    bool excluded = false;
    for (; i < hits.size() && entries[hits[i]].rule == r; ++i) {
      if (entries[hits[i]].exclude)
        excluded = true;
      else
        found.push_back(hits[i]);
    }
    if (excluded || static_cast<int>(found.size()) < rules[r].min_hits) continue;
    const Rule& rule = rules[r];
    result->hits.push_back(
        {rule.id, rule.category, rule.severity, rule.legal_basis, rule.description, {}});
    hit_patterns.push_back(std::move(found));
  }
  AddExcerpts(original, normalized, hit_patterns, result);
  std::stable_sort(result->hits.begin(), result->hits.end(), [](const auto& a, const auto& b) {
    return a.severity > b.severity;  // ids are already in order
  });
}

void RuleSetState::AddExcerpts(std::string_view original, std::string_view normalized,
                               const std::vector<std::vector<int>>& patterns,
                               MatchResult* result) const {
  std::vector<Span> spans;
  std::vector<std::pair<size_t, int>> owners;  // (hit, set index) of each span
  for (size_t h = 0; h < patterns.size(); ++h) {
    for (int idx : patterns[h]) {
      re2::StringPiece m;
      if (!regexps[idx]->Match(normalized, 0, normalized.size(), RE2::UNANCHORED, &m, 1)) continue;
      const auto begin = static_cast<size_t>(m.data() - normalized.data());
      spans.push_back({begin, begin + m.size()});
      owners.emplace_back(h, idx);
    }
  }
  const std::vector<Span> found = MapToOriginal(original, options.normalize, spans);
  for (size_t s = 0; s < found.size(); ++s) {
    const Span wide = WidenSpan(original, found[s], options.excerpt_chars);
    Excerpt e;
    e.pattern_index = static_cast<int>(entries[owners[s].second].pattern);
    e.text = CleanForDisplay(original.substr(wide.begin, wide.end - wide.begin));
    e.matched = CleanForDisplay(original.substr(found[s].begin, found[s].end - found[s].begin));
    e.offset = found[s].begin;
    result->hits[owners[s].first].excerpts.push_back(std::move(e));
  }
}

void RuleSetState::CheckHashes(std::string_view normalized,
                               std::optional<std::string_view> raw_body,
                               MatchResult* result) const {
  if (hash_index.empty()) return;
  auto check = [&](std::string_view data, HashHit::Kind kind) {
    const auto it = hash_index.find(Sha256Hex(data));
    if (it == hash_index.end()) return;
    const HashEntry& e = hashes[it->second];
    result->hash_hits.push_back({kind, e.sha256, e.category, e.legal_basis, e.label});
  };
  check(normalized, HashHit::Kind::kNormalizedText);
  if (raw_body) check(*raw_body, HashHit::Kind::kRawBody);
}

namespace {

// Netstring-style fields, so that no content can imitate a separator.
void AddField(std::string* out, std::string_view value) {
  *out += std::to_string(value.size()) + ":" + std::string(value) + ",";
}

void AddList(std::string* out, const std::vector<std::string>& items) {
  AddField(out, std::to_string(items.size()));
  for (const auto& item : items) AddField(out, item);
}

}  // namespace

std::string ComputeVersion(const RuleSetState& state) {
  std::string canon = "linkwatch-ruleset/1\n";
  AddField(&canon, state.options.normalize.map_confusables ? "confusables" : "plain");
  for (const Rule& r : state.rules) {  // sorted by id
    AddField(&canon, "rule");
    for (const auto& f : {r.id, r.category, std::to_string(r.severity), r.description,
                          r.legal_basis, std::to_string(r.min_hits)}) {
      AddField(&canon, f);
    }
    AddList(&canon, r.patterns);
    AddList(&canon, r.exclude);
  }
  for (const HashEntry& h : state.hashes) {  // sorted by digest
    AddField(&canon, "hash");
    for (const auto& f : {h.sha256, h.category, h.legal_basis, h.label}) AddField(&canon, f);
  }
  return Sha256Hex(canon);
}

}  // namespace internal
}  // namespace linkwatch::matcher
