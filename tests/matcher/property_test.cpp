// Randomized property test: the combined RE2::Set with rule evaluation agrees
// with running every normalized pattern alone (RE2::PartialMatch) on the
// normalized text; and obfuscating a text does not change what it matches.
#include <re2/re2.h>

#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "linkwatch/matcher/normalize.h"
#include "linkwatch/matcher/rule_set.h"
#include "test_files.h"

using namespace linkwatch::matcher;

namespace {

const std::u32string kWords[] = {
    U"crimson", U"dawn",   U"rises",      U"march",    U"glass",  U"lantern", U"river",  U"stone",
    U"tenth",   U"ember",  U"column",     U"join",     U"calls",  U"north",   U"silver", U"harbor",
    U"example", U"алая",   U"заря",       U"восходит", U"фонарь", U"река",    U"камень", U"север",
    U"пример",  U"привет", U"стеклянный", U"қызыл",    U"таң",    U"атады",   U"шыны",   U"шам",
    U"өзен",    U"тас",    U"солтүстік",  U"үй",       U"ғасыр",  U"әке",     U"ірі",    U"һәм",
};
const std::u32string kFillers[] = {U"the", U"and", U"of", U"и", U"на", U"мен", U"2021", U"—", U"!"};

std::string Utf8(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

char32_t Upper(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 0x20;
  if (c >= 0x430 && c <= 0x44F) return c - 0x20;
  if (c >= 0x450 && c <= 0x45F) return c - 0x50;
  if (c == 0x4D9 || c == 0x493 || c == 0x49B || c == 0x4A3 || c == 0x4E9 || c == 0x4B1 ||
      c == 0x4AF || c == 0x4BB) {
    return c - 1;
  }
  return c;
}

// Latin letter <-> Cyrillic look-alike, both directions.
const std::map<char32_t, char32_t> kLookAlike = {
    {U'a', U'а'}, {U'e', U'е'}, {U'o', U'о'}, {U'p', U'р'}, {U'c', U'с'}, {U'y', U'у'},
    {U'x', U'х'}, {U'i', U'і'}, {U's', U'ѕ'}, {U'k', U'к'}, {U'm', U'м'}, {U't', U'т'},
    {U'h', U'һ'}, {U'b', U'в'}, {U'а', U'a'}, {U'е', U'e'}, {U'о', U'o'}, {U'р', U'p'},
    {U'с', U'c'}, {U'у', U'y'}, {U'х', U'x'}, {U'і', U'i'}, {U'к', U'k'}, {U'м', U'm'},
    {U'т', U't'}, {U'н', U'h'}, {U'в', U'b'}, {U'һ', U'h'},
};

class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  size_t Below(size_t n) { return rng_() % n; }
  bool Chance(int percent) { return static_cast<int>(Below(100)) < percent; }
  const std::u32string& Word() { return kWords[Below(std::size(kWords))]; }

  // One word of a pattern, written in one of several equivalent-looking ways.
  std::string PatternWord() {
    std::u32string w = Word();
    switch (Below(6)) {
      case 0:
        for (auto& c : w) c = Upper(c);
        break;
      case 1:
        return "(?:" + Utf8(w) + "|" + Utf8(Word()) + ")";
      case 2: {
        const size_t at = Below(w.size());
        return Utf8(w.substr(0, at)) + "[" + Utf8(w.substr(at, 1)) + "q]" + Utf8(w.substr(at + 1));
      }
      case 3:
        w[Below(w.size())] = U'.';
        break;
      case 4:
        return Utf8(w) + "(?:s)?";
      default:
        break;
    }
    return Utf8(w);
  }

  std::string Pattern() {
    static const char* kSeparators[] = {R"(\s+)", R"(\s*)", " ", R"(\W+)", ".{0,12}"};
    const int words = Chance(50) ? 1 : Chance(70) ? 2 : 3;
    std::string p = PatternWord();
    for (int i = 1; i < words; ++i) p += kSeparators[Below(std::size(kSeparators))] + PatternWord();
    return p;
  }

  std::string RulesToml(int count) {
    std::string toml;
    for (int r = 0; r < count; ++r) {
      std::vector<std::string> patterns;
      const size_t n = 1 + Below(3);
      while (patterns.size() < n) {
        auto p = Pattern();
        if (std::find(patterns.begin(), patterns.end(), p) == patterns.end()) patterns.push_back(p);
      }
      std::vector<std::string> exclude;
      if (Chance(30)) exclude.push_back(Pattern());
      toml += test::RuleToml(std::string("r").append(std::to_string(r)), patterns, 1 + static_cast<int>(Below(n)),
                             exclude);
    }
    return toml;
  }

  // A text as words separated by single spaces, and an obfuscated copy that
  // normalizes to the same string.
  std::pair<std::string, std::string> Text() {
    static const char* kSpaces[] = {" ", "  ", "\n", "\t \n", "\u00A0", "\u2003", "\u3000"};
    std::string plain, obfuscated;
    const size_t words = 3 + Below(40);
    for (size_t i = 0; i < words; ++i) {
      const std::u32string w = Chance(75) ? Word() : kFillers[Below(std::size(kFillers))];
      if (i) plain += ' ';
      plain += Utf8(w);
      if (i) obfuscated += kSpaces[Below(std::size(kSpaces))];
      obfuscated += Obfuscate(w);
    }
    return {plain, obfuscated};
  }

 private:
  std::string Obfuscate(const std::u32string& w) {
    std::string out;
    for (char32_t c : w) {
      if (Chance(15)) c = Upper(c);
      if (Chance(15)) {
        auto it = kLookAlike.find(c);
        if (it != kLookAlike.end()) c = it->second;
      }
      if (c >= '!' && c <= '~' && Chance(10)) c += 0xFEE0;  // full-width
      out += Utf8({c});
      if (Chance(5)) out += Chance(50) ? "\u200B" : "\u00AD";
    }
    return out;
  }

  std::mt19937 rng_;
};

// Rule ids expected from evaluating each pattern with its own RE2 object.
std::vector<std::string> ExpectedIds(const RuleSet& set,
                                     const std::map<std::string, std::unique_ptr<RE2>>& compiled,
                                     const std::string& normalized) {
  std::vector<std::pair<int, std::string>> hits;  // (-severity, id)
  for (const Rule& r : set.rules()) {
    int count = 0;
    bool excluded = false;
    for (const auto& p : r.patterns) count += RE2::PartialMatch(normalized, *compiled.at(p));
    for (const auto& p : r.exclude) excluded |= RE2::PartialMatch(normalized, *compiled.at(p));
    if (count >= r.min_hits && !excluded) hits.emplace_back(-r.severity, r.id);
  }
  std::sort(hits.begin(), hits.end());
  std::vector<std::string> ids;
  for (auto& h : hits) ids.push_back(h.second);
  return ids;
}

}  // namespace

