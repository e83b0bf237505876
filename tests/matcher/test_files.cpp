#include "test_files.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace linkwatch::matcher::test {

namespace {
std::string TomlList(const std::vector<std::string>& items) {
  std::string out = "[\n";
  for (const auto& p : items) out += "  '" + p + "',\n";
  return out + "]";
}
}  // namespace

std::string RuleToml(const std::string& id, const std::vector<std::string>& patterns, int min_hits,
                     const std::vector<std::string>& exclude, const std::string& category,
                     int severity) {
  std::string out = "[[rule]]\nid = \"" + id + "\"\ncategory = \"" + category +
                    "\"\nseverity = " + std::to_string(severity) + "\ndescription = \"test rule " +
                    id + "\"\nlegal_basis = \"Decision " + id +
                    "\"\npatterns = " + TomlList(patterns) +
                    "\nmin_hits = " + std::to_string(min_hits) + "\n";
  if (!exclude.empty()) out += "exclude = " + TomlList(exclude) + "\n";
  return out + "\n";
}

std::shared_ptr<const RuleSet> LoadRules(const std::string& toml, const LoadOptions& options) {
  TempDir dir;
  auto set = RuleSet::Load({dir.Write("rules.toml", toml)}, options);
  INFO(set.status().ToString());
  REQUIRE(set.ok());
  return *set;
}

std::vector<std::string> HitIds(const MatchResult& result) {
  std::vector<std::string> ids;
  for (const auto& h : result.hits) ids.push_back(h.rule_id);
  return ids;
}

bool IsValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

}  // namespace linkwatch::matcher::test
