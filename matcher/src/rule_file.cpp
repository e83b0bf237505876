// Rule files: TOML via toml++, validated key by key.
#include <toml++/toml.h>

#include <algorithm>
#include <string_view>

#include "sources.h"

namespace linkwatch::matcher::internal {
namespace {

constexpr size_t kMaxIdLength = 64;
constexpr std::string_view kRuleKeys[] = {"id",          "category", "severity", "description",
                                          "legal_basis", "patterns", "min_hits", "exclude"};

int LineOf(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// "key" in double quotes. Built by appending: GCC 12 at -O3 warns (-Wrestrict,
// a false positive) on "\"" + std::string(key).
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  return out.append(text).append("\"");
}

std::string JoinQuoted(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "\"" : ", \"") + s + "\"";
  return out;
}

// Reads one [[rule]] table; collects its problems.
class RuleReader {
 public:
  RuleReader(const std::string& file, const toml::table& table,
             const std::vector<std::string>& categories, std::vector<LoadError>* errors)
      : file_(file), table_(table), categories_(categories), errors_(errors) {}

  RuleSource Read() {
    out_.rule.file = file_;
    out_.rule.line = LineOf(table_);
    ReadId();
    CheckKeys();
    ReadCategory();
    ReadSeverity();
    ReadText("description", &out_.rule.description);
    ReadText("legal_basis", &out_.rule.legal_basis);
    ReadPatterns("patterns", true, &out_.rule.patterns, &out_.pattern_lines);
    ReadPatterns("exclude", false, &out_.rule.exclude, &out_.exclude_lines);
    ReadMinHits();
    out_.ok = !failed_;
    return std::move(out_);
  }

 private:
  void Error(int line, std::string message) {
    failed_ = true;
    errors_->push_back({file_, line, out_.rule.id, std::move(message)});
  }

  // The node of `key`, or null (with an error when `required`).
  const toml::node* Find(std::string_view key, bool required) {
    const toml::node* n = table_.get(key);
    if (!n && required) Error(out_.rule.line, "missing key \"" + std::string(key) + "\"");
    return n;
  }

  void ReadId() {
    const toml::node* n = Find("id", true);
    if (!n) return;
    const auto* s = n->as_string();
    if (!s || !IsValidId(s->get())) {
      return Error(LineOf(*n), "\"id\" must be a string of 1-64 letters, digits, '.', '_', '-'");
    }
    out_.rule.id = s->get();
  }

  void CheckKeys() {
    for (auto&& [key, node] : table_) {
      if (std::find(std::begin(kRuleKeys), std::end(kRuleKeys), key.str()) == std::end(kRuleKeys)) {
        Error(LineOf(node), "unknown key \"" + std::string(key.str()) + "\"");
      }
    }
  }

  void ReadCategory() {
    if (!ReadText("category", &out_.rule.category)) return;
    const auto& c = out_.rule.category;
    if (std::find(categories_.begin(), categories_.end(), c) == categories_.end()) {
      Error(LineOf(*table_.get("category")),
            "unknown category \"" + c + "\" (allowed: " + JoinQuoted(categories_) + ")");
    }
  }

  void ReadSeverity() {
    const toml::node* n = Find("severity", true);
    if (!n) return;
    const auto* i = n->as_integer();
    if (!i) return Error(LineOf(*n), "\"severity\" must be an integer");
    if (i->get() < kMinSeverity || i->get() > kMaxSeverity) {
      return Error(LineOf(*n), "severity " + std::to_string(i->get()) + " is out of range " +
                                   std::to_string(kMinSeverity) + ".." +
                                   std::to_string(kMaxSeverity));
    }
    out_.rule.severity = static_cast<int>(i->get());
  }

  // A required non-empty string; returns whether one was read.
  bool ReadText(std::string_view key, std::string* out) {
    const toml::node* n = Find(key, true);
    if (!n) return false;
    const auto* s = n->as_string();
    if (!s || s->get().empty()) {
      Error(LineOf(*n), Quoted(key) + " must be a non-empty string");
      return false;
    }
    *out = s->get();
    return true;
  }

  void ReadPatterns(std::string_view key, bool required, std::vector<std::string>* out,
                    std::vector<int>* lines) {
    const toml::node* n = Find(key, required);
    if (!n) return;
    const auto* arr = n->as_array();
    const std::string what =
        Quoted(key) + " must be a" + (required ? " non-empty" : "n") + " array of strings";
    if (!arr || (required && arr->empty())) return Error(LineOf(*n), what);
    for (const toml::node& item : *arr) {
      const auto* s = item.as_string();
      if (!s) return Error(LineOf(item), what);
      out->push_back(s->get());
      lines->push_back(LineOf(item));
    }
  }

  void ReadMinHits() {
    const toml::node* n = Find("min_hits", false);
    if (!n) return;
    const auto* i = n->as_integer();
    if (!i) return Error(LineOf(*n), "\"min_hits\" must be an integer");
    const auto count = static_cast<int64_t>(out_.rule.patterns.size());
    if (i->get() < 1) return Error(LineOf(*n), "min_hits must be at least 1");
    if (!out_.rule.patterns.empty() && i->get() > count) {
      return Error(LineOf(*n), "min_hits " + std::to_string(i->get()) +
                                   " exceeds the number of patterns (" + std::to_string(count) +
                                   ")");
    }
    out_.rule.min_hits = static_cast<int>(i->get());
  }

  const std::string& file_;
  const toml::table& table_;
  const std::vector<std::string>& categories_;
  std::vector<LoadError>* errors_;
  RuleSource out_;
  bool failed_ = false;
};

void ReadRules(const std::string& file, const toml::table& doc,
               const std::vector<std::string>& categories, std::vector<RuleSource>* rules,
               std::vector<LoadError>* errors) {
  for (auto&& [key, node] : doc) {
    if (key.str() != "rule") {
      errors->push_back(
          {file, LineOf(node), "",
           "unknown top-level key \"" + std::string(key.str()) + "\" (rules are [[rule]] tables)"});
    }
  }
  const toml::node* list = doc.get("rule");
  if (!list) return;
  const auto* arr = list->as_array();
  if (!arr || !arr->is_array_of_tables()) {
    errors->push_back({file, LineOf(*list), "", "\"rule\" must be an array of tables ([[rule]])"});
    return;
  }
  for (const toml::node& item : *arr) {
    rules->push_back(RuleReader(file, *item.as_table(), categories, errors).Read());
  }
}

}  // namespace

void ParseRuleFile(const std::string& file, std::string_view content,
                   const std::vector<std::string>& categories, std::vector<RuleSource>* rules,
                   std::vector<LoadError>* errors) {
  toml::table doc;
  try {
    doc = toml::parse(content, file);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    errors->push_back({file, static_cast<int>(where.line), "",
                       "TOML syntax error (column " + std::to_string(where.column) +
                           "): " + std::string(e.description())});
    return;
  }
  ReadRules(file, doc, categories, rules, errors);
}

}  // namespace linkwatch::matcher::internal
