// Reading rule files and hash lists into plain structs (internal). toml++
// stays inside sources.cpp; compiling patterns is rule_set.cpp's business.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/matcher/rule_set.h"

namespace linkwatch::matcher::internal {

// A rule as read, with the line of each pattern for error messages.
struct RuleSource {
  Rule rule;
  bool ok = true;  // false: a key had a problem (already reported); patterns are still checked
  std::vector<int> pattern_lines;
  std::vector<int> exclude_lines;
};

// Parses one TOML rule file named `file`. Its rules are appended to *rules
// (with ok == false when they have a problem) and every problem to *errors.
void ParseRuleFile(const std::string& file, std::string_view content,
                   const std::vector<std::string>& categories, std::vector<RuleSource>* rules,
                   std::vector<LoadError>* errors);

// Parses one hash list file (format in rule_set.h) like ParseRuleFile.
void ParseHashList(const std::string& file, std::string_view content,
                   const std::vector<std::string>& categories, std::vector<HashEntry>* entries,
                   std::vector<LoadError>* errors);

}  // namespace linkwatch::matcher::internal
