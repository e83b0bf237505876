#include <catch2/catch.hpp>
#include <random>
#include <thread>

#include "linkwatch/matcher/rule_set.h"
#include "test_files.h"

using namespace linkwatch::matcher;
using test::HitIds;
using test::LoadRules;
using test::RuleToml;

namespace {

std::shared_ptr<const RuleSet> ExampleRules() {
  static const auto set = [] {
    auto s = RuleSet::Load({LINKWATCH_SOURCE_DIR "/conf/rules"});
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    return *s;
  }();
  return set;
}

}  // namespace

TEST_CASE("the example rules load") {
  const auto set = ExampleRules();
  CHECK(set->rules().size() == 4);
  CHECK(set->rules()[0].id == "cd-001");
}

TEST_CASE("obfuscated slogans still match") {
  const std::string text =
      GENERATE(as<std::string>{}, "crimson dawn rises", "CRIMSON DAWN RISES",
               "Crimson  \n\t Dawn\u00A0\u2003Rises",
               "сrimsоn dаwn risеs",                    // Cyrillic с, о, а, е
               "СRIМSОN DАWN RISЕS",                    // upper-case Cyrillic look-alikes
               "cri\u200Bmson da\u00ADwn ri\u2060ses",  // zero-width and soft hyphen
               "ＣＲＩＭＳＯＮ ＤＡＷＮ ＲＩＳＥＳ",    // full-width
               "c\u200Dｒ\u00ADі\u200Bmsоn\u3000\u3000ＤаＷn rises",  // all at once
               "ҚЫЗЫЛ ТАҢ АТАДЫ", "Қызыл таң атады!", "АЛАЯ ЗАРЯ ВОСХОДИТ", "алая  заря восходит");
  INFO(text);
  const auto result = ExampleRules()->Match("before. " + text + " after.");
  CHECK(result.flagged);
  CHECK(HitIds(result) == std::vector<std::string>{"cd-001"});
}

TEST_CASE("near misses do not match") {
  const std::string text =
      GENERATE(as<std::string>{}, "crimson dusk rises", "crimsondawn rises", "crimson-dawn rises",
               "қызыл күн атады", "алая роза восходит", "glass lanterns call", "");
  INFO(text);
  const auto result = ExampleRules()->Match(text);
  CHECK_FALSE(result.flagged);
  CHECK(result.hits.empty());
}

TEST_CASE("Kazakh and Russian letters fold without look-alike mapping too") {
  LoadOptions plain;
  plain.normalize.map_confusables = false;
  const auto set =
      LoadRules(RuleToml("kz", {R"(қызыл\s+таң)"}) + RuleToml("ru", {"привет"}), plain);
  CHECK(HitIds(set->Match("ҚЫЗЫЛ ТАҢ")) == std::vector<std::string>{"kz"});
  CHECK(HitIds(set->Match("ПРИВЕТ")) == std::vector<std::string>{"ru"});
  CHECK(HitIds(set->Match("ӘҒҚҢӨҰҮҺІ қызыл\u200B  таң")) == std::vector<std::string>{"kz"});
  CHECK_FALSE(set->Match("пpиbet").flagged);  // Latin look-alikes need the mapping
}

TEST_CASE("min_hits counts different patterns of a rule") {
  const auto set = ExampleRules();
  const auto [text, flagged] = GENERATE(table<std::string, bool>({
      {"Crimson Dawn", false},
      {"Crimson Dawn. Crimson Dawn.", false},
      {"Crimson Dawn: join the march!", true},
      {"Join the column on the tenth of Frost.", true},
      {"crimson dawn, join the march on the tenth of ember", true},
  }));
  INFO(text);
  const auto result = set->Match(text);
  CHECK(result.flagged == flagged);
  CHECK((std::find(HitIds(result).begin(), HitIds(result).end(), "cd-002") !=
         HitIds(result).end()) == flagged);
}

TEST_CASE("an exclusion hit cancels the rule") {
  const auto set = ExampleRules();
  CHECK(HitIds(set->Match("Crimson Dawn: join the march")) == std::vector<std::string>{"cd-002"});
  CHECK_FALSE(set->Match("History lesson: Crimson Dawn, join the march").flagged);
  CHECK_FALSE(set->Match("Crimson Dawn, join the march? A fact-check.").flagged);
  // Only its own rule is cancelled.
  CHECK(HitIds(set->Match("History lesson: crimson dawn rises, join the march")) ==
        std::vector<std::string>{"cd-001"});
}

