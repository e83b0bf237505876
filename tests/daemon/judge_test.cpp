// What one fetched page means under a rule set: judged, carried over, or not
// judged; evidence when first flagged or changed; content removed; how long a
// candidate that was not discovered is remembered.
#include <catch2/catch.hpp>
#include <thread>
#include <future>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "linkwatch/base/sha256.h"
#include "linkwatch/base/zstd.h"
#include "linkwatch/daemon/rules.h"
#include "linkwatch/daemon/discovery.h"
#include "linkwatch/matcher/normalize.h"
#include "test_support.h"

using namespace linkwatch;
using namespace linkwatch::daemon;
using nlohmann::json;

namespace {

constexpr char kRules[] = R"toml(
[[rule]]
id = "cd-001"
category = "extremist"
severity = 3
description = "Slogan"
legal_basis = "Court decision No. 2-1234/2021"
patterns = ['crimson\s+dawn\s+rises']
)toml";

const std::string kFlagged = "<html><body><p>Crimson <i>Dawn</i> rises</p></body></html>";
const std::string kClean = "<html><body><p>Weather report</p></body></html>";

struct Rules {
  test::TempDir dir;
  std::shared_ptr<const matcher::RuleSet> set;
  Rules() {
    test::WriteFile(dir.File("r.toml"), kRules);
    RuleSource source({dir.File("r.toml")}, {});
    auto loaded = source.Reload();
    REQUIRE(loaded.ok());
    set = *loaded;
  }
};

crawler::FetchResult Page(const std::string& body, int status = 200) {
  crawler::FetchResult r;
  r.url = r.final_url = "https://example.org/post";
  r.http_status = status;
  r.body = body;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
  return r;
}

// The link after a judgement of `body`, as storage hands it back.
storage::DueLink After(const Judgement& j, const std::string& body, std::optional<TimeMs> flagged_at) {
  storage::DueLink due;
  due.content_hash = Sha256Hex(body);
  due.flagged = j.flagged;
  due.matches = j.matches;
  due.rules_version = j.rules_version;
  due.flagged_at = flagged_at;
  if (flagged_at) due.flagged_sha256 = due.content_hash;  // its evidence is of this body
  return due;
}

}  // namespace

TEST_CASE("a flagged page is judged with its matches and evidence") {
  Rules rules;
  const Judgement j = Judge({}, Page(kFlagged), Sha256Hex(kFlagged), *rules.set);
  CHECK(j.judged);
  CHECK_FALSE(j.carried_over);
  CHECK(j.flagged);
  CHECK(j.rules_version == rules.set->version());
  CHECK(j.matched_ids == R"(["cd-001"])");
  const json matches = json::parse(j.matches);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0]["excerpt"] == "Crimson Dawn rises");
  REQUIRE(j.evidence.has_value());
  CHECK(j.evidence->sha256 == Sha256Hex(kFlagged));
  CHECK(j.evidence->body_bytes == static_cast<int64_t>(kFlagged.size()));
  CHECK(ZstdDecompress(j.evidence->body_zstd, kFlagged.size()).value() == kFlagged);
  CHECK(json::parse(j.evidence->headers) == json::array({{"Content-Type", "text/html; charset=utf-8"}}));
  CHECK(j.evidence->matches == j.matches);
}

