#include <algorithm>
#include <catch2/catch.hpp>

#include "linkwatch/matcher/rule_set.h"
#include "test_files.h"

using namespace linkwatch::matcher;
using linkwatch::Status;
using test::RuleToml;
using test::TempDir;

namespace {

// A valid rule with one line replaced (1-based), to place an error on a known line.
//  1 [[rule]]
//  2 id = "cd-001"
//  3 category = "extremist"
//  4 severity = 3
//  5 description = "Slogan"
//  6 legal_basis = "Decision 1"
//  7 patterns = [
//  8   'crimson\s+dawn',
//  9   'rises\s+again',
// 10 ]
// 11 min_hits = 1
// 12 exclude = ['history\s+lesson']
std::string RuleWithLine(int line, const std::string& replacement) {
  std::vector<std::string> lines = {"[[rule]]",
                                    "id = \"cd-001\"",
                                    "category = \"extremist\"",
                                    "severity = 3",
                                    "description = \"Slogan\"",
                                    "legal_basis = \"Decision 1\"",
                                    "patterns = [",
                                    "  'crimson\\s+dawn',",
                                    "  'rises\\s+again',",
                                    "]",
                                    "min_hits = 1",
                                    "exclude = ['history\\s+lesson']"};
  if (line > 0) lines[line - 1] = replacement;
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// The errors of loading `content` as x.toml, as strings with the directory cut off.
std::vector<std::string> LoadErrors(const std::string& content, const LoadOptions& options = {}) {
  TempDir dir;
  std::vector<LoadError> errors;
  auto set = RuleSet::Load({dir.Write("x.toml", content)}, options, &errors);
  CHECK_FALSE(set.ok());
  std::vector<std::string> out;
  for (auto e : errors) {
    e.file = e.file.substr(dir.path().size() + 1);
    out.push_back(e.ToString());
  }
  return out;
}

}  // namespace

TEST_CASE("the unmodified test rule loads") {
  TempDir dir;
  auto set = RuleSet::Load({dir.Write("x.toml", RuleWithLine(0, ""))});
  REQUIRE(set.ok());
  REQUIRE((*set)->rules().size() == 1);
  const Rule& r = (*set)->rules()[0];
  CHECK(r.id == "cd-001");
  CHECK(r.category == "extremist");
  CHECK(r.severity == 3);
  CHECK(r.description == "Slogan");
  CHECK(r.legal_basis == "Decision 1");
  CHECK(r.patterns == std::vector<std::string>{R"(crimson\s+dawn)", R"(rises\s+again)"});
  CHECK(r.exclude == std::vector<std::string>{R"(history\s+lesson)"});
  CHECK(r.min_hits == 1);
  CHECK(r.line == 1);
  CHECK((*set)->version().size() == 64);
}

TEST_CASE("each kind of rule error names file, line and rule") {
  const auto [line, replacement, expected] = GENERATE(table<int, std::string, std::string>({
      {9, "  '(abc',", R"(x.toml:9: rule "cd-001": pattern 2 does not compile: missing ): (abc)"},
      {12, "exclude = ['a++']",
       R"(x.toml:12: rule "cd-001": exclude 1 does not compile: bad repetition operator: ++)"},
      {9, "  'x*',",
       R"(x.toml:9: rule "cd-001": pattern 2 matches the empty text (it would hit every page))"},
      {9, "  '',",
       R"(x.toml:9: rule "cd-001": pattern 2 matches the empty text (it would hit every page))"},
      {9, "  'crimson\\s+dawn',", R"(x.toml:9: rule "cd-001": pattern 2 repeats pattern 1)"},
      {3, "category = \"gossip\"",
       R"(x.toml:3: rule "cd-001": unknown category "gossip" (allowed: "extremist", "terrorist"))"},
      {4, "severity = 7", R"(x.toml:4: rule "cd-001": severity 7 is out of range 1..5)"},
      {4, "severity = 0", R"(x.toml:4: rule "cd-001": severity 0 is out of range 1..5)"},
      {4, "severity = \"high\"", R"(x.toml:4: rule "cd-001": "severity" must be an integer)"},
      {5, "description = \"\"",
       R"(x.toml:5: rule "cd-001": "description" must be a non-empty string)"},
      {6, "legal_basis = 12",
       R"(x.toml:6: rule "cd-001": "legal_basis" must be a non-empty string)"},
      {6, "# no legal basis", R"(x.toml:1: rule "cd-001": missing key "legal_basis")"},
      {2, "id = \"bad id!\"",
       R"(x.toml:2: "id" must be a string of 1-64 letters, digits, '.', '_', '-')"},
      {2, "# no id", R"(x.toml:1: missing key "id")"},
      {11, "min_hits = 3",
       R"(x.toml:11: rule "cd-001": min_hits 3 exceeds the number of patterns (2))"},
      {11, "min_hits = 0", R"(x.toml:11: rule "cd-001": min_hits must be at least 1)"},
      {11, "min_hit = 1", R"(x.toml:11: rule "cd-001": unknown key "min_hit")"},
      {9, "  42,", R"(x.toml:9: rule "cd-001": "patterns" must be a non-empty array of strings)"},
      {12, "exclude = 'x'", R"(x.toml:12: rule "cd-001": "exclude" must be an array of strings)"},
      {3, "category = ", "x.toml:3: TOML syntax error (column 12): "},
  }));
  INFO("line " << line << ": " << replacement);
  const auto errors = LoadErrors(RuleWithLine(line, replacement));
  REQUIRE(errors.size() == 1);
  if (expected.back() == ' ') {
    CHECK(errors[0].rfind(expected, 0) == 0);  // the parser's own words follow
  } else {
    CHECK(errors[0] == expected);
  }
}

TEST_CASE("patterns in an empty or missing list are refused") {
  const auto missing = LoadErrors(
      "[[rule]]\nid = \"a\"\ncategory = \"extremist\"\nseverity = 1\n"
      "description = \"d\"\nlegal_basis = \"b\"\n");
  CHECK(missing == std::vector<std::string>{R"(x.toml:1: rule "a": missing key "patterns")"});
  const auto empty = LoadErrors(
      "[[rule]]\nid = \"a\"\ncategory = \"extremist\"\nseverity = 1\n"
      "description = \"d\"\nlegal_basis = \"b\"\npatterns = []\n");
  CHECK(empty == std::vector<std::string>{
                     R"(x.toml:7: rule "a": "patterns" must be a non-empty array of strings)"});
}

TEST_CASE("top-level keys other than [[rule]] are refused") {
  CHECK(LoadErrors("title = \"x\"\n" + RuleWithLine(0, "")) ==
        std::vector<std::string>{
            R"(x.toml:1: unknown top-level key "title" (rules are [[rule]] tables))"});
  CHECK(LoadErrors("rule = 5\n") ==
        std::vector<std::string>{R"(x.toml:1: "rule" must be an array of tables ([[rule]]))"});
}

TEST_CASE("all errors of a file are reported, not just the first") {
  std::string text = RuleWithLine(4, "severity = 9");
  text += RuleToml("cd-002", {"(unclosed"}, 1, {}, "gossip");
  const auto errors = LoadErrors(text);
  CHECK(
      errors ==
      std::vector<std::string>{
          R"(x.toml:4: rule "cd-001": severity 9 is out of range 1..5)",
          R"(x.toml:15: rule "cd-002": unknown category "gossip" (allowed: "extremist", "terrorist"))",
          R"(x.toml:20: rule "cd-002": pattern 1 does not compile: missing ): (unclosed)"});
}

TEST_CASE("a pattern too large to compile quickly is refused, and so are patterns too large together") {
  const auto one = LoadErrors(RuleToml("big-1", {R"(q[\pL\pN]{300})"}));
  REQUIRE(one.size() == 1);
  CHECK_THAT(one[0], Catch::StartsWith(R"(x.toml:8: rule "big-1": pattern 1 is too large: it compiles to more than 100000 instructions)"));
  // Each fits (about 80,000 instructions), 30 of them do not: refused before RE2::Set is built.
  std::string many;
  for (int i = 0; i < 30; ++i) {
    std::string pattern = "w";
    pattern.append(std::to_string(i)).append(R"([\pL\pN]{60})");
    many += RuleToml("wide-" + std::to_string(100 + i), {pattern}) + "\n";
  }
  TempDir dir;
  std::vector<LoadError> errors;
  const auto file = dir.Write("many.toml", many);
  auto set = RuleSet::Load({file}, {}, &errors);
  REQUIRE_FALSE(set.ok());
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0].ToString(),
             Catch::Contains("instructions together, more than the 2000000 a rule set may hold; the largest: " + file + ":") &&
                 Catch::Contains(R"(: rule "wide-)"));
}

