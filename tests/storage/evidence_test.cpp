// Rule judgements and evidence: what a judged check does to its link, the
// content-addressed bodies, the audit rows, and the refusals.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "checks_fixture.h"
#include "linkwatch/base/sha256.h"
#include "linkwatch/base/zstd.h"

namespace linkwatch::storage::testing {
namespace {

const std::string kVersion(64, 'a');
const std::string kMatches =
    R"([{"kind":"rule","rule_id":"cd-001","category":"extremist","excerpt":"crimson dawn rises"}])";

std::string Hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

EvidenceSnapshot Snapshot(const std::string& body) {
  EvidenceSnapshot e;
  e.sha256 = Sha256Hex(body);
  e.body_zstd = ZstdCompress(body);
  e.body_bytes = static_cast<int64_t>(body.size());
  e.headers = R"([["content-type","text/html; charset=utf-8"]])";
  e.matches = kMatches;
  return e;
}

// A flagged judgement of `body` with its snapshot.
CheckOutcome Flagged(const DueLink& l, TimeMs at, const std::string& body) {
  CheckOutcome o = Outcome(l, at);
  o.content_hash = Sha256Hex(body);
  o.judged = true;
  o.flagged = true;
  o.matches = kMatches;
  o.matched_rules = R"(["cd-001"])";
  o.rules_version = kVersion;
  o.evidence = Snapshot(body);
  return o;
}

CheckOutcome Clean(const DueLink& l, TimeMs at, const std::string& body) {
  CheckOutcome o = Outcome(l, at);
  o.content_hash = Sha256Hex(body);
  o.judged = true;
  o.rules_version = kVersion;
  return o;
}

TEST_CASE("a flagged check stores its judgement, its evidence and one link.flagged audit row") {
  Fixture fx(1);
  const std::string body = "<p>Crimson Dawn rises</p>";
  const DueLink l = fx.Lease(kStart).at(0);
  REQUIRE(fx.Record({Flagged(l, kStart + 10, body)}) == std::vector<bool>{true});

  const Link link = fx.Get(l.id);
  CHECK(link.flagged);
  CHECK(link.matches == kMatches);
  CHECK(link.rules_version == kVersion);
  CHECK(link.flagged_at == kStart + 10);
  CHECK(link.last_flagged_at == kStart + 10);
  CHECK(link.evidence_count == 1);
  const CheckRow check = fx.History(l.id).at(0);
  CHECK(check.flagged == true);
  CHECK(check.matched_rules == R"(["cd-001"])");
  CHECK(check.rules_version == kVersion);

  auto snapshots = fx.store().ListEvidence(l.id);
  REQUIRE(snapshots.ok());
  REQUIRE(snapshots->size() == 1);
  const EvidenceInfo& e = snapshots->at(0);
  CHECK(e.check_id == check.id);
  CHECK(e.sha256 == Sha256Hex(body));
  CHECK(e.body_bytes == static_cast<int64_t>(body.size()));
  CHECK(e.fetched_at == kStart + 10);
  CHECK(e.final_url == l.canonical_url);
  CHECK(e.http_status == 200);
  CHECK(e.headers == R"([["content-type","text/html; charset=utf-8"]])");
  CHECK(e.matches == kMatches);
  CHECK(e.rules_version == kVersion);
  auto stored = fx.store().EvidenceBody(e.sha256);
  REQUIRE(stored.ok());
  CHECK(*stored == body);

  const auto flagged = AuditOf(fx.store(), "link.flagged");
  REQUIRE(flagged.size() == 1);
  const auto detail = nlohmann::json::parse(flagged[0].detail);
  CHECK(detail["rules"] == nlohmann::json::array({"cd-001"}));
  CHECK(detail["evidence"] == Sha256Hex(body));
  RequireChainOk(fx.store());

  SECTION("the next lease carries the judgement, so an unchanged body is not judged again") {
    const DueLink next = fx.Lease(link.next_check_at.value()).at(0);
    CHECK(next.flagged);
    CHECK(next.matches == kMatches);
    CHECK(next.rules_version == kVersion);
    CHECK(next.flagged_at == kStart + 10);
    CHECK(next.content_hash == Sha256Hex(body));

    SECTION("a check without a judgement keeps it") {
      CheckOutcome down = Outcome(next, kStart + 20, "unreachable", std::nullopt);
      down.error = "timeout: no answer";
      REQUIRE(fx.Record({down}) == std::vector<bool>{true});
      const Link after = fx.Get(l.id);
      CHECK(after.flagged);
      CHECK(after.matches == kMatches);
      CHECK_FALSE(fx.History(l.id).at(0).flagged.has_value());
    }
    SECTION("a clean judgement clears the flag but keeps when it was flagged, and says why") {
      CheckOutcome clean = Clean(next, kStart + 20, "<p>nothing here</p>");
      clean.observed = clean.status = "removed";
      clean.removed_since = kStart + 20;
      clean.reason = "content removed: no rule matches the page any more";
      REQUIRE(fx.Record({clean}) == std::vector<bool>{true});
      const Link after = fx.Get(l.id);
      CHECK_FALSE(after.flagged);
      CHECK(after.matches == "[]");
      CHECK(after.flagged_at == kStart + 10);
      CHECK(after.last_flagged_at == kStart + 10);
      CHECK(after.evidence_count == 1);  // the last flagged version stays
      CHECK(fx.History(l.id).at(0).flagged == false);
      CHECK(fx.History(l.id).at(0).reason == clean.reason);
      const auto status = AuditOf(fx.store(), "link.status");
      REQUIRE_FALSE(status.empty());
      CHECK(nlohmann::json::parse(status.back().detail)["reason"] == clean.reason);
      CHECK(AuditOf(fx.store(), "link.flagged").size() == 1);
    }
  }
}

TEST_CASE("the same body under two links is stored once, with a snapshot for each") {
  Fixture fx(2);
  const std::string body = std::string(50000, 'x') + " crimson dawn rises";
  const auto leased = fx.Lease(kStart);
  REQUIRE(leased.size() == 2);
  REQUIRE(fx.Record({Flagged(leased[0], kStart + 1, body), Flagged(leased[1], kStart + 2, body)}) ==
          std::vector<bool>{true, true});
  RawDb raw(fx.path());
  CHECK(raw.Int("SELECT count(*) FROM blob") == 1);
  CHECK(raw.Int("SELECT count(*) FROM evidence") == 2);
  CHECK(raw.Int("SELECT length(zstd) < bytes / 10 FROM blob") == 1);
  CHECK(fx.store().ListEvidence(leased[1].id)->size() == 1);
}

TEST_CASE("evidence reads name what is missing or damaged") {
  Fixture fx(1);
  const std::string body = "<p>Crimson Dawn rises</p>";
  const DueLink l = fx.Lease(kStart).at(0);
  REQUIRE(fx.Record({Flagged(l, kStart + 10, body)}) == std::vector<bool>{true});

  CHECK(fx.store().ListEvidence(999).status().code() == Status::Code::kNotFound);
  CHECK(fx.store().EvidenceBody(std::string(64, '0')).status().code() == Status::Code::kNotFound);
  RawDb(fx.path()).Exec("UPDATE blob SET zstd = x'28b52ffd0058'");  // a frame cut short
  auto damaged = fx.store().EvidenceBody(Sha256Hex(body));
  CHECK(damaged.status().code() == Status::Code::kCorruption);
  RawDb(fx.path()).Exec("UPDATE blob SET zstd = x'" + Hex(ZstdCompress("other bytes")) + "'");
  auto swapped = fx.store().EvidenceBody(Sha256Hex(body));
  CHECK(swapped.status().code() == Status::Code::kCorruption);
  CHECK_THAT(swapped.status().message(), Catch::Contains("does not match its SHA-256"));
}

TEST_CASE("evidence that cannot be right is refused, naming the outcome") {
  Fixture fx(1);
  const DueLink l = fx.Lease(kStart).at(0);
  CheckOutcome o = Flagged(l, kStart + 1, "page");
  std::string expected;
  SECTION("not flagged") {
    o.flagged = false;
    expected = "evidence of a page that is not flagged";
  }
  SECTION("a digest that is not hex") {
    o.evidence->sha256 = std::string(64, 'Z');
    expected = "evidence sha256 is not 64 lower-case hex digits";
  }
  SECTION("matches that are not a JSON array") {
    o.matches = "{\"rule\":1}";
    expected = "matches is not a JSON array";
  }
  SECTION("no rules version") {
    o.rules_version.clear();
    expected = "evidence without a rules_version";
  }
  auto r = fx.store().RecordChecks({o});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(r.status().message(), Catch::Contains("outcome 0 (link " + std::to_string(l.id)));
  CHECK_THAT(r.status().message(), Catch::Contains(expected));
  CHECK(fx.Checks() == 0);
}

TEST_CASE("ListLinks filters by flagged") {
  Fixture fx(3);
  const auto leased = fx.Lease(kStart);
  REQUIRE(fx.Record({Flagged(leased[0], kStart + 1, "a"), Clean(leased[1], kStart + 1, "b")}) ==
          std::vector<bool>{true, true});
  LinkFilter f;
  f.flagged = true;
  auto yes = fx.store().ListLinks(f);
  REQUIRE(yes.ok());
  REQUIRE(yes->links.size() == 1);
  CHECK(yes->links[0].id == leased[0].id);
  f.flagged = false;
  CHECK(fx.store().ListLinks(f)->links.size() == 2);  // judged clean, and never judged
}

}  // namespace
}  // namespace linkwatch::storage::testing