TEST_CASE("an unchanged page under the same rules carries the judgement over without matching") {
  Rules rules;
  const Judgement first = Judge({}, Page(kFlagged), Sha256Hex(kFlagged), *rules.set);
  const storage::DueLink due = After(first, kFlagged, 1000);

  SECTION("the same bytes") {
    const Judgement again = Judge(due, Page(kFlagged), Sha256Hex(kFlagged), *rules.set);
    CHECK(again.judged);
    CHECK(again.carried_over);
    CHECK(again.flagged);
    CHECK(again.matches == first.matches);
    CHECK(again.matched_ids == R"(["cd-001"])");
    CHECK(again.match_us == 0);
    CHECK_FALSE(again.evidence.has_value());  // nothing new to keep
  }
  SECTION("a 304") {
    crawler::FetchResult r = Page("", 304);
    r.not_modified = true;
    const Judgement again = Judge(due, r, "", *rules.set);
    CHECK(again.carried_over);
    CHECK(again.flagged);
    CHECK(again.rules_version == rules.set->version());
  }
  SECTION("another rule set judges the same bytes anew") {
    storage::DueLink old = due;
    old.rules_version = std::string(64, 'f');
    const Judgement again = Judge(old, Page(kFlagged), Sha256Hex(kFlagged), *rules.set);
    CHECK_FALSE(again.carried_over);
    CHECK(again.flagged);
    CHECK_FALSE(again.evidence.has_value());  // flagged before, same content
  }
  SECTION("changed flagged content keeps a new snapshot") {
    const std::string edited = kFlagged + "<p>more</p>";
    const Judgement again = Judge(due, Page(edited), Sha256Hex(edited), *rules.set);
    CHECK_FALSE(again.carried_over);
    REQUIRE(again.evidence.has_value());
    CHECK(again.evidence->sha256 == Sha256Hex(edited));
  }
}

TEST_CASE("errors, 404s and a 304 under new rules judge nothing") {
  Rules rules;
  crawler::FetchResult failed = Page("");
  failed.http_status = 0;
  failed.error = crawler::FetchError::kTimeout;
  CHECK_FALSE(Judge({}, failed, "", *rules.set).judged);
  CHECK_FALSE(Judge({}, Page(kFlagged, 404), "", *rules.set).judged);
  crawler::FetchResult not_modified = Page("", 304);
  not_modified.not_modified = true;
  CHECK_FALSE(Judge({}, not_modified, "", *rules.set).judged);  // never judged: nothing to carry
}

TEST_CASE("a page that was flagged and no longer is counts as removed, with the reason") {
  Rules rules;
  const Judgement flagged = Judge({}, Page(kFlagged), Sha256Hex(kFlagged), *rules.set);
  const Judgement clean = Judge(After(flagged, kFlagged, 1000), Page(kClean), Sha256Hex(kClean), *rules.set);
  REQUIRE(clean.judged);
  CHECK_FALSE(clean.flagged);
  CHECK(clean.matches == "[]");

  const std::string clean_sha = Sha256Hex(kClean);
  std::string reason;
  CHECK(ApplyJudgement(After(flagged, kFlagged, 1000), clean, clean_sha, true, "alive", &reason) == "removed");
  CHECK(reason == kContentRemovedReason);
  // The next check finds the same clean page (carried over, or a 304): still removed.
  const storage::DueLink removed = After(clean, kClean, 1000);
  storage::DueLink still = removed;
  still.flagged_sha256 = Sha256Hex(kFlagged);
  const Judgement again = Judge(still, Page(kClean), clean_sha, *rules.set);
  REQUIRE(again.carried_over);
  reason.clear();
  CHECK(ApplyJudgement(still, again, clean_sha, true, "alive", &reason) == "removed");
  CHECK(reason == kContentRemovedReason);
  reason.clear();  // a 304 observes "removed", as the last check did, and says why again
  CHECK(ApplyJudgement(still, again, clean_sha, true, "removed", &reason) == "removed");
  CHECK(reason == kContentRemovedReason);
  reason.clear();  // a page marker's "removed", judged afresh, is the marker's, not this reason
  CHECK(ApplyJudgement(After(flagged, kFlagged, 1000), clean, clean_sha, true, "removed", &reason) == "removed");
  CHECK(reason.empty());

  // Never flagged: a clean page is simply alive; other statuses are not overridden.
  reason.clear();
  CHECK(ApplyJudgement({}, clean, clean_sha, true, "alive", &reason) == "alive");
  CHECK(reason.empty());
  CHECK(ApplyJudgement(After(flagged, kFlagged, 1000), clean, clean_sha, true, "blocked", &reason) == "blocked");
  CHECK(ApplyJudgement(After(flagged, kFlagged, 1000), Judgement{}, clean_sha, true, "alive", &reason) == "alive");
}

