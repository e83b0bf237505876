#include "linkwatch/matcher/normalize.h"

#include <catch2/catch.hpp>
#include <random>

#include "char_map.h"  // white-box test: matcher/src
#include "test_files.h"
#include "utf8.h"

using linkwatch::matcher::Normalize;
using linkwatch::matcher::NormalizeOptions;
using linkwatch::matcher::test::IsValidUtf8;

namespace {
const NormalizeOptions kPlain{.map_confusables = false};
const NormalizeOptions kConfusables{.map_confusables = true};
}  // namespace

TEST_CASE("normalization folds case in Latin, Greek, Russian and Kazakh") {
  const auto [input, expected] = GENERATE(table<std::string, std::string>({
      {"HeLLo WORLD", "hello world"},
      {"ÀÉÎÕÜ Þ × ß", "àéîõü þ × ß"},
      {"ŁÓDŹ ŒUVRE Ÿ Ĳ ſ İ", "łódź œuvre ÿ ĳ s i"},
      {"ΑΘΗΝΑ ΟΔΟΣ ΆΈΉΊΌΎΏ ς", "αθηνα οδοσ άέήίόύώ σ"},
      {"ПРИВЕТ", "привет"},
      {"ЁЖИК ЎЗЭЮЯ", "ёжик ўзэюя"},
      {"ӘҒҚҢӨҰҮҺІ", "әғқңөұүһі"},
      {"ҚЫЗЫЛ ТАҢ", "қызыл таң"},
      {"µ", "μ"},
  }));
  CHECK(Normalize(input, kPlain) == expected);
}

TEST_CASE("normalization maps Cyrillic look-alikes to Latin when asked") {
  const auto [input, expected] = GENERATE(table<std::string, std::string>({
      {"ехаmple", "example"},  // Cyrillic е, х, а
      {"ЕХАМРLЕ", "example"},  // upper-case Cyrillic Е Х А М Р Е
      {"ПРИВЕТ", "пpиbet"},
      {"ҚЫЗЫЛ ТАҢ", "қызыл taң"},
      {"ӘҒҚҢӨҰҮҺІ", "әғқңөұүhi"},
      {"аеорсухіјѕкмтнвһԁԛԝ", "aeopcyxijskmthbhdqw"},
  }));
  CHECK(Normalize(input, kConfusables) == expected);
  CHECK(Normalize(input) == expected);  // on by default
}

TEST_CASE("normalization folds full-width forms and drops invisible characters") {
  const auto [input, expected] = GENERATE(table<std::string, std::string>({
      {"ＣＲＩＭＳＯＮ！ ＤＡＷＮ（１）", "crimson! dawn(1)"},
      {"cri\u200Bm\u00ADson\u2060 da\uFEFFwn", "crimson dawn"},
      {"a\u200Cb\u200Dc\u200Ed\u202Ae\u2064f", "abcdef"},
      {"\u00AD\u200B", ""},
  }));
  CHECK(Normalize(input, kPlain) == expected);
}

TEST_CASE("normalization collapses every kind of white space to one space") {
  const auto [input, expected] = GENERATE(table<std::string, std::string>({
      {"  a \t\n b\u00A0\u2003c\u3000 ", "a b c"},
      {"a\r\n\r\nb\fc\vd", "a b c d"},
      {"a \u200B b", "a b"},  // an invisible character does not split a run
      {"a\u0085b\u1680c\u2028d\u2029e\u202Ff\u205Fg", "a b c d e f g"},
      {"\u3000\u3000", ""},
      {"", ""},
  }));
  CHECK(Normalize(input, kPlain) == expected);
}

