// The audit log's hash chain: it verifies, and tampering is named.
#include "audit_chain.h"  // white box: the canonical serialization
#include "linkwatch/base/sha256.h"
#include "storage_test_util.h"

namespace linkwatch::storage::testing {
namespace {

TEST_CASE("an audit hash covers every field in a length-prefixed serialization") {
  AuditEntry e;
  e.id = 7;
  e.at = 1000;
  e.token_id = 3;
  e.agency = "Police";
  e.action = "link.register";
  e.target = "link:1";
  e.detail = "{}";
  e.prev_hash = std::string(kAuditGenesisHash);
  const std::string expected =
      "1:7,4:1000,1:3,6:Police,13:link.register,6:link:1,2:{},64:" + e.prev_hash + ",";
  CHECK(AuditHash(e) == Sha256Hex(expected));

  // Moving a byte from one field to the next changes the hash.
  AuditEntry shifted = e;
  shifted.agency = "Polic";
  shifted.action = "elink.register";
  CHECK(AuditHash(shifted) != AuditHash(e));
}

// A file store with an agency and ten registrations: eleven audit rows.
class AuditFixture {
 public:
  AuditFixture() : clock_(kStart), store_(MustOpen(path(), clock_)) {
    const Actor police = MustAgency(*store_, "Police");
    for (int i = 0; i < 10; ++i) {
      clock_.Advance(1000);
      MustRegister(*store_, police, {Sub("https://example.org/" + std::to_string(i))});
    }
  }
  std::string path() const { return dir_.File("lw.db"); }
  Store& store() { return *store_; }
  AuditVerdict Verify() {
    auto verdict = store_->VerifyAudit();
    INFO(verdict.status().ToString());
    REQUIRE(verdict.ok());
    return *verdict;
  }

