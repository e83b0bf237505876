// Scheduling and check results: leases, RecordChecks, crash recovery,
// history, rescans, queue statistics, the v2 migration and the due query plan.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "ops.h"        // white box: the due queries, for their plans
#include "schema.h"     // white box: MigrateTo, to build a version 1 database
#include "sqlite_db.h"
#include "checks_fixture.h"
#include "storage_test_util.h"

namespace linkwatch::storage::testing {
namespace {

// ---- leases -------------------------------------------------------------------------

TEST_CASE("LeaseDue serves registered links before discovered ones, then earliest due first") {
  Fixture fx(6);
  const auto& id = fx.ids();
  {
    RawDb raw(fx.path());
    raw.Exec("UPDATE link SET next_check_at = " + std::to_string(kStart + 30) +
             " WHERE id = " + std::to_string(id[0]));
    raw.Exec("UPDATE link SET next_check_at = " + std::to_string(kStart + 10) +
             " WHERE id = " + std::to_string(id[1]));
    raw.Exec("UPDATE link SET origin = 'discovered', review_state = 'pending', "
             "next_check_at = " + std::to_string(kStart - 50) + " WHERE id = " +
             std::to_string(id[2]));
    raw.Exec("UPDATE link SET origin = 'discovered', review_state = 'pending', "
             "next_check_at = " + std::to_string(kStart - 60) + " WHERE id = " +
             std::to_string(id[3]));
    raw.Exec("UPDATE link SET next_check_at = " + std::to_string(kStart + 1000) +
             " WHERE id = " + std::to_string(id[4]));  // not due yet
    raw.Exec("UPDATE link SET next_check_at = NULL WHERE id = " +
             std::to_string(id[5]));  // never scheduled
  }
  const TimeMs now = kStart + 100;

  SECTION("in one call") {
    const auto leased = fx.Lease(now, 10);
    CHECK(Ids(leased) == std::vector<int64_t>{id[1], id[0], id[3], id[2]});
    std::set<int64_t> lease_ids;
    for (const DueLink& l : leased) lease_ids.insert(l.lease_id);
    CHECK(lease_ids.size() == leased.size());
    CHECK(*lease_ids.begin() > 0);

    const DueLink& first = leased[0];
    CHECK(first.canonical_url == Url(1));
    CHECK(first.submitted_url == Url(1));
    CHECK(first.host == "example.org");
    CHECK(first.origin == "registered");
    CHECK(first.status == "pending");
    CHECK(first.candidate_status.empty());
    CHECK(first.candidate_count == 0);
    CHECK(first.backoff_step == 0);
    CHECK(first.etag.empty());
    CHECK_FALSE(first.http_status.has_value());
    CHECK_FALSE(first.removed_since.has_value());
    CHECK(leased[2].origin == "discovered");

    RawDb raw(fx.path());
    CHECK(raw.Int("SELECT lease_until FROM link WHERE id = " + std::to_string(id[1])) ==
          now + kLeaseMs);
    CHECK(raw.Int("SELECT lease_id FROM link WHERE id = " + std::to_string(id[1])) ==
          first.lease_id);
    CHECK(raw.Int("SELECT count(*) FROM link WHERE lease_until IS NOT NULL") == 4);
  }
  SECTION("a page at a time") {
    CHECK(Ids(fx.Lease(now, 1)) == std::vector<int64_t>{id[1]});
    CHECK(Ids(fx.Lease(now, 2)) == std::vector<int64_t>{id[0], id[3]});
    CHECK(Ids(fx.Lease(now, 2)) == std::vector<int64_t>{id[2]});
    CHECK(fx.Lease(now, 2).empty());
    CHECK(Ids(fx.Lease(kStart + 1000, 5)) == std::vector<int64_t>{id[4]});
  }
}

TEST_CASE("a leased link is leased again only after its lease expired, with a new lease id") {
  Fixture fx(3);
  const auto first = fx.Lease(kStart, 10);
  REQUIRE(first.size() == 3);
  CHECK(fx.Lease(kStart).empty());
  CHECK(fx.Lease(kStart + kLeaseMs).empty());  // lease_until == now: still held

  // An expired lease competes with free links in the same order of service.
  RawDb(fx.path()).Exec("UPDATE link SET next_check_at = " + std::to_string(kStart - 1) +
                        " WHERE id = " + std::to_string(fx.ids()[2]));
  const auto again = fx.Lease(kStart + kLeaseMs + 1, 10);
  REQUIRE(again.size() == 3);
  CHECK(again[0].id == fx.ids()[2]);  // its due time was moved first
  int64_t max_first = 0;
  for (const DueLink& l : first) max_first = std::max(max_first, l.lease_id);
  for (const DueLink& l : again) CHECK(l.lease_id > max_first);
}

TEST_CASE("an expired registered lease comes before free discovered links") {
  Fixture fx(2);
  RawDb(fx.path()).Exec("UPDATE link SET origin = 'discovered', review_state = 'pending' "
                        "WHERE id = " + std::to_string(fx.ids()[1]));
  REQUIRE(Ids(fx.Lease(kStart, 1)) == std::vector<int64_t>{fx.ids()[0]});
  CHECK(Ids(fx.Lease(kStart + kLeaseMs + 1, 1)) == std::vector<int64_t>{fx.ids()[0]});
}

TEST_CASE("concurrent LeaseDue calls never hand out the same link") {
  Fixture fx(200);
  std::vector<std::future<std::vector<DueLink>>> calls;
  for (int t = 0; t < 8; ++t) {
    calls.push_back(std::async(std::launch::async, [&fx] {
      std::vector<DueLink> mine;
      for (int i = 0; i < 5; ++i) {
        auto leased = fx.store().LeaseDue(kStart, 7, kLeaseMs);
        if (!leased.ok()) return std::vector<DueLink>();
        mine.insert(mine.end(), leased->begin(), leased->end());
      }
      return mine;
    }));
  }
  std::set<int64_t> links, leases;
  size_t total = 0;
  for (auto& call : calls) {
    for (const DueLink& l : call.get()) {
      links.insert(l.id);
      leases.insert(l.lease_id);
      ++total;
    }
  }
  CHECK(total == 200);  // 8 × 5 × 7 = 280 places for 200 links
  CHECK(links.size() == total);
  CHECK(leases.size() == total);
}

TEST_CASE("LeaseDue refuses a bad limit or lease length") {
  Fixture fx(1);
  const auto [limit, lease_ms] = GENERATE(table<int, int64_t>({
      {0, kLeaseMs}, {-1, kLeaseMs}, {10'001, kLeaseMs}, {10, 0}, {10, -5},
      {10, 8 * 24 * kHourMs}}));
  CHECK(fx.store().LeaseDue(kStart, limit, lease_ms).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(fx.Lease(kStart).size() == 1);  // nothing was leased by the refused call
}

TEST_CASE("LeaseDueAsync leases on the writer thread and reports a refusal the same way") {
  Fixture fx(2);
  const std::thread::id caller = std::this_thread::get_id();
  std::promise<std::pair<Result<std::vector<DueLink>>, std::thread::id>> done;
  fx.store().LeaseDueAsync(kStart, 10, kLeaseMs, [&done](Result<std::vector<DueLink>> r) {
    done.set_value({std::move(r), std::this_thread::get_id()});
  });
  auto [leased, thread] = done.get_future().get();
  REQUIRE(leased.ok());
  CHECK(leased->size() == 2);
  CHECK(thread != caller);
  CHECK(fx.Lease(kStart).empty());  // both are leased now

  std::promise<Status> refused;
  fx.store().LeaseDueAsync(kStart, 0, kLeaseMs, [&refused](Result<std::vector<DueLink>> r) {
    refused.set_value(r.status());
  });
  const Status st = refused.get_future().get();
  CHECK(st.code() == Status::Code::kInvalidArgument);
}

// ---- recording checks ------------------------------------------------------------------

TEST_CASE("RecordChecks writes the check and the link's new state and frees the lease") {
  Fixture fx(1);
  const DueLink l = fx.Lease(kStart).at(0);
  CheckOutcome o = Outcome(l, kStart + 500);
  o.final_url = "https://example.org/0/final";
  o.redirect_chain = R"([{"url":"https://example.org/0","status":301}])";
  o.etag = "\"v1\"";
  o.last_modified = "Mon, 23 Nov 2026 16:57:09 GMT";
  o.content_hash = "abc123";
  o.truncated = true;
  o.status = "pending";  // not confirmed yet
  o.candidate_status = "alive";
  o.candidate_count = 1;
  o.backoff_step = 2;
  REQUIRE(fx.Record({o}) == std::vector<bool>{true});

  const Link link = fx.Get(l.id);
  CHECK(link.status == "pending");
  CHECK(link.last_checked_at == kStart + 500);
  CHECK(link.next_check_at == o.next_check_at);
  CHECK(link.http_status == 200);
  CHECK(link.final_url == "https://example.org/0/final");
  {
    RawDb raw(fx.path());
    CHECK(raw.Int("SELECT count(*) FROM link WHERE lease_until IS NOT NULL OR "
                  "lease_id IS NOT NULL") == 0);
    CHECK(raw.Text("SELECT candidate_status FROM link") == "alive");
    CHECK(raw.Int("SELECT candidate_count FROM link") == 1);
    CHECK(raw.Int("SELECT backoff_step FROM link") == 2);
    CHECK(raw.Text("SELECT etag || '|' || last_modified || '|' || content_hash FROM link") ==
          "\"v1\"|Mon, 23 Nov 2026 16:57:09 GMT|abc123");
    CHECK(raw.Text("SELECT etag || '|' || content_hash FROM link_check") == "\"v1\"|abc123");
    CHECK(raw.Int("SELECT count(*) FROM link_check WHERE rules_version IS NULL AND "
                  "error IS NULL") == 1);
  }
  const auto history = fx.History(l.id);
  REQUIRE(history.size() == 1);
  CHECK(history[0].checked_at == kStart + 500);
  CHECK(history[0].http_status == 200);
  CHECK(history[0].status == "alive");
  CHECK(history[0].final_url == "https://example.org/0/final");
  CHECK(history[0].redirect_chain == o.redirect_chain);
  CHECK(history[0].elapsed_ms == 12);
  CHECK(history[0].bytes == 345);
  CHECK(history[0].truncated);
  CHECK_FALSE(history[0].not_modified);
  CHECK(history[0].error.empty());

  SECTION("the next lease carries what the daemon needs for the next check") {
    const DueLink next = fx.Lease(o.next_check_at).at(0);
    CHECK(next.status == "pending");
    CHECK(next.candidate_status == "alive");
    CHECK(next.candidate_count == 1);
    CHECK(next.backoff_step == 2);
    CHECK(next.etag == "\"v1\"");
    CHECK(next.last_modified == "Mon, 23 Nov 2026 16:57:09 GMT");
    CHECK(next.content_hash == "abc123");
    CHECK(next.http_status == 200);

    SECTION("a 304 without validators keeps the previous ones, and the page's HTTP status") {
      CheckOutcome unchanged = Outcome(next, o.next_check_at + 10, "alive", 304);
      unchanged.not_modified = true;
      REQUIRE(fx.Record({unchanged}) == std::vector<bool>{true});
      const DueLink third = fx.Lease(unchanged.next_check_at).at(0);
      CHECK(third.etag == "\"v1\"");
      CHECK(third.content_hash == "abc123");
      CHECK(third.http_status == 200);  // the page's status: a 304 says it is unchanged
      CHECK(fx.Get(l.id).http_status == 200);
      CHECK(fx.History(l.id).at(0).http_status == 304);  // the check itself
      CHECK(fx.History(l.id).at(0).not_modified);
      CHECK(fx.History(l.id).at(0).redirect_chain == "[]");
    }
    SECTION("a new page brings exactly its own validators: none clears the last page's") {
      CheckOutcome changed = Outcome(next, o.next_check_at + 10, "alive", 200);
      changed.content_hash = "def456";  // a new body, served without ETag or Last-Modified
      REQUIRE(fx.Record({changed}) == std::vector<bool>{true});
      const DueLink third = fx.Lease(changed.next_check_at).at(0);
      CHECK(third.etag.empty());
      CHECK(third.last_modified.empty());
      CHECK(third.content_hash == "def456");
    }
    SECTION("an answer without a page (a 404) keeps the last page's validators") {
      CheckOutcome gone = Outcome(next, o.next_check_at + 10, "removed", 404);
      gone.etag = "\"error-page\"";
      REQUIRE(fx.Record({gone}) == std::vector<bool>{true});
      const DueLink third = fx.Lease(gone.next_check_at).at(0);
      CHECK(third.etag == "\"v1\"");
      CHECK(third.content_hash == "abc123");
      CHECK(third.http_status == 404);
    }
  }
}

TEST_CASE("a check is recorded only under the link's current lease, and never twice") {
  Fixture fx(2);
  const auto leased = fx.Lease(kStart);
  REQUIRE(leased.size() == 2);
  const DueLink& a = leased[0];

  SECTION("a wrong lease id writes nothing") {
    CheckOutcome o = Outcome(a, kStart + 1);
    o.lease_id = a.lease_id + 1000;
    CHECK(fx.Record({o}) == std::vector<bool>{false});
    CHECK(fx.Checks() == 0);
    CHECK(fx.Get(a.id).status == "pending");
    CHECK_FALSE(fx.Get(a.id).last_checked_at.has_value());
  }
  SECTION("the same outcome twice is recorded once") {
    const CheckOutcome o = Outcome(a, kStart + 1);
    CHECK(fx.Record({o}) == std::vector<bool>{true});
    CHECK(fx.Record({o}) == std::vector<bool>{false});
    CHECK(fx.Record({o, o}) == std::vector<bool>{false, false});
    CHECK(fx.Checks() == 1);
  }
  SECTION("twice in one call, the second is skipped") {
    const CheckOutcome o = Outcome(a, kStart + 1);
    CHECK(fx.Record({o, Outcome(leased[1], kStart + 2), o}) ==
          std::vector<bool>{true, true, false});
    CHECK(fx.Checks() == 2);
  }
  SECTION("an expired and re-leased lease is stale; the new one applies") {
    const DueLink renewed = fx.Lease(kStart + kLeaseMs + 1, 1).at(0);
    REQUIRE(renewed.id == a.id);
    CHECK(fx.Record({Outcome(a, kStart + kLeaseMs + 5)}) == std::vector<bool>{false});
    CHECK(fx.Checks() == 0);
    CHECK(fx.Record({Outcome(renewed, kStart + kLeaseMs + 6)}) == std::vector<bool>{true});
    CHECK(fx.History(a.id).at(0).checked_at == kStart + kLeaseMs + 6);
  }
  SECTION("an expired lease nobody took again still applies") {
    CHECK(fx.Record({Outcome(a, kStart + 10 * kLeaseMs)}) == std::vector<bool>{true});
  }
  SECTION("an unknown link is skipped, its neighbours applied") {
    CheckOutcome ghost = Outcome(a, kStart + 1);
    ghost.link_id = 999'999;
    CHECK(fx.Record({ghost, Outcome(a, kStart + 2)}) == std::vector<bool>{false, true});
    CHECK(fx.Checks() == 1);
  }
  SECTION("lease id 0 is refused as invalid") {
    CheckOutcome o = Outcome(a, kStart + 1);
    REQUIRE(fx.Record({o}) == std::vector<bool>{true});
    o.lease_id = 0;  // invalid: refused before the writer
    CHECK(fx.store().RecordChecks({o}).status().code() == Status::Code::kInvalidArgument);
  }
}

TEST_CASE("invalid outcomes fail the whole call, naming the outcome") {
  Fixture fx(2);
  const auto leased = fx.Lease(kStart);
  CheckOutcome bad = Outcome(leased[1], kStart + 1);
  const auto [field, apply] = GENERATE(table<std::string, void (*)(CheckOutcome&)>({
      {"observed", [](CheckOutcome& o) { o.observed = "pending"; }},
      {"status", [](CheckOutcome& o) { o.status = "gone"; }},
      {"candidate_status", [](CheckOutcome& o) { o.candidate_status = "pending"; }},
      {"http_status", [](CheckOutcome& o) { o.http_status = 42; }},
      {"redirect_chain", [](CheckOutcome& o) { o.redirect_chain = "{\"url\":1}"; }},
      {"content_hash", [](CheckOutcome& o) { o.content_hash = std::string(129, 'a'); }},
      {"candidate_count", [](CheckOutcome& o) { o.candidate_count = -1; }},
      {"bytes", [](CheckOutcome& o) { o.bytes = -1; }},
      {"link_id", [](CheckOutcome& o) { o.link_id = 0; }},
  }));
  INFO(field);
  apply(bad);
  auto r = fx.store().RecordChecks({Outcome(leased[0], kStart + 1), bad});
  REQUIRE(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(r.status().message().find("outcome 1") != std::string::npos);
  CHECK(r.status().message().find(field) != std::string::npos);
  CHECK(fx.Checks() == 0);
}

TEST_CASE("text that servers control is cleaned, never failing the batch") {
  Fixture fx(1);
  const DueLink l = fx.Lease(kStart).at(0);
  CheckOutcome o = Outcome(l, kStart + 1, "unreachable", {});
  o.content_hash = "abc123";  // with a page's digest: its validators are stored
  o.final_url = "https://example.org/\xff\xfe";
  o.etag = "\"caf\xe9\"";  // Latin-1, not UTF-8
  o.last_modified = std::string(5000, 'x');
  o.error = std::string(4095, 'e') + "\xd0\x96";  // a two-byte character across the cap
  REQUIRE(fx.Record({o}) == std::vector<bool>{true});
  const auto check = fx.History(l.id).at(0);
  CHECK(check.final_url == "https://example.org/\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(check.error == std::string(4095, 'e'));
  RawDb raw(fx.path());
  CHECK(raw.Text("SELECT etag FROM link") == "\"caf\xEF\xBF\xBD\"");
  CHECK(raw.Int("SELECT length(last_modified) FROM link") == 1024);
}

TEST_CASE("RecordChecksAsync reports on the writer thread and Unavailable after Close") {
  Fixture fx(3);
  const auto leased = fx.Lease(kStart);
  std::promise<Result<std::vector<bool>>> done;
  fx.store().RecordChecksAsync({Outcome(leased[0], kStart + 1), Outcome(leased[2], kStart + 1)},
                               [&done](Result<std::vector<bool>> r) {
                                 done.set_value(std::move(r));
                               });
  auto r = done.get_future().get();
  REQUIRE(r.ok());
  CHECK(*r == std::vector<bool>{true, true});

  fx.store().Close();
  Status late;
  fx.store().RecordChecksAsync({Outcome(leased[1], kStart + 1)},
                               [&late](Result<std::vector<bool>> res) { late = res.status(); });
  CHECK(late.code() == Status::Code::kUnavailable);
  CHECK(fx.store().RecordChecks({}).status().code() == Status::Code::kUnavailable);
  CHECK(fx.store().LeaseDue(kStart, 1, 1).status().code() == Status::Code::kUnavailable);
  CHECK(fx.store().Queue(kStart).status().code() == Status::Code::kUnavailable);
}

// ---- status changes and removal times ---------------------------------------------------

TEST_CASE("a status change appends a link.status audit row, the chain still verifies") {
  Fixture fx(1);
  const int64_t id = fx.ids()[0];
  const size_t before = AuditActions(fx.store()).size();

  TimeMs t = kStart;
  auto check = [&](const std::string& observed, std::optional<int> http) {
    const DueLink l = fx.Lease(t).at(0);
    t += 1000;
    REQUIRE(fx.Record({Outcome(l, t, observed, http)}) == std::vector<bool>{true});
    t += 6 * kHourMs;
  };
  check("alive", 200);        // pending -> alive
  check("alive", 200);        // unchanged: no row
  check("removed", 404);      // alive -> removed
  check("unreachable", {});   // removed -> unreachable, no HTTP status

  const auto rows = AuditOf(fx.store(), "link.status");
  CHECK(AuditActions(fx.store()).size() == before + 3);
  REQUIRE(rows.size() == 3);
  for (const AuditEntry& e : rows) {
    CHECK(e.token_id == 0);
    CHECK(e.agency == "linkwatchd");
    CHECK(e.target == "link:" + std::to_string(id));
  }
  CHECK(nlohmann::json::parse(rows[0].detail) ==
        nlohmann::json({{"from", "pending"}, {"to", "alive"}, {"http_status", 200}}));
  CHECK(nlohmann::json::parse(rows[1].detail) ==
        nlohmann::json({{"from", "alive"}, {"to", "removed"}, {"http_status", 404}}));
  CHECK(nlohmann::json::parse(rows[2].detail) ==
        nlohmann::json({{"from", "removed"}, {"to", "unreachable"}, {"http_status", nullptr}}));
  RequireChainOk(fx.store());
  fx.Reopen();
  RequireChainOk(fx.store());
}

TEST_CASE("removed_since is kept while removed, reappeared_at is kept once set") {
  Fixture fx(1);
  TimeMs t = kStart;
  auto record = [&](CheckOutcome o) { REQUIRE(fx.Record({o}) == std::vector<bool>{true}); };
  auto lease = [&] {
    const DueLink l = fx.Lease(t).at(0);
    t += 1000;
    return l;
  };

  CheckOutcome gone = Outcome(lease(), t, "removed", 404);
  gone.removed_since = t;
  const TimeMs removed_at = t;
  record(gone);
  CHECK(fx.Get(fx.ids()[0]).removed_since == removed_at);

  t = gone.next_check_at;
  DueLink l = lease();
  CHECK(l.removed_since == removed_at);
  CheckOutcome still = Outcome(l, t, "removed", 404);  // removed_since left unset
  record(still);
  CHECK(fx.Get(fx.ids()[0]).removed_since == removed_at);

  t = still.next_check_at;
  CheckOutcome back = Outcome(lease(), t, "alive", 200);
  back.reappeared_at = t;
  const TimeMs back_at = t;
  record(back);
  Link link = fx.Get(fx.ids()[0]);
  CHECK_FALSE(link.removed_since.has_value());
  CHECK(link.reappeared_at == back_at);

  t = back.next_check_at;
  record(Outcome(lease(), t, "alive", 200));
  link = fx.Get(fx.ids()[0]);
  CHECK(link.reappeared_at == back_at);
  auto page = fx.store().ListLinks({});
  REQUIRE(page.ok());
  CHECK(page->links.at(0).reappeared_at == back_at);
}

// ---- crash recovery ------------------------------------------------------------------

TEST_CASE("a postponed link is free and due at its new time, and only under its current lease") {
  Fixture fx(3);
  const auto leased = fx.Lease(kStart, 3);
  REQUIRE(leased.size() == 3);
  auto n = fx.store().PostponeLeased({{leased[0].id, leased[0].lease_id, kStart + 5000},
                                      {leased[1].id, leased[1].lease_id + 99, kStart + 5000}});
  REQUIRE(n.ok());
  CHECK(*n == 1);  // the second names a lease that is not the link's
  CHECK(fx.Get(leased[0].id).next_check_at == kStart + 5000);
  CHECK(fx.Lease(kStart + 4999, 10).empty());
  const auto again = fx.Lease(kStart + 5000, 10);
  REQUIRE(again.size() == 1);
  CHECK(again[0].id == leased[0].id);
}

TEST_CASE("after a crash with leases held, ReleaseAllLeases makes those links due at once") {
  TempDir dir;
  const std::string path = dir.File("lw.db");
  ManualClock clock(kStart);
  int64_t old_lease = 0;
  {
    auto store = MustOpen(path, clock);
    const Actor police = MustAgency(*store, "Police");
    MustRegister(*store, police, {Sub(Url(0)), Sub(Url(1)), Sub(Url(2))});
  }
  // The daemon leases everything and dies mid-cycle, without closing anything.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    auto store = Store::Open(path, TestOptions(), clock);
    int64_t lease = 0;
    if (store.ok()) {
      auto leased = (*store)->LeaseDue(kStart, 10, kHourMs);
      if (leased.ok() && leased->size() == 3) lease = leased->at(0).lease_id;
    }
    (void)!write(fds[1], &lease, sizeof lease);
    _exit(0);  // a crash: no destructors, no Close, the writer thread just vanishes
  }
  close(fds[1]);
  REQUIRE(read(fds[0], &old_lease, sizeof old_lease) == sizeof old_lease);
  close(fds[0]);
  int wstatus = 0;
  REQUIRE(waitpid(child, &wstatus, 0) == child);
  REQUIRE(old_lease > 0);

  clock.Set(kStart + 5000);
  auto store = MustOpen(path, clock);
  CHECK(store->LeaseDue(clock.Now(), 10, kLeaseMs)->empty());  // still held by the dead process
  auto released = store->ReleaseAllLeases();
  REQUIRE(released.ok());
  CHECK(*released == 3);
  auto again = store->LeaseDue(clock.Now(), 10, kLeaseMs);
  REQUIRE(again.ok());
  REQUIRE(again->size() == 3);
  for (const DueLink& l : *again) CHECK(l.lease_id > old_lease + 2);

  // The dead process's result, should it arrive late, is not recorded.
  CheckOutcome late = Outcome(again->at(0), kStart + 6000);
  late.lease_id = old_lease;
  CHECK(*store->RecordChecks({late}) == std::vector<bool>{false});
  CHECK(*store->RecordChecks({Outcome(again->at(0), kStart + 6000)}) == std::vector<bool>{true});
  CHECK(RawDb(path).Int("SELECT count(*) FROM link_check") == 1);
  CHECK(*store->ReleaseAllLeases() == 2);
  CHECK(*store->ReleaseAllLeases() == 0);
}

TEST_CASE("ReleaseAllLeases makes a released link due now even if its time was later") {
  Fixture fx(1);
  const DueLink l = fx.Lease(kStart).at(0);
  RawDb(fx.path()).Exec("UPDATE link SET next_check_at = " + std::to_string(kStart + kHourMs));
  fx.clock().Set(kStart + 10);
  CHECK(*fx.store().ReleaseAllLeases() == 1);
  CHECK(fx.Get(l.id).next_check_at == kStart + 10);
  CHECK(Ids(fx.Lease(kStart + 10)) == std::vector<int64_t>{l.id});
}

TEST_CASE("lease ids keep growing across reopening") {
  Fixture fx(2);
  const int64_t first = fx.Lease(kStart, 1).at(0).lease_id;
  fx.Reopen();
  CHECK(fx.Lease(kStart, 1).at(0).lease_id == first + 1);
}

// ---- history ----------------------------------------------------------------------------

TEST_CASE("History lists a link's checks newest first and pages with before_id") {
  Fixture fx(2);
  const int64_t id = fx.ids()[0];
  // Five checks of link 0 (two at the same time) and one of link 1.
  const TimeMs times[] = {kStart + 100, kStart + 300, kStart + 300, kStart + 200, kStart + 500};
  TimeMs now = kStart;
  for (TimeMs at : times) {
    const auto leased = fx.Lease(now, 2);
    std::vector<CheckOutcome> outcomes;
    for (const DueLink& l : leased) {
      CheckOutcome o = Outcome(l, at);
      o.next_check_at = now + 1;  // due again at once
      o.error = l.id == id ? "" : "other link";
      outcomes.push_back(o);
    }
    REQUIRE(fx.Record(outcomes) == std::vector<bool>(leased.size(), true));
    now += 1;
  }
  const auto all = fx.History(id);
  REQUIRE(all.size() == 5);
  std::vector<TimeMs> order;
  for (const CheckRow& c : all) order.push_back(c.checked_at);
  CHECK(order == std::vector<TimeMs>{kStart + 500, kStart + 300, kStart + 300, kStart + 200,
                                     kStart + 100});
  CHECK(all[1].id > all[2].id);  // equal times: the later row first
  for (const CheckRow& c : all) CHECK(c.error.empty());

  std::vector<int64_t> paged;
  int64_t before = 0;
  for (;;) {
    const auto page = fx.History(id, 2, before);
    for (const CheckRow& c : page) paged.push_back(c.id);
    if (page.size() < 2) break;
    before = page.back().id;
  }
  std::vector<int64_t> expected;
  for (const CheckRow& c : all) expected.push_back(c.id);
  CHECK(paged == expected);

  CHECK(fx.store().History(999, 10, 0).status().code() == Status::Code::kNotFound);
  CHECK(fx.store().History(id, 0, 0).status().code() == Status::Code::kInvalidArgument);
  CHECK(fx.store().History(id, 1001, 0).status().code() == Status::Code::kInvalidArgument);
  const int64_t other = fx.History(fx.ids()[1]).at(0).id;
  CHECK(fx.store().History(id, 10, other).status().code() == Status::Code::kInvalidArgument);
  CHECK(fx.History(fx.ids()[1]).size() == 5);
}

// ---- rescans ----------------------------------------------------------------------------

TEST_CASE("Rescan by id, by status and all makes links due now and leaves leased ones alone") {
  Fixture fx(5);
  const auto& id = fx.ids();
  // Check every link: 0, 1 alive; 2, 3 removed; 4 stays leased (for a day).
  const auto leased = fx.Lease(kStart, 10, 24 * kHourMs);
  REQUIRE(leased.size() == 5);
  std::vector<CheckOutcome> outcomes;
  for (int i = 0; i < 4; ++i) {
    outcomes.push_back(Outcome(leased[static_cast<size_t>(i)], kStart + 10,
                               i < 2 ? "alive" : "removed", i < 2 ? 200 : 404));
  }
  REQUIRE(fx.Record(outcomes) == std::vector<bool>(4, true));
  const TimeMs later = kStart + 10 + 6 * kHourMs;
  const TimeMs now = kStart + kHourMs;
  fx.clock().Set(now);
  auto next = [&](int i) { return fx.Get(id[static_cast<size_t>(i)]).next_check_at; };

  SECTION("by id") {
    RescanTarget t;
    t.link_id = id[2];
    CHECK(*fx.store().Rescan(fx.police(), t) == 1);
    CHECK(next(2) == now);
    CHECK(next(3) == later);
    t.link_id = id[4];
    CHECK(*fx.store().Rescan(fx.police(), t) == 0);  // leased
    CHECK(next(4) == kStart);
    t.link_id = 4242;
    CHECK(fx.store().Rescan(fx.police(), t).status().code() == Status::Code::kNotFound);
    const auto audit = AuditOf(fx.store(), "link.rescan");
    REQUIRE(audit.size() == 2);
    CHECK(audit[0].target == "link:" + std::to_string(id[2]));
    CHECK(audit[0].agency == "Police");
    CHECK(nlohmann::json::parse(audit[0].detail)["queued"] == 1);
    CHECK(nlohmann::json::parse(audit[1].detail)["queued"] == 0);
  }
  SECTION("by status") {
    RescanTarget t;
    t.status = "removed";
    CHECK(*fx.store().Rescan(fx.police(), t) == 2);
    CHECK(next(2) == now);
    CHECK(next(3) == now);
    CHECK(next(0) == later);
    t.status = "pending";  // link 4, leased
    CHECK(*fx.store().Rescan(fx.police(), t) == 0);
    CHECK(AuditOf(fx.store(), "link.rescan").at(0).target == "links:status=removed");
    const auto due = fx.Lease(now, 10);
    CHECK(Ids(due) == std::vector<int64_t>{id[2], id[3]});
  }
  SECTION("all") {
    RescanTarget t;
    t.all = true;
    CHECK(*fx.store().Rescan(fx.police(), t) == 4);
    for (int i = 0; i < 4; ++i) CHECK(next(i) == now);
    CHECK(next(4) == kStart);
    CHECK(AuditOf(fx.store(), "link.rescan").at(0).target == "links:all");
  }
  SECTION("a finding rejected in review is never queued") {
    RawDb(fx.path()).Exec("UPDATE link SET origin = 'discovered', review_state = 'rejected', "
                          "next_check_at = NULL WHERE id = " + std::to_string(id[2]));
    RescanTarget t;
    t.all = true;
    CHECK(*fx.store().Rescan(fx.police(), t) == 3);
    CHECK_FALSE(fx.Get(id[2]).next_check_at.has_value());
    t.all = false;
    t.status = "removed";
    CHECK(*fx.store().Rescan(fx.police(), t) == 1);  // id[3] only
    RescanTarget one;
    one.link_id = id[2];
    const auto refused = fx.store().Rescan(fx.police(), one);
    CHECK(refused.status().code() == Status::Code::kInvalidArgument);
    CHECK_THAT(refused.status().message(), Catch::Contains("rejected in review"));
    CHECK_FALSE(fx.Get(id[2]).next_check_at.has_value());
    CHECK(fx.Lease(now, 10).size() == 3);
  }
  SECTION("an overdue link keeps its earlier time") {
    RawDb(fx.path()).Exec("UPDATE link SET next_check_at = " + std::to_string(kStart + 1) +
                          " WHERE id = " + std::to_string(id[0]));
    RescanTarget t;
    t.all = true;
    CHECK(*fx.store().Rescan(fx.police(), t) == 4);
    CHECK(next(0) == kStart + 1);
  }
  SECTION("a target must name exactly one thing") {
    RescanTarget none;
    RescanTarget two;
    two.all = true;
    two.status = "alive";
    RescanTarget unknown;
    unknown.status = "gone";
    RescanTarget zero;
    zero.link_id = 0;
    for (const RescanTarget& t : {none, two, unknown, zero}) {
      CHECK(fx.store().Rescan(fx.police(), t).status().code() ==
            Status::Code::kInvalidArgument);
    }
    CHECK(AuditOf(fx.store(), "link.rescan").empty());
  }
  RequireChainOk(fx.store());
}

// ---- queue --------------------------------------------------------------------------

TEST_CASE("Queue counts links, due and leased links, statuses, the next due time, checks") {
  Fixture fx(6);
  const auto& id = fx.ids();
  SECTION("an empty store") {
    Fixture empty;
    auto q = empty.store().Queue(kStart);
    REQUIRE(q.ok());
    CHECK(q->links == 0);
    CHECK(q->due_now == 0);
    CHECK(q->leased == 0);
    CHECK(q->by_status.empty());
    CHECK_FALSE(q->next_due.has_value());
    CHECK(q->checks_last_hour == 0);
  }
  // 0, 1 checked alive (next in 6 h); 2 checked removed an hour before;
  // 3 leased; 4, 5 pending and due (5 discovered).
  const auto leased = fx.Lease(kStart, 3);
  REQUIRE(leased.size() == 3);
  CheckOutcome old = Outcome(leased[2], kStart - kHourMs, "removed", 404);
  REQUIRE(fx.Record({Outcome(leased[0], kStart + 5), Outcome(leased[1], kStart + 5), old}) ==
          std::vector<bool>(3, true));
  RawDb(fx.path()).Exec("UPDATE link SET origin = 'discovered', review_state = 'pending' "
                        "WHERE id = " + std::to_string(id[5]));
  REQUIRE(Ids(fx.Lease(kStart + 10, 1)) == std::vector<int64_t>{id[3]});

  const TimeMs now = kStart + 20;
  auto q = fx.store().Queue(now);
  REQUIRE(q.ok());
  CHECK(q->links == 6);
  CHECK(q->due_now == 2);
  CHECK(q->leased == 1);
  CHECK(q->by_status == std::map<std::string, int64_t>{{"alive", 2}, {"pending", 3},
                                                        {"removed", 1}});
  CHECK(q->next_due == kStart);  // links 4 and 5, overdue since registration
  CHECK(q->checks_last_hour == 2);  // the removed check is older than an hour

  // After the lease expired, link 3 counts as due, not leased.
  auto expired = fx.store().Queue(kStart + 10 + kLeaseMs + 1);
  REQUIRE(expired.ok());
  CHECK(expired->due_now == 3);
  CHECK(expired->leased == 0);
  CHECK(expired->checks_last_hour == 2);
  auto much_later = fx.store().Queue(kStart + 2 * kHourMs);
  REQUIRE(much_later.ok());
  CHECK(much_later->checks_last_hour == 0);
}

// ---- checkpoints ----------------------------------------------------------------------

TEST_CASE("a background checkpointer copies committed pages into the database file") {
  TempDir dir;
  ManualClock clock(kStart);
  const std::string path = dir.File("lw.db");
  auto store = MustOpen(path, clock);
  const Actor police = MustAgency(*store, "Police");
  const auto size = [&] { return std::filesystem::file_size(path); };
  const auto before = size();
  std::vector<Submission> subs;
  for (int i = 0; i < 2000; ++i) subs.push_back(Sub(Url(i), std::string(200, 'n')));
  MustRegister(*store, police, std::move(subs));
  // The commit wrote the WAL only (its 2000 pages are below the writer's own
  // autocheckpoint); the checkpointer's next round moves them.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (size() <= before + 500 * 1024 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(size() > before + 500 * 1024);
  store.reset();
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));  // the last close folds the WAL in
  CHECK(MustOpen(path, clock)->GetLinkByUrl(Url(1999)).ok());
}

// ---- schema -------------------------------------------------------------------------

// A database at schema version 1, built by the real migration 1 alone, with
// rows as version 1 of linkwatch wrote them.
// A new database at schema `version`, built by the real migrations, left open.
std::unique_ptr<Db> MigratedTo(const std::string& path, int version) {
  auto db = Db::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  REQUIRE(db.ok());
  auto migrated = MigrateTo(**db, version);
  INFO(migrated.status().ToString());
  REQUIRE(migrated.ok());
  REQUIRE(*migrated == version);
  return std::move(*db);
}

void MakeVersion1(const std::string& path) {
  MigratedTo(path, 1).reset();
  RawDb raw(path);
  raw.Exec("PRAGMA journal_mode = WAL");
  const std::string t = std::to_string(kStart);
  raw.Exec("INSERT INTO agency (id, name, created_at) VALUES (1, 'Police', " + t + ")");
  raw.Exec(
      "INSERT INTO link (id, canonical_url, submitted_url, host, origin, review_state, category, "
      "status, last_checked_at, next_check_at, http_status, final_url, removed_since, "
      "created_at, lease_until) VALUES "
      "(1, 'https://old.example/a', 'https://old.example/a', 'old.example', 'registered', "
      "'confirmed', 'extremism', 'removed', " + t + ", " + t + ", 404, 'https://old.example/a', " +
      t + ", " + t + ", NULL), "
      "(2, 'https://old.example/b', 'https://old.example/b', 'old.example', 'discovered', "
      "'pending', 'extremism', 'pending', NULL, " + t + ", NULL, NULL, NULL, " + t + ", " + t +
      ")");
  raw.Exec("INSERT INTO report (link_id, agency_id, token_id, reported_at, legal_basis, "
           "category, note, duplicate) VALUES (1, 1, NULL, " + t +
           ", 'Court 1', 'extremism', 'old note', 0)");
  raw.Exec("INSERT INTO link_check (id, link_id, checked_at, http_status, status_class, "
           "final_url, elapsed_ms, bytes, error) VALUES (7, 1, " + t +
           ", 404, 'removed', 'https://old.example/a', 40, 10, 'Not Found')");
}

TEST_CASE("migration 1 alone builds a version 1 schema") {
  TempDir dir;
  MakeVersion1(dir.File("v1.db"));
  RawDb raw(dir.File("v1.db"));
  CHECK(raw.Int("PRAGMA user_version") == 1);
  CHECK(raw.Int("SELECT count(*) FROM pragma_table_info('link') WHERE name = 'lease_id'") == 0);
  CHECK(raw.Int("SELECT count(*) FROM sqlite_schema WHERE name IN ('link_due', 'counter')") ==
        0);
}

TEST_CASE("a version 1 database migrates to the latest version and keeps its rows") {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  MakeVersion1(path);
  ManualClock clock(kStart + 1000);
  auto store = MustOpen(path, clock);
  CHECK(store->SchemaVersion() == 10);
  CHECK(Store::LatestSchemaVersion() == 10);
  {
    RawDb raw(path);
    CHECK(raw.Int("PRAGMA user_version") == 10);
    // Version 10: a discovered link without its discovery's audit row has no reason.
    CHECK(raw.Int("SELECT count(*) FROM link WHERE found_reason IS NULL") == 2);
    // Version 9: no value constraint is an IN list (a temporary b-tree each time it runs).
    CHECK(raw.Int("SELECT count(*) FROM sqlite_schema WHERE sql LIKE '% IN (''%'") == 0);
    CHECK(raw.Int("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                  "sql LIKE '%status = ''pending'' OR status = ''alive'' OR status = ''removed'' "
                  "OR status = ''blocked'' OR status = ''unreachable''%'") == 1);
    // Version 8: a check moves no entry of link_status_next, which is gone.
    CHECK(raw.Int("SELECT count(*) FROM sqlite_schema WHERE name = 'link_status_next'") == 0);
    // Version 7: the week's reports are read from the index alone.
    CHECK(raw.Int("SELECT count(*) FROM pragma_index_info('report_time') "
                  "WHERE name IN ('reported_at', 'link_id', 'agency_id', 'duplicate')") == 4);
    // Version 4: reach starts unknown; discovery starts empty.
    CHECK(raw.Int("SELECT count(*) FROM link WHERE depth = 0 AND likes IS NULL AND fingerprint IS NULL "
                  "AND reviewed_at IS NULL") == 2);
    CHECK(raw.Int("SELECT count(*) FROM candidate") == 0);
    // Version 3: judgements start empty; the evidence placeholder became blob + evidence.
    CHECK(raw.Int("SELECT count(*) FROM link WHERE matches = '[]' AND rules_version IS NULL "
                  "AND flagged_at IS NULL AND last_flagged_at IS NULL") == 2);
    CHECK(raw.Int("SELECT count(*) FROM link_check WHERE flagged IS NULL AND reason IS NULL") == 1);
    CHECK(raw.Int("SELECT count(*) FROM pragma_table_info('evidence') WHERE name IN "
                  "('check_id', 'sha256', 'rules_version')") == 3);
    CHECK(raw.Int("SELECT count(*) FROM pragma_table_info('evidence') WHERE name = 'body_zstd'") == 0);
    CHECK(raw.Int("SELECT count(*) FROM blob") == 0);
    CHECK(raw.Int("SELECT count(*) FROM link") == 2);
    CHECK(raw.Int("SELECT count(*) FROM report") == 1);
    CHECK(raw.Int("SELECT count(*) FROM link_check") == 1);
    CHECK(raw.Int("SELECT count(*) FROM link WHERE candidate_status = '' AND "
                  "candidate_count = 0 AND backoff_step = 0 AND lease_id IS NULL AND "
                  "reappeared_at IS NULL AND etag IS NULL") == 2);
    CHECK(raw.Int("SELECT truncated + not_modified FROM link_check") == 0);
    CHECK(raw.Int("SELECT value FROM counter WHERE name = 'lease'") == 0);
    CHECK(raw.Text("PRAGMA integrity_check") == "ok");
    CHECK(raw.Int("SELECT count(*) FROM pragma_foreign_key_check") == 0);
  }
  auto link = store->GetLink(1);
  REQUIRE(link.ok());
  CHECK(link->status == "removed");
  CHECK(link->removed_since == kStart);
  CHECK_FALSE(link->reappeared_at.has_value());
  REQUIRE(link->reports.size() == 1);
  CHECK(link->reports[0].note == "old note");
  auto history = store->History(1, 10, 0);
  REQUIRE(history.ok());
  REQUIRE(history->size() == 1);
  CHECK(history->at(0).id == 7);
  CHECK(history->at(0).error == "Not Found");
  CHECK_FALSE(history->at(0).truncated);

  // The scheduler works on the migrated rows (link 2 holds an expired version 1 lease).
  auto leased = store->LeaseDue(kStart + 1000, 10, kLeaseMs);
  REQUIRE(leased.ok());
  REQUIRE(leased->size() == 2);
  CHECK(leased->at(0).id == 1);
  CHECK(leased->at(0).removed_since == kStart);
  CHECK(leased->at(0).lease_id == 1);
  CHECK(*store->RecordChecks({Outcome(leased->at(0), kStart + 1500, "removed", 404)}) ==
        std::vector<bool>{true});
  CHECK(store->GetLink(1)->removed_since == kStart);
}

TEST_CASE("version 10 gives each link discovered before it the reason its audit row gave") {
  TempDir dir;
  const std::string path = dir.File("v9.db");
  MigratedTo(path, 9).reset();
  {
    RawDb raw(path);
    const std::string t = std::to_string(kStart);
    raw.Exec("INSERT INTO link (id, canonical_url, submitted_url, host, origin, review_state, category, "
             "status, next_check_at, created_at, found_from, depth) VALUES "
             "(1, 'https://a.example/1', 'https://a.example/1', 'a.example', 'registered', 'confirmed', "
             "'extremism', 'alive', " + t + ", " + t + ", NULL, 0), "
             "(2, 'https://b.example/2', 'https://b.example/2', 'b.example', 'discovered', 'pending', "
             "'extremism', 'pending', " + t + ", " + t + ", 1, 1), "
             "(20, 'https://c.example/20', 'https://c.example/20', 'c.example', 'discovered', 'pending', "
             "'extremism', 'pending', " + t + ", " + t + ", 1, 1)");
    raw.Exec("INSERT INTO audit (at, token_id, agency, action, target, detail, prev_hash, hash) VALUES "
             "(" + t + ", 0, 'linkwatchd', 'link.discover', 'link:2', "
             "'{\"found_from\":1,\"reason\":\"rules: cd-001\",\"url\":\"https://b.example/2\"}', '', 'h1'), "
             "(" + t + ", 0, 'linkwatchd', 'link.status', 'link:20', '{\"reason\":\"not this\"}', 'h1', 'h2'), "
             "(" + t + ", 0, 'linkwatchd', 'link.discover', 'link:20', "
             "'{\"found_from\":1,\"reason\":\"cluster: abc\",\"url\":\"https://c.example/20\"}', 'h2', 'h3'), "
             "(" + t + ", 0, 'linkwatchd', 'link.discover', 'link:1', '{\"reason\":\"not registered links\"}', "
             "'h3', 'h4')");
  }
  ManualClock clock(kStart + 1000);
  auto store = MustOpen(path, clock);
  CHECK(store->SchemaVersion() == 10);
  CHECK(store->GetLink(2)->found_reason == "rules: cd-001");
  CHECK(store->GetLink(20)->found_reason == "cluster: abc");
  CHECK(store->GetLink(1)->found_reason.empty());
}

// The statements of a check that set constrained values (as the writer's do).
const std::string kCheckWrites[] = {
    "UPDATE link SET status = 'alive', candidate_status = '' WHERE id = 1",
    "INSERT INTO link_check (link_id, checked_at, status_class) VALUES (1, 1, 'alive')",
};

TEST_CASE("before version 9 a check's value constraints build temporary b-trees") {
  TempDir dir;
  const std::string path = dir.File("v8.db");
  MigratedTo(path, 8).reset();
  RawDb raw(path);
  for (const std::string& sql : kCheckWrites) CHECK(Has(raw.Opcodes(sql), "OpenEphemeral"));
}

TEST_CASE("version 9's value constraints refuse what they refused, without temporary b-trees") {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  MakeVersion1(path);
  ManualClock clock(kStart + 1000);
  MustOpen(path, clock).reset();
  RawDb raw(path);
  for (const std::string& sql : kCheckWrites) {
    CHECK_FALSE(Has(raw.Opcodes(sql), "OpenEphemeral"));
    raw.Exec("BEGIN; " + sql + "; ROLLBACK");  // a good value passes
  }
  for (const std::string bad : {"gone", "Alive", "alive ", ""}) {
    std::vector<std::string> refused = {
        "UPDATE link SET status = '" + bad + "' WHERE id = 1",
        "UPDATE link SET review_state = '" + bad + "' WHERE id = 1",
        "UPDATE link SET origin = '" + bad + "' WHERE id = 1",
        "INSERT INTO link_check (link_id, checked_at, status_class) VALUES (1, 1, '" + bad + "')",
        "INSERT INTO token (agency_id, role, token_hash, created_at) VALUES (1, '" + bad + "', 'h', 1)",
        "INSERT INTO notification (event, webhook, payload, state, created_at) "
        "VALUES ('e', 'w', '{}', '" + bad + "', 1)",
        "INSERT INTO candidate (key, url, host, found_from, depth, state, created_at) "
        "VALUES ('k', 'u', 'h', 1, 1, '" + bad + "', 1)",
    };
    if (!bad.empty()) refused.push_back("UPDATE link SET candidate_status = '" + bad + "' WHERE id = 1");
    for (const std::string& sql : refused) {
      INFO(sql);
      CHECK(raw.Error(sql).find("CHECK constraint failed") != std::string::npos);
    }
  }
  CHECK(raw.Text("PRAGMA integrity_check") == "ok");
}

TEST_CASE("the connection that migrates to version 9 uses its constraints at once") {
  TempDir dir;
  auto db = MigratedTo(dir.File("v9.db"), 8);
  REQUIRE(*MigrateTo(*db, 9) == 9);
  for (const std::string& sql : kCheckWrites) {
    INFO(sql);
    auto stmt = db->Prepare("EXPLAIN " + sql);
    REQUIRE(stmt.ok());
    std::string ops;
    for (auto row = stmt->Step(); row.ok() && *row; row = stmt->Step()) ops += stmt->Text(1) + "\n";
    CHECK(Has(ops, "Insert"));  // the statement's own opcodes were read
    CHECK_FALSE(Has(ops, "OpenEphemeral"));
  }
}

TEST_CASE("version 9 refuses a value constraint changed by hand, and leaves the database as it was") {
  TempDir dir;
  const std::string path = dir.File("v8.db");
  auto db = MigratedTo(path, 8);
  {
    RawDb raw(path);
    const int version = static_cast<int>(raw.Int("PRAGMA schema_version"));
    raw.Exec("PRAGMA writable_schema = ON");
    raw.Exec("UPDATE sqlite_schema SET sql = replace(sql, '''failed'')', '''failed'', ''lost'')') "
             "WHERE name = 'notification'");
    raw.Exec("PRAGMA schema_version = " + std::to_string(version + 1));
    raw.Exec("PRAGMA writable_schema = OFF");
  }
  auto migrated = MigrateTo(*db, 9);
  REQUIRE_FALSE(migrated.ok());
  INFO(migrated.status().ToString());
  CHECK(Has(migrated.status().message(), "table notification of " + path));
  CHECK(Has(migrated.status().message(), "state IN ('pending', 'delivered', 'failed')"));
  CHECK(Has(migrated.status().message(), "changed by hand"));
  RawDb raw(path);
  CHECK(raw.Int("PRAGMA user_version") == 8);
  // The tables rewritten before notification are as they were.
  CHECK(raw.Int("SELECT count(*) FROM sqlite_schema WHERE name = 'link' AND "
                "sql LIKE '%status IN (''pending'', ''alive''%'") == 1);
  CHECK(raw.Error("INSERT INTO notification (event, webhook, payload, state, created_at) "
                  "VALUES ('e', 'w', '{}', 'lost', 1)") == "");
  CHECK(raw.Text("PRAGMA integrity_check") == "ok");
}

TEST_CASE("a version 1 lease left by a crash is released after the migration") {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  MakeVersion1(path);
  RawDb(path).Exec("UPDATE link SET lease_until = " + std::to_string(kStart + kHourMs) +
                   " WHERE id = 1");
  ManualClock clock(kStart + 1000);
  auto store = MustOpen(path, clock);
  CHECK(Ids(*store->LeaseDue(kStart + 1000, 10, kLeaseMs)) == std::vector<int64_t>{2});
  CHECK(*store->ReleaseAllLeases() == 2);
  CHECK(store->LeaseDue(kStart + 1000, 10, kLeaseMs)->size() == 2);
}

TEST_CASE("the due queries search an index and never scan the link table") {
  Fixture fx(300);
  // Realistic spread: most links checked, some leased, a few discovered.
  RawDb raw(fx.path());
  raw.Exec("UPDATE link SET status = 'alive', next_check_at = next_check_at + id * 1000");
  raw.Exec("UPDATE link SET origin = 'discovered', review_state = 'pending' WHERE id % 10 = 0");
  fx.Lease(kStart + 50'000, 20);
  const bool analyzed = GENERATE(false, true);
  if (analyzed) raw.Exec("ANALYZE");
  INFO("after ANALYZE: " << analyzed);

  const std::string free_plan = Plan(fx.path(), kDueFreeSql);
  INFO(free_plan);
  CHECK(Has(free_plan, "SEARCH link USING INDEX link_due (origin=? AND next_check_at<?)"));
  CHECK_FALSE(Has(free_plan, "SCAN link"));
  CHECK_FALSE(Has(free_plan, "TEMP B-TREE"));  // the index gives the order
  CHECK(Has(free_plan, "SEARCH e USING INDEX evidence_link (link_id=?)"));  // newest evidence

  const std::string expired_plan = Plan(fx.path(), kDueExpiredSql);
  INFO(expired_plan);
  CHECK(Has(expired_plan, "SEARCH link USING INDEX link_leased (lease_until<?)"));
  CHECK_FALSE(Has(expired_plan, "SCAN link"));

  const std::string history_plan =
      Plan(fx.path(),
           "SELECT id FROM link_check WHERE link_id = ?1 AND (checked_at, id) < (?2, ?3) "
           "ORDER BY checked_at DESC, id DESC LIMIT 10");
  INFO(history_plan);
  CHECK(Has(history_plan, "SEARCH link_check USING"));
  CHECK(Has(history_plan, "link_check_link_time"));
  CHECK_FALSE(Has(history_plan, "TEMP B-TREE"));
}

}  // namespace
}  // namespace linkwatch::storage::testing
