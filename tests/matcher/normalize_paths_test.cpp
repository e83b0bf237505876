// White box: every code path of the normalizer (the AVX-512 blocks where the
// CPU has them, the SSE2 ASCII blocks, the per-character path) against a
// straightforward code-point-at-a-time reference kept here, over long
// generated texts whose characters fall on every block boundary; and excerpt
// offsets (mapped back through the narrow path) against planted positions.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "char_map.h"  // matcher/src
#include "linkwatch/matcher/normalize.h"
#include "linkwatch/matcher/rule_set.h"
#include "normalize_internal.h"
#include "test_files.h"
#include "utf8.h"

namespace li = linkwatch::matcher::internal;
using linkwatch::matcher::LoadOptions;
using linkwatch::matcher::Normalize;
using linkwatch::matcher::NormalizeOptions;

namespace {

// The specification read literally: decode one code point (or one maximal
// invalid subpart, which becomes U+FFFD), map it, collapse and trim spaces.
std::string Reference(const std::string& in, bool confusables) {
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

std::string Utf8(char32_t c) {
  std::string s;
  li::AppendUtf8(&s, c);
  return s;
}

// Both paths, a fresh buffer and a reused (dirty, larger) one, against the reference.
void CheckAllPaths(const std::string& input, bool confusables) {
  const NormalizeOptions options{.map_confusables = confusables};
  const std::string want = Reference(input, confusables);
  static thread_local std::string dirty(1 << 16, '#');
  for (auto path : {li::NormalizePath::kAuto, li::NormalizePath::kPortable}) {
    std::string fresh;
    INFO("path " << (path == li::NormalizePath::kAuto ? "auto" : "portable") << ", confusables "
                 << confusables << ", input bytes " << input.size());
    CHECK(std::string(li::NormalizeInto(input, options, &fresh, path)) == want);
    CHECK(std::string(li::NormalizeInto(input, options, &dirty, path)) == want);
  }
  CHECK(Normalize(input, options) == want);
}

// Pieces of mixed-script text: ASCII runs long enough for whole blocks,
// Cyrillic of every lead the wide path takes (D0..D3) and some it does not
// (D4, Latin-1, Greek), white space runs of every kind, invisible and
// three-/four-byte characters, and invalid bytes.
const std::vector<std::string>& Pieces() {
  static const std::vector<std::string> pieces = {
      "The quick brown fox jumps over the lazy dog, again and again. ",
      "UPPER CASE ASCII TEXT WITH DIGITS 0123456789 ",
      "x",
      " ",
      "   ",
      "\t\n\r\v\f",
      "\n\n",
      "@[`{~",
      "Съешь же ещё этих мягких французских булок, да выпей чаю. ",
      "ПРИВЕТ МИР ЁЖИК ЎЗЭЮЯ Ѐ Ѕ І Ј Џ ",
      "Қызыл таң атады, ӘҒҚҢӨҰҮҺІ әғқңөұүһі. ",
      "ѠѡѢѣ Ҋҋ Ӏ ӏ Ӂ ӂ Ӿ ӿ",  // historic and other Cyrillic of leads D1..D3
      "ԁԛԝ Ԁ Ԝ Ԯ",             // lead D4: narrow paths only
      "ÀÉÎÕÜ Þ ß µ é",
      "ΑΘΗΝΑ ς",
      "\u00A0",
      "\u0085",
      "\u00AD",
      "\u200B",
      "\u2003\u3000",
      "\u2060\uFEFF",
      "ＦＵＬＬ ｗｉｄｔｈ！",
      "—«»…",
      "\xF0\x9F\x98\x80",
      "\xFF",
      "\xC0\xAF",
      "\xC3",
      "\xD0",
      "\x80",
      "\xE2\x80",
      "\xED\xA0\x80",
      "\xF4\x90\x80\x80",
      std::string("\0", 1),
  };
  return pieces;
}

std::string RandomText(std::mt19937& rng, size_t max_pieces) {
  const auto& pieces = Pieces();
  std::string s;
  const size_t n = rng() % (max_pieces + 1);
  for (size_t k = 0; k < n; ++k) {
    switch (rng() % 8) {
      case 0:
        s += static_cast<char>(rng() % 256);  // any byte
        break;
      case 1: {  // a run of one Cyrillic code point range, upper and lower case
        const size_t len = rng() % 40;
        for (size_t j = 0; j < len; ++j) s += Utf8(0x400 + static_cast<char32_t>(rng() % 0x100));
        break;
      }
      default:
        s += pieces[rng() % pieces.size()];
    }
  }
  return s;
}

}  // namespace

TEST_CASE("every normalization path agrees with the reference on long mixed-script text") {
  std::mt19937 rng(GENERATE(101u, 202u, 303u, 404u));
  for (int iter = 0; iter < 800; ++iter) {
    const std::string input = RandomText(rng, 60);
    INFO("iteration " << iter);
    CheckAllPaths(input, true);
    CheckAllPaths(input, false);
  }
}

TEST_CASE("normalization paths agree for a character at every block offset") {
  // A character (or run) planted at each offset of a text that is otherwise
  // plain for the wide path: ASCII words or Cyrillic, so that blocks of 64 and
  // 16 bytes meet it at every position, including split two-byte sequences.
  const std::string fillers[] = {
      std::string(300, 'a'),
      "abc def ghi jkl mno pqr stu vwx yz ABC DEF GHI JKL MNO PQR STU VWX YZ 01234 56789 "
      "abc def ghi jkl mno pqr stu vwx yz ABC DEF GHI JKL MNO PQR STU VWX YZ 01234 56789 "
      "abc def ghi jkl mno pqr stu vwx yz ABC DEF GHI JKL MNO PQR STU VWX YZ 01234 56789 ",
      "Привет мир, это проверка. ПРИВЕТ МИР, ЭТО ПРОВЕРКА. Қызыл таң атады! "
      "Привет мир, это проверка. ПРИВЕТ МИР, ЭТО ПРОВЕРКА. Қызыл таң атады! "
      "Привет мир, это проверка. ПРИВЕТ МИР, ЭТО ПРОВЕРКА. Қызыл таң атады! ",
      std::string(300, ' '),
  };
  const std::string planted[] = {"A", " ", "  ", "\n\t", "Ж", "ж", "\xD0", "\x80", "\xFF",
                                 "\u00A0", "\u00AD", "\u200B", "é", "ԁ", "Ｘ", "\xE2\x80",
                                 "\xF0\x9F\x98\x80", std::string("\0", 1)};
  for (const auto& filler : fillers) {
    for (const auto& p : planted) {
      for (size_t at = 0; at <= 200; ++at) {
        std::string s = filler;
        s.insert(std::min(at, s.size()), p);
        INFO("planted at " << at);
        CheckAllPaths(s, true);
        // Cut to every length around the block sizes, too.
        if (at % 16 == 0) {
          for (size_t len : {63u, 64u, 65u, 66u, 127u, 128u, 129u}) {
            CheckAllPaths(s.substr(0, std::min(len, s.size())), at % 32 == 0);
          }
        }
      }
    }
  }
}

TEST_CASE("every ASCII and U+0400..U+04FF character maps alike on every path") {
  for (bool confusables : {true, false}) {
    for (char32_t c = 0; c < 0x500; ++c) {
      if (c == 0x80) c = 0x400;
      const std::string ch = Utf8(c);
      // In a block's worth of context, at an even and an odd offset.
      for (const std::string& before : {std::string(10, 'q'), std::string(11, 'q')}) {
        std::string s = before;
        for (int k = 0; k < 40; ++k) s += ch;
        s += " tail of the text";
        INFO("U+" << std::hex << static_cast<uint32_t>(c));
        CheckAllPaths(s, confusables);
      }
    }
  }
}

TEST_CASE("white space runs collapse across block boundaries on every path") {
  for (size_t word = 1; word < 70; ++word) {
    for (size_t spaces = 1; spaces < 70; spaces += 3) {
      std::string s;
      while (s.size() < 400) s += std::string(word, 'W') + std::string(spaces, ' ') + "ж\n";
      CheckAllPaths(s, true);
    }
  }
}

TEST_CASE("the wide path is reported as it is chosen") {
  // Informational: which paths the tests above exercised on this machine.
  INFO("AVX-512 normalization: " << (li::HasWideNormalize() ? "yes" : "no"));
  SUCCEED();
}

TEST_CASE("excerpt offsets point at the planted text in long pages") {
  namespace lt = linkwatch::matcher::test;
  for (bool confusables : {true, false}) {
    LoadOptions options;
    options.normalize.map_confusables = confusables;
    options.excerpt_chars = 10;
    const auto set = lt::LoadRules(lt::RuleToml("r1", {R"(алая\s+заря\s+восходит)"}), options);
    std::mt19937 rng(confusables ? 7u : 8u);
    for (int iter = 0; iter < 200; ++iter) {
      std::string before = RandomText(rng, 40);
      // The plant must not merge with what surrounds it.
      before += " ";
      const std::string slogan = iter % 2 ? "АЛАЯ  \u200BЗАРЯ\n\tвосходит" : "алая заря восходит";
      const std::string text = before + slogan + " " + RandomText(rng, 40);
      INFO("iteration " << iter << ", confusables " << confusables);
      const auto result = set->Match(text);
      REQUIRE(result.hits.size() == 1);
      const auto& e = result.hits[0].excerpts.at(0);
      // The first match may come earlier only if the random text holds the
      // slogan itself, which its pieces cannot spell.
      CHECK(e.offset == before.size());
      CHECK(e.matched == li::CleanForDisplay(slogan));
    }
  }
}