 private:
  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
};

TEST_CASE("an untouched audit chain verifies") {
  AuditFixture fx;
  const AuditVerdict v = fx.Verify();
  CHECK(v.ok);
  CHECK(v.rows_checked == 11);
  CHECK(v.first_broken_id == 0);
  CHECK(v.reason.empty());

  auto rows = fx.store().ListAudit(0, 1000);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 11);
  CHECK((*rows)[0].prev_hash == std::string(64, '0'));
  for (size_t i = 1; i < rows->size(); ++i) {
    CHECK((*rows)[i].id == (*rows)[i - 1].id + 1);
    CHECK((*rows)[i].prev_hash == (*rows)[i - 1].hash);
  }
}

TEST_CASE("tampering with the audit log is named by row") {
  AuditFixture fx;
  struct Case {
    std::string name;
    std::string sql;  // run through a second connection
    int64_t broken_id;
    std::string reason;
  };
  const auto c = GENERATE(values<Case>({
      {"edited detail", R"(UPDATE audit SET detail = '{"url":"x"}' WHERE id = 4)", 4,
       "row 4: hash does not match its content"},
      {"edited time", "UPDATE audit SET at = at + 1 WHERE id = 11", 11,
       "row 11: hash does not match its content"},
      {"deleted row", "DELETE FROM audit WHERE id = 6", 7, "row 7 follows row 5: row 6 is missing"},
      {"deleted rows", "DELETE FROM audit WHERE id IN (6, 7)", 8,
       "row 8 follows row 5: rows 6..7 are missing"},
      {"deleted first row", "DELETE FROM audit WHERE id = 1", 2,
       "row 2 is the first row: row 1 is missing"},
      {"rewritten hash", "UPDATE audit SET hash = (SELECT hash FROM audit WHERE id = 2) WHERE id = 3",
       3, "row 3: hash does not match its content"},
  }));
  INFO(c.name);
  RawDb(fx.path()).Exec(c.sql);
  const AuditVerdict v = fx.Verify();
  CHECK_FALSE(v.ok);
  CHECK(v.first_broken_id == c.broken_id);
  CHECK(v.reason == c.reason);
}

TEST_CASE("a row rewritten with a matching hash breaks the next row's link") {
  AuditFixture fx;
  auto rows = fx.store().ListAudit(4, 1);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  AuditEntry forged = rows->front();  // row 5
  forged.detail = R"({"url":"https://innocent.example/"})";
  const std::string hash = AuditHash(forged);
  RawDb(fx.path()).Exec("UPDATE audit SET detail = '" + forged.detail + "', hash = '" + hash +
                        "' WHERE id = 5");
  const AuditVerdict v = fx.Verify();
  CHECK_FALSE(v.ok);
  CHECK(v.first_broken_id == 6);
  CHECK(v.reason == "row 6: prev_hash does not match row 5");
}

TEST_CASE("a head kept from an earlier verify catches rows deleted from the end and a rewritten chain") {
  AuditFixture fx;
  const AuditVerdict first = fx.Verify();
  REQUIRE(first.ok);
  CHECK(first.head_id == 11);
  auto rows = fx.store().ListAudit(10, 1);
  REQUIRE(rows->size() == 1);
  CHECK(first.head_hash == rows->front().hash);
  const AuditHead kept{first.head_id, first.head_hash};
  // Untouched, and after more rows: the head still holds.
  CHECK(fx.store().VerifyAudit(kept)->ok);
  REQUIRE(fx.store().AppendAudit(Actor{}, "audit.verify", "audit", "{}").ok());
  const AuditVerdict later = *fx.store().VerifyAudit(kept);
  CHECK(later.ok);
  CHECK(later.head_id == 12);

  SECTION("rows deleted from the end pass a plain verify, not one with the head") {
    RawDb(fx.path()).Exec("DELETE FROM audit WHERE id >= 9");
    CHECK(fx.Verify().ok);  // what the chain alone cannot tell
    const AuditVerdict v = *fx.store().VerifyAudit(kept);
    CHECK_FALSE(v.ok);
    CHECK(v.first_broken_id == 11);
    CHECK(v.reason == "row 11 of the head kept is gone: the log ends at row 8 (rows were deleted from its end)");
  }
  SECTION("a chain recomputed from row 5 on passes a plain verify, not one with the head") {
    // Forge row 5 and rehash every row after it, as someone with the file could.
    auto all = fx.store().ListAudit(0, 100);
    REQUIRE(all.ok());
    std::vector<AuditEntry> chain = *all;
    chain[4].detail = R"({"url":"https://innocent.example/"})";
    RawDb raw(fx.path());
    for (size_t i = 4; i < chain.size(); ++i) {
      chain[i].prev_hash = chain[i - 1].hash;
      chain[i].hash = AuditHash(chain[i]);
      raw.Exec("UPDATE audit SET detail = '" + chain[i].detail + "', prev_hash = '" + chain[i].prev_hash +
               "', hash = '" + chain[i].hash + "' WHERE id = " + std::to_string(chain[i].id));
    }
    CHECK(fx.Verify().ok);
    const AuditVerdict v = *fx.store().VerifyAudit(kept);
    CHECK_FALSE(v.ok);
    CHECK(v.first_broken_id == 11);
    CHECK_THAT(v.reason, Catch::StartsWith("row 11: hash differs from the head kept"));
  }
  SECTION("a head that is no ID:HASH is refused") {
    const std::string& h = first.head_hash;
    const std::vector<std::string> bads = {"", "11", "11:", std::string("x:").append(h), std::string("0:").append(h),
                                           std::string("11:").append(h, 1), std::string("11:").append(64, 'G')};
    for (const std::string& bad : bads) {
      CAPTURE(bad);
      CHECK(ParseAuditHead(bad).status().code() == Status::Code::kInvalidArgument);
    }
    const auto parsed = ParseAuditHead("11:" + first.head_hash);
    REQUIRE(parsed.ok());
    CHECK(parsed->id == 11);
    CHECK(parsed->hash == first.head_hash);
    CHECK(fx.store().VerifyAudit(AuditHead{0, first.head_hash}).status().code() == Status::Code::kInvalidArgument);
  }
}

TEST_CASE("an empty audit log verifies") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  auto verdict = store->VerifyAudit();
  REQUIRE(verdict.ok());
  CHECK(verdict->ok);
  CHECK(verdict->rows_checked == 0);
}

TEST_CASE("AppendAudit chains rows with no table of their own") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  Actor admin = BootstrapActor();
  admin.token_id = 9;
  REQUIRE(store->AppendAudit(admin, "audit.verify", "audit", R"({"ok":true})").ok());
  REQUIRE(store->AppendAudit(admin, "audit.verify", "audit", R"({"ok":true})").ok());
  auto rows = store->ListAudit(0, 10);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].token_id == 9);
  CHECK((*rows)[0].at == kStart);
  CHECK((*rows)[1].prev_hash == (*rows)[0].hash);
  CHECK(store->VerifyAudit().value().ok);

  const auto [action, target, detail] = GENERATE(table<std::string, std::string, std::string>({
      {"", "audit", "{}"},
      {"audit.verify", "", "{}"},
      {"audit.verify", "audit", "not json"},
      {"audit.verify", "audit", ""},
  }));
  CHECK(store->AppendAudit(admin, action, target, detail).code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE("ListAudit pages by id and refuses bad limits") {
  AuditFixture fx;
  auto page = fx.store().ListAudit(3, 4);
  REQUIRE(page.ok());
  REQUIRE(page->size() == 4);
  CHECK(page->front().id == 4);
  CHECK(page->back().id == 7);
  CHECK(fx.store().ListAudit(0, 0).status().code() == Status::Code::kInvalidArgument);
  CHECK(fx.store().ListAudit(0, 1001).status().code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace linkwatch::storage::testing