TEST_CASE("set-based rule evaluation agrees with patterns run one by one") {
  const unsigned seed = GENERATE(11u, 22u, 33u);
  const bool confusables = GENERATE(true, false);
  INFO("seed " << seed << ", map_confusables " << confusables);
  Generator gen(seed);
  LoadOptions options;
  options.normalize.map_confusables = confusables;
  const auto set = test::LoadRules(gen.RulesToml(50), options);
  REQUIRE(set->rules().size() == 50);

  RE2::Options re_options;
  re_options.set_case_sensitive(false);
  re_options.set_log_errors(false);
  std::map<std::string, std::unique_ptr<RE2>> compiled;
  for (const Rule& r : set->rules()) {
    for (const auto* list : {&r.patterns, &r.exclude}) {
      for (const auto& p : *list) {
        compiled[p] = std::make_unique<RE2>(NormalizePattern(p, options.normalize), re_options);
        REQUIRE(compiled[p]->ok());
      }
    }
  }

  int flagged = 0, rule_hits = 0;
  constexpr int kTexts = 300;
  for (int t = 0; t < kTexts; ++t) {
    const auto [plain, obfuscated] = gen.Text();
    INFO("text: " << obfuscated);
    const std::string normalized = Normalize(obfuscated, options.normalize);
    const auto result = set->Match(obfuscated);
    const auto ids = test::HitIds(result);
    CHECK(ids == ExpectedIds(*set, compiled, normalized));
    CHECK(result.flagged == !ids.empty());
    if (confusables) {  // without the mapping, look-alikes are different letters
      CHECK(normalized == Normalize(plain, options.normalize));
      CHECK(test::HitIds(set->Match(plain)) == ids);
    }
    flagged += !ids.empty();
    rule_hits += static_cast<int>(ids.size());
  }
  // The test means something only if texts both hit and miss.
  CHECK(flagged > kTexts / 10);
  CHECK(flagged < kTexts);
  CHECK(rule_hits > flagged);
}