TEST_CASE("hits come with rule data, highest severity first") {
  const auto result =
      ExampleRules()->Match("#GlassLantern2022 crimson dawn rises; the glass lantern calls");
  REQUIRE(HitIds(result) == std::vector<std::string>{"gl-001", "gl-002", "cd-001"});
  const RuleHit& h = result.hits[0];
  CHECK(h.category == "terrorist");
  CHECK(h.severity == 5);
  CHECK(h.legal_basis == "Court decision No. 7-0042/2022 (fictional)");
  CHECK(h.description == "Call to action of the (fictional) Order of the Glass Lantern");
  REQUIRE(h.excerpts.size() == 1);
  CHECK(h.excerpts[0].pattern_index == 0);
  CHECK(h.excerpts[0].matched == "glass lantern calls");
}

TEST_CASE("excerpts are cut from the original text around each matching pattern") {
  const std::string before(200, 'x');
  const std::string after(200, 'y');
  const std::string obfuscated = "Crimson\u00A0\u00A0DАWN";  // Cyrillic А, two NBSP
  const std::string text = before + " " + obfuscated + " and JOIN THE\nMARCH " + after;
  const auto result = ExampleRules()->Match(text);
  REQUIRE(HitIds(result) == std::vector<std::string>{"cd-002"});
  const auto& ex = result.hits[0].excerpts;
  REQUIRE(ex.size() == 2);
  CHECK(ex[0].pattern_index == 0);
  CHECK(ex[0].matched == "Crimson DАWN");
  CHECK(ex[0].offset == before.size() + 1);
  CHECK(text.substr(ex[0].offset, obfuscated.size()) == obfuscated);
  CHECK(ex[0].text ==
        std::string(79, 'x') + " Crimson DАWN and JOIN THE MARCH " + std::string(60, 'y'));
  CHECK(ex[1].pattern_index == 1);
  CHECK(ex[1].matched == "JOIN THE MARCH");
}

TEST_CASE("excerpts keep whole characters at their edges") {
  std::string before;
  for (int i = 0; i < 100; ++i) before += "ж";
  const auto result = ExampleRules()->Match(before + " crimson dawn rises " + before);
  REQUIRE(result.hits.size() == 1);
  const auto& e = result.hits[0].excerpts.at(0);
  CHECK(test::IsValidUtf8(e.text));
  std::string side;
  for (int i = 0; i < 79; ++i) side += "ж";
  CHECK(e.text == side + " crimson dawn rises " + side);
}

TEST_CASE("invalid UTF-8 never crashes matching and is repaired in excerpts") {
  const auto set = ExampleRules();
  const auto result = set->Match("\xFF\xFE crimson dawn rises \xC3");
  REQUIRE(result.flagged);
  CHECK(result.hits[0].excerpts.at(0).text == "\uFFFD\uFFFD crimson dawn rises \uFFFD");
  CHECK_FALSE(set->Match("crimson\xFF"
                         "dawn rises")
                  .flagged);

  std::mt19937 rng(7);
  for (int iter = 0; iter < 500; ++iter) {
    std::string text;
    for (int k = 0; k < 200; ++k) text.push_back(static_cast<char>(rng() % 256));
    text.insert(rng() % text.size(), " crimson dawn rises ");
    const auto r = set->Match(text);
    for (const auto& hit : r.hits) {
      for (const auto& e : hit.excerpts) {
        CHECK(test::IsValidUtf8(e.text));
        CHECK(test::IsValidUtf8(e.matched));
      }
    }
  }
}

TEST_CASE("matching from several threads gives the same answers") {
  const auto set = ExampleRules();
  const std::vector<std::string> texts = {"crimson dawn rises", "nothing here",
                                          "#glass_lantern and the glass lantern wakes",
                                          "Crimson Dawn: join the march"};
  std::vector<std::vector<std::string>> expected;
  for (const auto& t : texts) expected.push_back(HitIds(set->Match(t)));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        const size_t k = static_cast<size_t>(i) % texts.size();
        if (HitIds(set->Match(texts[k])) != expected[k]) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches == 0);
}