TEST_CASE("normalization repairs invalid UTF-8 with one U+FFFD per maximal bad subpart") {
  const auto [input, expected] = GENERATE(table<std::string, std::string>({
      {"a\xFF"
       "b",
       "a\uFFFDb"},
      {"\xE2\x82", "\uFFFD"},                            // truncated at the end
      {"\xE2\x82z", "\uFFFDz"},                          // truncated before ASCII
      {"\xC0\xAF", "\uFFFD\uFFFD"},                      // overlong
      {"\xED\xA0\x80", "\uFFFD\uFFFD\uFFFD"},            // surrogate
      {"\xF4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"},  // above U+10FFFF
      {"\xF0\x9F\x98", "\uFFFD"},                        // truncated 4-byte
      {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},          // valid emoji stays
      {"\xD0\x9F\xD0", "п\uFFFD"},
  }));
  CHECK(Normalize(input, kPlain) == expected);
}

TEST_CASE("normalization of random bytes is valid UTF-8 and idempotent") {
  std::mt19937 rng(GENERATE(1u, 2u, 3u));
  const std::string pieces[] = {"a",
                                "Б",
                                "Қ",
                                " ",
                                "\t",
                                "\u200B",
                                "\u00AD",
                                "Ｚ",
                                "\xE2\x80",
                                "\xFF",
                                "\xC3",
                                "\xF0\x9F\x98\x80",
                                "\xED\xA0\x80",
                                "ς"};
  for (int iter = 0; iter < 2000; ++iter) {
    std::string input;
    const int len = static_cast<int>(rng() % 40);
    for (int k = 0; k < len; ++k) {
      input += rng() % 3 == 0 ? std::string(1, static_cast<char>(rng() % 256))
                              : pieces[rng() % std::size(pieces)];
    }
    for (const auto& opts : {kPlain, kConfusables}) {
      const std::string once = Normalize(input, opts);
      INFO("input bytes: " << input.size());
      CHECK(IsValidUtf8(once));
      CHECK(Normalize(once, opts) == once);
      CHECK(once.find("  ") == std::string::npos);
    }
  }
}

// White box: the fast paths (tables, sixteen-byte ASCII blocks) against a
// plain code-point-at-a-time reference built from the same character map.
namespace {

std::string Reference(const std::string& in, bool confusables) {
  namespace li = linkwatch::matcher::internal;
  std::string out;
  bool pending_space = false;
  for (size_t i = 0; i < in.size();) {
    const auto d =
        li::DecodeUtf8(reinterpret_cast<const unsigned char*>(in.data()) + i, in.size() - i);
    i += static_cast<size_t>(d.len);
    const auto m = li::MapCodePoint(d.cp, confusables);
    if (m.kind == li::MapKind::kRemove) continue;
    if (m.kind == li::MapKind::kSpace) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    li::AppendUtf8(&out, m.cp);
  }
  return out;
}

}  // namespace

TEST_CASE("fast normalization paths agree with the code-point reference") {
  std::mt19937 rng(GENERATE(4u, 5u, 6u));
  const std::string pieces[] = {"Hello World, plain ASCII text that fills blocks. ",
                                "UPPER lower  double\t\ttabs\r\n",
                                "x",
                                " ",
                                "  ",
                                "\n\n",
                                "\v\f",
                                "@[`{",
                                "Привет, МИР ",
                                "Қызыл Таң ",
                                "ӘҒҚҢӨҰҮҺІ",
                                "\u00AD",
                                "\u200B",
                                "\u00A0",
                                "\u3000",
                                "ＦＵＬＬ",
                                "—«»",
                                "\xFF",
                                "\xC3",
                                "\xE2\x80",
                                "\xF0\x9F\x98\x80",
                                "\xED\xA0\x80",
                                "ς",
                                std::string("\0", 1)};
  for (int iter = 0; iter < 3000; ++iter) {
    std::string input;
    const size_t n = rng() % 30;
    for (size_t k = 0; k < n; ++k) {
      input += rng() % 5 == 0 ? std::string(1, static_cast<char>(rng() % 256))
                              : pieces[rng() % std::size(pieces)];
    }
    for (bool confusables : {true, false}) {
      INFO("iteration " << iter << ", map_confusables " << confusables);
      CHECK(Normalize(input, {.map_confusables = confusables}) == Reference(input, confusables));
    }
  }
}