TEST_CASE("duplicate ids across two files are refused with both places") {
  TempDir dir;
  const auto a = dir.Write("a.toml", RuleToml("same", {"alpha"}));
  const auto b = dir.Write("b.toml", "\n\n" + RuleToml("same", {"beta"}));
  std::vector<LoadError> errors;
  auto set = RuleSet::Load({a, b}, {}, &errors);
  REQUIRE_FALSE(set.ok());
  CHECK(set.status().code() == Status::Code::kInvalidArgument);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].ToString() ==
        b + ":3: rule \"same\": duplicate id (first defined at " + a + ":1)");
  CHECK(set.status().message() == errors[0].ToString());
}

TEST_CASE("one broken file refuses the whole set") {
  TempDir dir;
  dir.Write("a.toml", RuleToml("good", {"alpha"}));
  dir.Write("b.toml", RuleToml("bad", {"(beta"}));
  auto set = RuleSet::Load({dir.path()});
  REQUIRE_FALSE(set.ok());
  CHECK(set.status().message() ==
        dir.path() + "/b.toml:8: rule \"bad\": pattern 1 does not compile: missing ): (beta");
}

TEST_CASE("a directory loads its .toml files and nothing else") {
  TempDir dir;
  dir.Write("b.toml", RuleToml("r-b", {"beta"}));
  dir.Write("a.toml", RuleToml("r-a", {"alpha"}) + RuleToml("r-c", {"gamma"}));
  dir.Write("notes.txt", "not a rule file [[[");
  dir.Write("c.toml.bak", "broken [[[");
  auto set = RuleSet::Load({dir.path() + "/"});
  INFO(set.status().ToString());
  REQUIRE(set.ok());
  std::vector<std::string> ids;
  for (const auto& r : (*set)->rules()) ids.push_back(r.id);
  CHECK(ids == std::vector<std::string>{"r-a", "r-b", "r-c"});
  CHECK((*set)->rules()[1].file == dir.path() + "/b.toml");
}