TEST_CASE("a rule set that no longer flags the same page leaves it alive: the rules changed and not the page") {
  Rules rules;
  const Judgement flagged = Judge({}, Page(kFlagged), Sha256Hex(kFlagged), *rules.set);
  REQUIRE(flagged.flagged);
  const storage::DueLink due = After(flagged, kFlagged, 1000);
  // The rule is gone: the same body is judged again under a set without it.
  test::TempDir dir;
  test::WriteFile(dir.File("other.toml"), R"toml(
[[rule]]
id = "xx-001"
category = "extremist"
severity = 1
description = "Other"
legal_basis = "Court decision No. 1"
patterns = ['nothing\s+here\s+matches']
)toml");
  RuleSource source({dir.File("other.toml")}, {});
  REQUIRE(source.Reload().ok());
  const Judgement rejudged = Judge(due, Page(kFlagged), Sha256Hex(kFlagged), *source.Current());
  REQUIRE(rejudged.judged);
  REQUIRE_FALSE(rejudged.carried_over);
  CHECK_FALSE(rejudged.flagged);
  std::string reason;
  CHECK(ApplyJudgement(due, rejudged, Sha256Hex(kFlagged), true, "alive", &reason) == "alive");
  CHECK(reason.empty());
  // A 304 answers with the digest of the last body: the same.
  CHECK(ApplyJudgement(due, rejudged, due.content_hash, true, "alive", &reason) == "alive");
  // The page then changes, still unflagged: now the content is gone.
  CHECK(ApplyJudgement(due, rejudged, Sha256Hex(kClean), true, "alive", &reason) == "removed");
  CHECK(reason == kContentRemovedReason);

  // Most pages differ in every fetch (a view counter): the same material with another
  // counter, under the new rules. The new rules do not flag the evidence either: alive.
  const std::string recounted = "<html><body><p>Crimson <i>Dawn</i> rises</p><p>1,235 views</p></body></html>";
  reason.clear();
  const PageJudge new_judge(source, nullptr, {});
  CHECK_FALSE(new_judge.FlagsBody(kFlagged, "https://example.org/post"));
  const Judgement counted = Judge(due, Page(recounted), Sha256Hex(recounted), *source.Current());
  CHECK(ApplyJudgement(due, counted, Sha256Hex(recounted), new_judge.FlagsBody(kFlagged, "https://example.org/post"),
                       "alive", &reason) == "alive");
  CHECK(reason.empty());
}

TEST_CASE("FlagsBody judges a stored body under the rules in force") {
  Rules rules;
  RuleSource source({rules.dir.File("r.toml")}, {});
  REQUIRE(source.Reload().ok());
  const PageJudge judge(source, nullptr, {});
  CHECK(judge.FlagsBody(kFlagged, "https://example.org/post"));
  CHECK_FALSE(judge.FlagsBody(kClean, "https://example.org/post"));
}

TEST_CASE("a refused reload keeps the running rule set") {
  test::TempDir dir;
  test::WriteFile(dir.File("r.toml"), kRules);
  RuleSource source({dir.File("r.toml")}, {});
  CHECK(source.Current()->rules().empty());  // before the first load: the empty set
  REQUIRE(source.Reload().ok());
  const auto running = source.Current();
  test::WriteFile(dir.File("r.toml"), std::string(kRules) + "[[rule]]\nid = \"cd-001\"\n");
  std::vector<matcher::LoadError> errors;
  auto refused = source.Reload(&errors);
  REQUIRE_FALSE(refused.ok());
  CHECK_FALSE(errors.empty());
  CHECK(source.Current() == running);
  CHECK(source.Current()->rules().size() == 1);
}

TEST_CASE("a reload that would empty the running rule set is refused, one that starts empty is not") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.File("rules"));
  RuleSource source({dir.File("rules")}, {});
  REQUIRE(source.Reload().ok());  // a new deployment: no rules yet, nothing to unflag
  CHECK(source.Current()->rules().empty());
  test::WriteFile(dir.File("rules/r.toml"), kRules);
  REQUIRE(source.Reload().ok());
  const auto running = source.Current();
  REQUIRE(running->rules().size() == 1);
  std::filesystem::remove(dir.File("rules/r.toml"));  // the directory emptied by mistake
  std::vector<matcher::LoadError> errors;
  auto refused = source.Reload(&errors);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("now hold no rules (1 in force)") &&
                                             Catch::Contains(dir.File("rules")) &&
                                             Catch::Contains("the running set stays"));
  CHECK(errors.size() == 1);
  CHECK(source.Current() == running);
}

