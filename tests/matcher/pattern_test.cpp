#include <re2/re2.h>

#include <random>

#include <catch2/catch.hpp>

#include "linkwatch/matcher/normalize.h"

using linkwatch::matcher::Normalize;
using linkwatch::matcher::NormalizeOptions;
using linkwatch::matcher::NormalizePattern;

TEST_CASE("pattern literals are normalized and syntax is kept") {
  const auto [pattern, expected] = GENERATE(table<std::string, std::string>({
      {R"(crimson\s+dawn)", R"(crimson\s+dawn)"},
      {R"(қызыл\s+таң)", R"(қызыл\s+taң)"},
      {"ПРИВЕТ", "пpиbet"},
      {R"(\x{0430}\pL\p{Cyrillic}\PN\x41)", R"(\x{0430}\pL\p{Cyrillic}\PN\x41)"},
      {"(?P<Name>X)(?i:Y)(?:Z)", "(?P<Name>X)(?i:Y)(?:Z)"},
      {"[а-я]+", "[а-яabcehkmoptxy]+"},
      {"[^ас]", "[^асac]"},
      {"[Ａ-Ｃ]", R"([Ａ-Ｃabc])"},
      {"[[:alpha:]а]", "[[:alpha:]аa]"},
      {R"([\d-])", R"([\d-])"},
      {"（ａ）＋", R"(\(a\)\+)"},
      {R"(\Qa.б\E+)", R"(a\.б+)"},
      {R"(\Qа(\E)", R"(a\()"},
      {"cri\u200Bmson\u00AD", "cri(?:)mson(?:)"},
      {"\u00AD+x", "(?:)+x"},  // a removed literal stays an atom
      {"a\u00A0b\tc", "a b c"},
  }));
  CHECK(NormalizePattern(pattern) == expected);
  RE2::Options opts;
  opts.set_case_sensitive(false);
  CHECK(RE2(NormalizePattern(pattern), opts).ok());
}

TEST_CASE("pattern normalization follows the look-alike option") {
  const NormalizeOptions plain{.map_confusables = false};
  CHECK(NormalizePattern("ПРИВЕТ [а-в]", plain) == "привет [а-в]");
  CHECK(NormalizePattern("ПРИВЕТ [а-в]") == "пpиbet [а-вab]");
}

TEST_CASE("a normalized pattern matches normalized obfuscated text") {
  const auto [pattern, text] = GENERATE(table<std::string, std::string>({
      {R"(crimson\s+dawn)", "СRIМSОN\u200B \u00A0 DA\u00ADWN"},
      {R"(қызыл\s+таң)", "ҚЫЗЫЛ ТАҢ"},
      {"[а-я]+ заря", "алая заря"},
      {"[а-я]+ заря", "АЛАЯ ЗАРЯ"},
      {"ａｌｐｈａ（１）", "alpha(1)"},
      {R"(\Qx.y\E)", "Ｘ.Ｙ"},
  }));
  RE2::Options opts;
  opts.set_case_sensitive(false);
  const RE2 re(NormalizePattern(pattern), opts);
  REQUIRE(re.ok());
  CHECK(RE2::PartialMatch(Normalize(text), re));
}

TEST_CASE("a pattern RE2 accepts stays acceptable once normalized") {
  std::mt19937 rng(GENERATE(1u, 2u));
  const std::string pieces[] = {
      "a",    "Я",     "қ",   "ѕ",       "（",     "ｚ",     "\u00AD", "\u00A0", "[",   "]",
      "[^",   "-",     "\\",  "\\Q",     "\\E",    "\\x{41}", "\\pL",   "\\p{Cyrillic}", "(",
      "(?:",  "(?i)",  "(?P<n>", ")",    "|",      "*",      "+",      "?",      "{2}", "{1,3}",
      ".",    "^",     "$",   "[:alpha:]", "\\d",  "\\s",    "\\b",    "\\W",    "а-я", "A-Z"};
  RE2::Options opts;
  opts.set_case_sensitive(false);
  opts.set_log_errors(false);
  int accepted = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string pattern;
    for (size_t k = 0, n = 1 + rng() % 8; k < n; ++k) pattern += pieces[rng() % std::size(pieces)];
    if (!RE2(pattern, opts).ok()) continue;
    ++accepted;
    for (bool confusables : {true, false}) {
      const std::string normalized = NormalizePattern(pattern, {.map_confusables = confusables});
      const RE2 re(normalized, opts);
      INFO(pattern << "  ->  " << normalized);
      CHECK(re.ok());
    }
  }
  CHECK(accepted > 500);  // the generator makes enough valid patterns to mean something
}
