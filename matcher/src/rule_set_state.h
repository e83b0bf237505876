// The compiled state behind RuleSet (internal). Immutable once LoadState() has
// built it, except for the fallback counter, which is atomic.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "linkwatch/matcher/rule_set.h"

namespace linkwatch::matcher::internal {

// RE2 options shared by the set and the single patterns, so that both agree.
RE2::Options PatternOptions(int64_t max_mem);

// What one pattern of the combined set belongs to.
struct SetEntry {
  uint32_t rule = 0;     // index into Impl::rules
  uint32_t pattern = 0;  // index into Rule::patterns or Rule::exclude
  bool exclude = false;
};

struct RuleSetState {
  LoadOptions options;
  std::vector<Rule> rules;                             // sorted by id
  std::vector<HashEntry> hashes;                       // sorted by digest
  std::unordered_map<std::string, size_t> hash_index;  // digest -> index into hashes
  // Indexed by set index and grouped by rule, in the order of `rules`.
  std::vector<SetEntry> entries;
  std::vector<std::unique_ptr<RE2>> regexps;  // the normalized patterns, one by one
  std::unique_ptr<RE2::Set> set;              // null when there are no patterns
  std::string version;
  mutable std::atomic<uint64_t> set_fallbacks{0};

  // RuleSet::Match() once `text` is normalized.
  MatchResult Match(std::string_view text, std::string_view normalized,
                    std::optional<std::string_view> raw_body) const;
  // Indices of the set's patterns that occur in normalized text, ascending.
  std::vector<int> SetHits(std::string_view normalized) const;
  void EvaluateRules(std::string_view original, std::string_view normalized,
                     const std::vector<int>& hits, MatchResult* result) const;
  void CheckHashes(std::string_view normalized, std::optional<std::string_view> raw_body,
                   MatchResult* result) const;
  void AddExcerpts(std::string_view original, std::string_view normalized,
                   const std::vector<std::vector<int>>& patterns, MatchResult* result) const;
};

// SHA-256 over the canonical content of the rules and hash entries of `state`.
std::string ComputeVersion(const RuleSetState& state);

// Builds the state from rule files and options.hash_paths; on failure returns
// null and appends every problem to *errors.
std::unique_ptr<RuleSetState> LoadState(const std::vector<std::string>& paths,
                                        const LoadOptions& options, std::vector<LoadError>* errors);

}  // namespace linkwatch::matcher::internal