TEST_CASE("a second reload while one runs is refused at once, not queued") {
  test::TempDir dir;
  std::string slow;  // about a second to compile (and then refused as too large together)
  for (int i = 0; i < 30; ++i) {
    std::string pattern = "w";
    pattern.append(std::to_string(i)).append(R"([\pL\pN]{60})");
    slow += "[[rule]]\nid = \"w-" + std::to_string(100 + i) + "\"\ncategory = \"extremist\"\nseverity = 1\n"
            "description = \"d\"\nlegal_basis = \"b\"\npatterns = ['" + pattern + "']\n\n";
  }
  test::WriteFile(dir.File("slow.toml"), slow);
  RuleSource source({dir.File("slow.toml")}, {});
  auto first = std::async(std::launch::async, [&] { return source.Reload().status(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::vector<matcher::LoadError> errors;
  auto second = source.Reload(&errors);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Status::Code::kUnavailable);
  CHECK_THAT(second.status().message(), Catch::Contains("a reload of the rules is already running"));
  CHECK(first.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);  // answered while it ran
  CHECK_THAT(first.get().message(), Catch::Contains("instructions together"));
}

TEST_CASE("a reload that would drop every rule but keep the hashes, or the reverse, is refused") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.File("rules"));
  test::WriteFile(dir.File("rules/r.toml"), kRules);
  test::WriteFile(dir.File("hashes.txt"),
                  "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a extremist \"Order 1\" x\n");
  matcher::LoadOptions options;
  options.hash_paths = {dir.File("hashes.txt")};
  RuleSource source({dir.File("rules")}, options);
  REQUIRE(source.Reload().ok());
  const auto running = source.Current();
  REQUIRE(running->hash_entries().size() == 1);

  std::filesystem::rename(dir.File("rules/r.toml"), dir.File("r.toml.moved"));  // the rules moved away
  auto no_rules = source.Reload();
  REQUIRE_FALSE(no_rules.ok());
  CHECK_THAT(no_rules.status().message(), Catch::Contains("now hold no rules (1 in force)"));
  CHECK(source.Current() == running);

  std::filesystem::rename(dir.File("r.toml.moved"), dir.File("rules/r.toml"));
  test::WriteFile(dir.File("hashes.txt"), "");  // the hash list truncated
  auto no_hashes = source.Reload();
  REQUIRE_FALSE(no_hashes.ok());
  CHECK_THAT(no_hashes.status().message(), Catch::Contains("now hold no hash entries (1 in force)") &&
                                               Catch::Contains(dir.File("hashes.txt")));
  CHECK(source.Current() == running);
}

namespace {

const std::string kCounted =
    R"(<html><head><meta name="interactionCount" content="1234"></head><body><p>Weather report</p></body></html>)";

std::shared_ptr<const matcher::RuleSet> EmptyRules() {
  auto empty = matcher::RuleSet::Load({}, {});
  REQUIRE(empty.ok());
  return *empty;
}

void CheckUnknownCounters(const Judgement& j) {
  CHECK(j.reach.counters_seen);  // the page was judged: its counters are known to be absent
  CHECK_FALSE(j.reach.views.has_value());
  CHECK_FALSE(j.reach.shares.has_value());
  CHECK_FALSE(j.reach.likes.has_value());
  CHECK_FALSE(j.reach.comments.has_value());
}

}  // namespace

