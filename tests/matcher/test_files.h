// Temporary rule files for matcher tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "linkwatch/matcher/rule_set.h"
#include "test_support.h"

namespace linkwatch::matcher::test {

// The shared temporary directory, plus a writer that returns the file's path.
class TempDir : public linkwatch::test::TempDir {
 public:
  // Writes `content` to path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const {
    linkwatch::test::WriteFile(File(name), content);
    return File(name);
  }
};

// A [[rule]] table with the given fields; patterns and exclude are written as
// TOML literal strings, one per line.
std::string RuleToml(const std::string& id, const std::vector<std::string>& patterns,
                     int min_hits = 1, const std::vector<std::string>& exclude = {},
                     const std::string& category = "extremist", int severity = 3);

// Loads rules from one file with that content; REQUIRES the load to succeed.
std::shared_ptr<const RuleSet> LoadRules(const std::string& toml, const LoadOptions& options = {});

// Rule ids of a match result, in result order.
std::vector<std::string> HitIds(const MatchResult& result);

// Whether `s` is well-formed UTF-8 (written independently of the library).
bool IsValidUtf8(const std::string& s);

}  // namespace linkwatch::matcher::test
