// Rule sets: RE2 patterns with a category and the legal basis behind them,
// plus lists of SHA-256 digests of known content, compiled once and shared.
//
// Rule files are TOML (see conf/rules/example.toml):
//
//   [[rule]]
//   id = "cd-001"             # required; unique across all loaded files;
//                             #   letters, digits, '.', '_', '-' (at most 64)
//   category = "extremist"    # required; "extremist", "terrorist" or one of
//                             #   LoadOptions::extra_categories
//   severity = 3              # required; 1..5
//   description = "..."       # required, non-empty
//   legal_basis = "..."       # required, non-empty (court decision reference)
//   patterns = ['...', '...'] # required, non-empty; RE2 syntax, case-insensitive
//   min_hits = 1              # optional (default 1): distinct patterns that must hit
//   exclude = ['...']         # optional: a hit of any of these cancels the rule
//
// Unknown keys are errors (a misspelt "min_hit" must not be silently ignored).
// Patterns match NORMALIZED text (see normalize.h); their literal characters
// are normalized the same way (NormalizePattern). A pattern or exclusion that
// matches the empty text is refused: it would flag (or cancel) every page.
//
// Hash list files (see conf/hashes/example.txt) hold one entry per line:
//
//   <sha256 hex> <category> <legal_basis> [label]
//
// Fields are separated by blanks; a field with blanks is written in double
// quotes (\" and \\ escape inside quotes). '#' starts a comment line; blank
// lines are ignored. A digest is either the SHA-256 of the normalized visible
// text (Sha256Hex(Normalize(text, options.normalize))) or of the raw response
// body; a page is checked against both.
//
// Every file is validated; all errors are collected, and a set with any error
// is refused as a whole. Each error reads "FILE:LINE: message", with
// `rule "ID": ` after the location where a rule is concerned.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/base/status.h"
#include "linkwatch/matcher/normalize.h"

namespace linkwatch::matcher {

namespace internal {
struct RuleSetState;
}

// Severity bounds of a rule.
inline constexpr int kMinSeverity = 1;
inline constexpr int kMaxSeverity = 5;

struct LoadOptions {
  // Categories allowed besides "extremist" and "terrorist". Default: none.
  std::vector<std::string> extra_categories;
  // Hash list files, or directories whose *.txt files are hash lists.
  // Default: none.
  std::vector<std::string> hash_paths;
  // Applied to page text and to pattern literals. Default: see NormalizeOptions.
  NormalizeOptions normalize;
  // Memory budget of the combined RE2::Set (program and DFA cache).
  // Default: 256 MiB.
  int64_t set_max_mem = int64_t{256} << 20;
  // Characters (code points) of original text kept on each side of a match
  // in an excerpt. Default: 80.
  int excerpt_chars = 80;
};

// One problem found while loading. `line` is 0 when the problem concerns a
// whole file (unreadable, not found); `rule_id` is empty when no rule is concerned.
struct LoadError {
  std::string file;
  int line = 0;
  std::string rule_id;
  std::string message;
  // "FILE:LINE: rule \"ID\": message" (the parts that are present).
  std::string ToString() const;
};

struct Rule {
  std::string id;
  std::string category;
  int severity = kMinSeverity;
  std::string description;
  std::string legal_basis;
  std::vector<std::string> patterns;  // as written in the file
  int min_hits = 1;
  std::vector<std::string> exclude;  // as written in the file
  std::string file;                  // where the rule was loaded from
  int line = 0;                      // line of its [[rule]] header
};

struct HashEntry {
  std::string sha256;  // lower-case hex
  std::string category;
  std::string legal_basis;
  std::string label;  // may be empty
  std::string file;
  int line = 0;
};

// A piece of the ORIGINAL text around one match, for evidence. The match is
// located in normalized text and mapped back, so the excerpt shows the page as
// it was written (with its look-alikes and case), with invalid UTF-8 repaired
// and white space runs shown as one space. Invisible characters stay.
struct Excerpt {
  int pattern_index = 0;  // index into Rule::patterns
  std::string text;       // up to excerpt_chars before, the match, up to excerpt_chars after
  std::string matched;    // the matched part alone
  size_t offset = 0;      // byte offset of the match in the original text
};

struct RuleHit {
  std::string rule_id;
  std::string category;
  int severity = kMinSeverity;
  std::string legal_basis;
  std::string description;
  std::vector<Excerpt> excerpts;  // one per pattern that hit, by pattern index
};

struct HashHit {
  enum class Kind { kNormalizedText, kRawBody };
  Kind kind = Kind::kNormalizedText;  // which digest matched
  std::string sha256;
  std::string category;
  std::string legal_basis;
  std::string label;
};

struct MatchResult {
  bool flagged = false;       // any rule hit or hash hit
  std::vector<RuleHit> hits;  // by severity (highest first), then id
  std::vector<HashHit> hash_hits;
};

// An immutable compiled rule set. Built once by Load(); every const method,
// Match() included, is thread-safe. A reload builds a new set and swaps the
// shared_ptr; the old one stays valid for whoever still holds it.
class RuleSet {
 public:
  // Loads rule files (each path is a TOML file or a directory whose *.toml
  // files are read in name order) and the hash lists of options.hash_paths.
  // On success returns the compiled set. On failure returns kInvalidArgument
  // whose message lists every error, one per line (kIOError if the only
  // problems are unreadable paths), and fills `errors` (if not null) with them.
  static Result<std::shared_ptr<const RuleSet>> Load(const std::vector<std::string>& paths,
                                                     const LoadOptions& options = {},
                                                     std::vector<LoadError>* errors = nullptr);

  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Normalizes `text` (a page's visible text, UTF-8; invalid bytes are
  // repaired), matches all rules, and checks the digest of the normalized
  // text, and of `raw_body` when given, against the hash lists. Never fails:
  // if the combined set runs out of DFA memory on a text, each pattern is run
  // alone instead (slower, same answer). Each calling thread keeps a buffer
  // as large as the largest text it normalized (given back above 16 MiB).
  MatchResult Match(std::string_view text,
                    std::optional<std::string_view> raw_body = std::nullopt) const;

  // Lower-case hex SHA-256 over the canonical content of all rules and hash
  // entries (and the normalization options). Independent of file names and
  // load order; changes when anything that affects matching changes.
  const std::string& version() const;

  const std::vector<Rule>& rules() const;              // sorted by id
  const std::vector<HashEntry>& hash_entries() const;  // sorted by digest
  const LoadOptions& options() const;

  // How many Match() calls ran the patterns one by one because the combined
  // set ran out of DFA memory (a sign that set_max_mem is too small).
  uint64_t set_fallbacks() const;

 private:
  explicit RuleSet(std::unique_ptr<internal::RuleSetState> state);
  std::unique_ptr<const internal::RuleSetState> state_;
};

}  // namespace linkwatch::matcher