TEST_CASE("with no rules a page without counters is judged unread, as an empty page") {
  const auto empty = EmptyRules();
  const Judgement j = Judge({}, Page(kClean), Sha256Hex(kClean), *empty);
  CHECK(j.judged);
  CHECK_FALSE(j.carried_over);
  CHECK_FALSE(j.page_read);
  CHECK_FALSE(j.flagged);
  CHECK(j.rules_version == empty->version());
  CHECK(j.matches == "[]");
  CHECK(j.matched_ids == "[]");
  CheckUnknownCounters(j);
  CHECK(j.reach.fingerprint.empty());
  CHECK(j.outlinks.empty());
  CHECK_FALSE(j.evidence.has_value());

  // The same as a page that is read and holds nothing (a rule that never hits).
  test::TempDir dir;
  test::WriteFile(dir.File("r.toml"), kRules);
  RuleSource source({dir.File("r.toml")}, {});
  REQUIRE(source.Reload().ok());
  const Judgement read = Judge({}, Page(kClean), Sha256Hex(kClean), *source.Current());
  CHECK(read.page_read);
  CHECK(read.matches == j.matches);
  CHECK(read.reach.counters_seen == j.reach.counters_seen);
  CHECK(read.reach.views == j.reach.views);

  // A previously flagged link whose page no longer matches still counts as removed.
  std::string reason;
  CHECK(ApplyJudgement(After(read, kFlagged, 1000), j, Sha256Hex(kClean), true, "alive", &reason) == "removed");
}

TEST_CASE("with no rules a page is still read for its counters, a discovered link and hash lists") {
  const auto empty = EmptyRules();
  SECTION("a page that carries counters") {
    const Judgement j = Judge({}, Page(kCounted), Sha256Hex(kCounted), *empty);
    CHECK(j.page_read);
    CHECK(j.reach.counters_seen);
    CHECK(j.reach.views == 1234);
  }
  SECTION("a per-site counter rule for the page's host") {
    crawler::ExtractOptions extract;
    // Built whole: assigning "p" trips GCC 12's -Wrestrict false positive in Release.
    extract.site_counters.push_back(
        crawler::SiteCounterRule{"weather", {"example.org"}, crawler::CounterKind::kViews, "p", "", "", ""});
    const std::string body = "<html><body><p>55 views</p></body></html>";
    const Judgement j = Judge({}, Page(body), Sha256Hex(body), *empty, extract);
    CHECK(j.page_read);
    CHECK(j.reach.views == 55);
    extract.site_counters[0].hosts = {"other.example"};
    CHECK_FALSE(Judge({}, Page(body), Sha256Hex(body), *empty, extract).page_read);
  }
  SECTION("a discovered link keeps its identity") {
    storage::DueLink due;
    due.origin = "discovered";
    const Judgement j = Judge(due, Page(kClean), Sha256Hex(kClean), *empty);
    CHECK(j.page_read);
    CHECK_FALSE(j.reach.fingerprint.empty());
    CHECK(j.reach.cluster_key == j.reach.fingerprint);
  }
  SECTION("a hash list of normalized text") {
    test::TempDir dir;
    test::WriteFile(dir.File("known.txt"), Sha256Hex(matcher::Normalize("Weather report")) + " extremist Decision-7\n");
    matcher::LoadOptions options;
    options.hash_paths = {dir.File("known.txt")};
    auto hashes = matcher::RuleSet::Load({}, options);
    REQUIRE(hashes.ok());
    REQUIRE((*hashes)->rules().empty());
    const Judgement j = Judge({}, Page(kClean), Sha256Hex(kClean), **hashes);
    CHECK(j.page_read);
    CHECK(j.flagged);
  }
}

TEST_CASE("a candidate whose fetch failed for a passing reason is tried again within the hour") {
  DiscoveryConfig config;
  config.remember_s = 7 * 24 * 3600;
  const int64_t week_ms = config.remember_s * 1000;
  CHECK(CandidateRememberMs(Page(kClean), config) == week_ms);              // read: nothing known
  CHECK(CandidateRememberMs(Page("", 404), config) == week_ms);             // an answer: not there
  CHECK(CandidateRememberMs(Page("", 500), config) == kFailedCandidateRetryS * 1000);
  CHECK(CandidateRememberMs(Page("", 429), config) == kFailedCandidateRetryS * 1000);
  crawler::FetchResult refused = Page("", 0);
  refused.error = crawler::FetchError::kConnect;
  CHECK(CandidateRememberMs(refused, config) == kFailedCandidateRetryS * 1000);
  config.remember_s = 60;  // shorter than the hour: kept
  CHECK(CandidateRememberMs(refused, config) == 60'000);
}
