#include <catch2/catch.hpp>

#include "linkwatch/base/sha256.h"
#include "linkwatch/matcher/rule_set.h"
#include "test_files.h"

using namespace linkwatch::matcher;
using linkwatch::Sha256Hex;
using test::RuleToml;
using test::TempDir;

namespace {

const std::string kLeaflet = "The Crimson Dawn rises.\nJoin the march!";
const std::string kBody = "<html><body><p>The Crimson Dawn rises.</p></body></html>";

// Loads one rule file plus the given hash list files.
linkwatch::Result<std::shared_ptr<const RuleSet>> LoadWithHashes(
    const TempDir& dir, const std::vector<std::string>& hash_paths,
    std::vector<LoadError>* errors = nullptr) {
  LoadOptions options;
  options.hash_paths = hash_paths;
  return RuleSet::Load({dir.Write("rules.toml", RuleToml("r-1", {"unrelated"}))}, options, errors);
}

}  // namespace

TEST_CASE("hash list entries flag normalized text and raw bodies") {
  TempDir dir;
  const std::string text_digest = Sha256Hex(Normalize(kLeaflet));
  const auto list = dir.Write(
      "known.txt", "# known copies\n\n" + text_digest +
                       " extremist \"Court decision No. 2-1234/2021\" \"leaflet text\"\n" +
                       Sha256Hex(kBody) + "\tterrorist Decision-7\n");
  auto set = LoadWithHashes(dir, {list});
  INFO(set.status().ToString());
  REQUIRE(set.ok());
  REQUIRE((*set)->hash_entries().size() == 2);

  // The same text with other case, spacing and look-alikes has the same normalized digest.
  const auto r = (*set)->Match("THE  Сrimson DAWN rises. Join\u200B the march!", kBody);
  CHECK(r.flagged);
  CHECK(r.hits.empty());
  REQUIRE(r.hash_hits.size() == 2);
  CHECK(r.hash_hits[0].kind == HashHit::Kind::kNormalizedText);
  CHECK(r.hash_hits[0].sha256 == text_digest);
  CHECK(r.hash_hits[0].category == "extremist");
  CHECK(r.hash_hits[0].legal_basis == "Court decision No. 2-1234/2021");
  CHECK(r.hash_hits[0].label == "leaflet text");
  CHECK(r.hash_hits[1].kind == HashHit::Kind::kRawBody);
  CHECK(r.hash_hits[1].category == "terrorist");
  CHECK(r.hash_hits[1].legal_basis == "Decision-7");
  CHECK(r.hash_hits[1].label.empty());

  CHECK_FALSE((*set)->Match("The Crimson Dawn rises. Join the march!!").flagged);
  CHECK_FALSE((*set)->Match("other text", kBody + " ").flagged);
  CHECK((*set)->Match("other text", kBody).flagged);
}

TEST_CASE("hash lists change the version") {
  TempDir dir;
  const auto list = dir.Write("a.txt", Sha256Hex("x") + " extremist basis\n");
  auto without = LoadWithHashes(dir, {});
  auto with = LoadWithHashes(dir, {list});
  REQUIRE(without.ok());
  REQUIRE(with.ok());
  CHECK((*without)->version() != (*with)->version());
}

TEST_CASE("a hash directory loads its .txt files") {
  TempDir dir;
  dir.Write("a.txt", Sha256Hex("a") + " extremist basis\n");
  dir.Write("b.txt", Sha256Hex("b") + " terrorist basis label\n");
  dir.Write("c.toml", "not a hash list");
  auto set = LoadWithHashes(dir, {dir.path()});
  INFO(set.status().ToString());
  REQUIRE(set.ok());
  CHECK((*set)->hash_entries().size() == 2);
}

const std::string good = Sha256Hex("good");  // used inside GENERATE, so not a local

TEST_CASE("invalid hash lines are reported with file and line") {
  const auto [line, expected] = GENERATE(table<std::string, std::string>({
      {"abc extremist basis", R"("abc" is not a SHA-256 digest (64 hex digits))"},
      {std::string(good, 0, 63).append("g extremist basis"),
       std::string("\"").append(good, 0, 63).append("g\" is not a SHA-256 digest (64 hex digits)")},
      {good + " gossip basis", R"(unknown category "gossip")"},
      {good + " extremist", R"(expected "<sha256> <category> <legal_basis> [label]")"},
      {good + " extremist a b c", "too many fields (quote a field that holds blanks)"},
      {good + " extremist \"open basis", "unterminated quoted field"},
      {good + " extremist \"\"", "the legal basis is empty"},
      {good + " extremist \"a\"b", "a quoted field must be followed by a blank"},
      {"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 extremist basis",
       "\"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\" is the SHA-256 of empty "
       "content: it would flag every page without text"},
  }));
  TempDir dir;
  const auto list = dir.Write("h.txt", "# header\n" + good + " extremist ok\n\n" + line + "\n");
  std::vector<LoadError> errors;
  auto set = LoadWithHashes(dir, {list}, &errors);
  REQUIRE_FALSE(set.ok());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].ToString() == list + ":4: " + expected);
}

TEST_CASE("a digest listed twice is refused") {
  TempDir dir;
  const std::string d = Sha256Hex("dup");
  const auto a = dir.Write("a.txt", d + " extremist one\n");
  std::string upper = d;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto b = dir.Write("b.txt", "\n" + upper + " terrorist two\n");
  std::vector<LoadError> errors;
  REQUIRE_FALSE(LoadWithHashes(dir, {a, b}, &errors).ok());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].ToString() == b + ":2: duplicate digest " + d + " (first at " + a + ":1)");
}

TEST_CASE("the example hash list loads and matches its leaflet") {
  LoadOptions options;
  options.hash_paths = {LINKWATCH_SOURCE_DIR "/conf/hashes"};
  auto set = RuleSet::Load({LINKWATCH_SOURCE_DIR "/conf/rules"}, options);
  INFO(set.status().ToString());
  REQUIRE(set.ok());
  REQUIRE((*set)->hash_entries().size() == 1);
  const auto r = (*set)->Match(
      "The Crimson Dawn is near. Join the march on the tenth of Ember. (A fictional leaflet.)");
  REQUIRE(r.hash_hits.size() == 1);
  CHECK(r.hash_hits[0].category == "extremist");
}