TEST_CASE("an empty rule directory loads and flags nothing") {
  TempDir dir;
  auto set = RuleSet::Load({dir.path()});
  REQUIRE(set.ok());
  CHECK((*set)->rules().empty());
  CHECK_FALSE((*set)->Match("anything at all").flagged);
}

TEST_CASE("an empty or comments-only rule file is refused, naming the file") {
  const std::string content = GENERATE(std::string(""), std::string("# rules moved to b.toml\n\n"));
  TempDir dir;
  dir.Write("a.toml", RuleToml("r-a", {"alpha"}));
  const auto empty = dir.Write("b.toml", content);
  std::vector<LoadError> errors;
  auto set = RuleSet::Load({dir.path()}, {}, &errors);
  REQUIRE_FALSE(set.ok());
  CHECK(set.status().code() == Status::Code::kInvalidArgument);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].file == empty);
  CHECK(errors[0].line == 1);
  CHECK_THAT(set.status().message(), Catch::Contains(empty + ":1: no [[rule]] in this file"));
}

TEST_CASE("a missing path is an I/O error") {
  TempDir dir;
  auto set = RuleSet::Load({dir.path() + "/nope.toml"});
  REQUIRE_FALSE(set.ok());
  CHECK(set.status().code() == Status::Code::kIOError);
  CHECK(set.status().message() ==
        dir.path() + "/nope.toml: cannot read: No such file or directory");
}

TEST_CASE("extra categories are allowed when configured") {
  TempDir dir;
  const auto f = dir.Write("x.toml", RuleToml("p-1", {"alpha"}, 1, {}, "propaganda"));
  CHECK_FALSE(RuleSet::Load({f}).ok());
  LoadOptions options;
  options.extra_categories = {"propaganda"};
  auto set = RuleSet::Load({f}, options);
  REQUIRE(set.ok());
  CHECK((*set)->rules()[0].category == "propaganda");
}

TEST_CASE("the version does not depend on file order or file names") {
  TempDir one, two;
  const auto a = one.Write("a.toml", RuleToml("r-1", {"alpha"}) + RuleToml("r-2", {"beta"}));
  const auto b = one.Write("b.toml", RuleToml("r-3", {"gamma"}, 1, {"delta"}));
  const auto c = two.Write("z.toml", RuleToml("r-3", {"gamma"}, 1, {"delta"}) +
                                         RuleToml("r-2", {"beta"}) + RuleToml("r-1", {"alpha"}));
  const auto ab = RuleSet::Load({a, b});
  const auto ba = RuleSet::Load({b, a});
  const auto z = RuleSet::Load({c});
  REQUIRE(ab.ok());
  REQUIRE(ba.ok());
  REQUIRE(z.ok());
  CHECK((*ab)->version() == (*ba)->version());
  CHECK((*ab)->version() == (*z)->version());
}

TEST_CASE("the version changes with anything that affects matching") {
  const std::string base = RuleToml("r-1", {"alpha", "beta"}, 1, {"gamma"});
  const auto changed = GENERATE(as<std::string>{}, RuleToml("r-1", {"alpha", "betа"}, 1, {"gamma"}),
                                RuleToml("r-1", {"alpha", "beta"}, 2, {"gamma"}),
                                RuleToml("r-1", {"alpha", "beta"}, 1, {}),
                                RuleToml("r-1", {"alpha", "beta"}, 1, {"gamma"}, "terrorist"),
                                RuleToml("r-1", {"alpha", "beta"}, 1, {"gamma"}, "extremist", 4),
                                RuleToml("r-2", {"alpha", "beta"}, 1, {"gamma"}),
                                RuleToml("r-1", {"beta", "alpha"}, 1, {"gamma"}));
  const auto v0 = test::LoadRules(base)->version();
  CHECK(test::LoadRules(base)->version() == v0);
  CHECK(test::LoadRules(changed)->version() != v0);
  LoadOptions plain;
  plain.normalize.map_confusables = false;
  CHECK(test::LoadRules(base, plain)->version() != v0);
}
