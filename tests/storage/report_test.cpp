// The weekly report: every figure of ReportData on a fixture built by hand,
// with the agency and category filters, on an empty database, at week
// boundaries; the query plans; the v4 -> v5 backfill of transitions.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "checks_fixture.h"
#include "report_read.h"  // white box: the report's SQL, for its plans
#include "report_write.h" // white box: the transition insert, for its plan
#include "schema.h"       // white box: MigrateTo, to build a version 4 database
#include "sqlite_db.h"

namespace linkwatch::storage::testing {
namespace {

constexpr TimeMs kDayMs = 24 * kHourMs;
constexpr TimeMs kWeekMs = 7 * kDayMs;
constexpr TimeMs kWs = 1'795'392'000'000;  // Monday 2026-11-23 00:00 UTC (2026-W48)
constexpr TimeMs kWe = kWs + kWeekMs;

ReportQuery Week() {
  ReportQuery q;
  q.week_start = kWs;
  q.week_end = kWe;
  q.week_label = "2026-W48";
  return q;
}

struct Seen {
  int64_t id;
  std::string observed;
  std::optional<int64_t> views;
  std::optional<TimeMs> removed_since;
};

// Checks the links at `at`, each confirming what it saw at once.
void CheckAt(Fixture& fx, TimeMs at, const std::vector<Seen>& seen) {
  const std::vector<DueLink> due = fx.Lease(at, 1000);
  std::vector<CheckOutcome> outcomes;
  for (const Seen& s : seen) {
    auto it = std::find_if(due.begin(), due.end(), [&](const DueLink& l) { return l.id == s.id; });
    REQUIRE(it != due.end());
    const int http = s.observed == "removed" ? 404 : s.observed == "blocked" ? 451 : 200;
    CheckOutcome o = Outcome(*it, at, s.observed, http);
    o.next_check_at = at + 1;
    if (s.views) {
      o.reach.counters_seen = true;
      o.reach.views = s.views;
    }
    o.removed_since = s.removed_since;
    outcomes.push_back(std::move(o));
  }
  const std::vector<bool> applied = fx.Record(std::move(outcomes));
  REQUIRE(std::count(applied.begin(), applied.end(), true) == static_cast<long>(seen.size()));
}

int64_t RegisterAt(Fixture& fx, const Actor& actor, TimeMs at, const std::string& url,
                   const std::string& category, const std::string& host = "example.org") {
  fx.clock().Set(at);
  Submission s = Sub(url, "", category);
  s.host = host;
  return MustRegister(fx.store(), actor, {s}).at(0).link_id;
}

ReportData MustReport(Store& store, const ReportQuery& q) {
  auto r = store.Report(q);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::vector<std::pair<std::string, int64_t>> Pairs(const std::vector<Count>& counts) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const Count& c : counts) out.emplace_back(c.key, c.count);
  return out;
}

using Pv = std::vector<std::pair<std::string, int64_t>>;
using StatusMap = std::map<std::string, int64_t>;

StatusMap Statuses(int64_t pending, int64_t alive, int64_t removed, int64_t blocked,
                   int64_t unreachable = 0) {
  return {{"pending", pending}, {"alive", alive}, {"removed", removed}, {"blocked", blocked},
          {"unreachable", unreachable}};
}

// L1..L5 registered, D1..D3 discovered; see the comments for each event.
struct World {
  Fixture fx;
  Actor police, prosecutor;
  int64_t l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, d1 = 0, d2 = 0, d3 = 0;

  World() {
    police = fx.police();
    prosecutor = MustAgency(fx.store(), "Prosecutor");
    const TimeMs t0 = kWs - 3 * kDayMs;
    l1 = RegisterAt(fx, police, t0, "https://example.org/1", "extremism");
    l2 = RegisterAt(fx, police, t0, "https://example.org/2", "terrorism");
    l3 = RegisterAt(fx, police, kWs, "https://example.org/3", "extremism");          // at week start: in
    l4 = RegisterAt(fx, prosecutor, kWs, "https://t.me/4", "terrorism", "t.me");
    RegisterAt(fx, prosecutor, kWs + kHourMs, "https://example.org/1", "extremism");  // duplicate
    l5 = RegisterAt(fx, police, kWe, "https://example.org/5", "extremism");          // at week end: next week
    CheckAt(fx, kWs - 2 * kDayMs, {{l1, "alive", 100, {}}, {l2, "alive", 50, {}}});
    CheckAt(fx, kWs - kDayMs, {{l2, "removed", {}, kWs - kDayMs - kHourMs}});
    CheckAt(fx, kWs + 2 * kDayMs,
            {{l1, "removed", {}, kWs + kDayMs},
             {l2, "alive", 80, {}},  // reappeared
             {l3, "alive", 10, {}},
             {l4, "blocked", {}, {}}});
    CheckAt(fx, kWe, {{l3, "removed", {}, kWe}});  // at week end: next week
    fx.clock().Set(kWe + kHourMs);
    // Discovered links, by hand: D1 found in the week and pending, D2 found and
    // rejected in the week, D3 found before and accepted in the week (with
    // the prosecutor's report, as Review writes it).
    RawDb raw(fx.path());
    const auto ins = [&](int id, TimeMs created, const std::string& review,
                         const std::string& reviewed) {
      raw.Exec("INSERT INTO link (id, canonical_url, submitted_url, host, origin, review_state, "
               "category, created_at, reviewed_at) VALUES (" + std::to_string(id) +
               ", 'https://example.org/d" + std::to_string(id) + "', 'x', 'example.org', "
               "'discovered', '" + review + "', 'extremism', " + std::to_string(created) + ", " +
               reviewed + ")");
    };
    d1 = 101, d2 = 102, d3 = 103;
    ins(101, kWs + kDayMs, "pending", "NULL");
    ins(102, kWs + kDayMs, "rejected", std::to_string(kWs + 2 * kDayMs));
    ins(103, kWs - 5 * kDayMs, "confirmed", std::to_string(kWs + 3 * kDayMs));
    raw.Exec("INSERT INTO report (link_id, agency_id, reported_at, legal_basis, category, duplicate) "
             "VALUES (103, " + std::to_string(prosecutor.agency_id) + ", " +
             std::to_string(kWs + 3 * kDayMs) + ", 'b', 'extremism', 0)");
    // Clusters: L1 + L2 (a repost), L3 alone with the rejected D2 (not a repost).
    raw.Exec("INSERT INTO cluster (id, fingerprint, created_at) VALUES (1, 'a', 0), (2, 'b', 0)");
    raw.Exec("UPDATE link SET cluster_id = 1 WHERE id IN (" + std::to_string(l1) + ", " +
             std::to_string(l2) + ")");
    raw.Exec("UPDATE link SET cluster_id = 2 WHERE id IN (" + std::to_string(l3) + ", 102)");
  }
};

TEST_CASE("the report counts every figure of its week") {
  World w;
  const ReportData r = MustReport(w.fx.store(), Week());
  CHECK(r.generated_at == kWe + kHourMs);
  CHECK(r.query.week_label == "2026-W48");

  // Registration: L3, L4 (at week start) and D3 (accepted); L5 at week end is next week's.
  CHECK(r.registered_this_week == 3);
  CHECK(r.registered_total == 5);
  CHECK(Pairs(r.registered_by_agency) == Pv{{"Prosecutor", 2}, {"Police", 1}});
  CHECK(Pairs(r.registered_by_category) == Pv{{"extremism", 2}, {"terrorism", 1}});
  CHECK(r.duplicates_this_week == 1);
  CHECK(Pairs(r.duplicates_by_agency) == Pv{{"Prosecutor", 1}});

  // Status now: L5, D3 pending; L2 alive; L1, L3 removed; L4 blocked; D1 (waiting for
  // review) and D2 (rejected) left out.
  CHECK(r.status_now == Statuses(2, 1, 2, 1));
  CHECK(r.newly_removed == 1);  // L1 (L3 at week end is next week's)
  CHECK(r.newly_blocked == 1);  // L4
  CHECK(r.reappeared == 1);     // L2
  REQUIRE(r.transitions_by_host.size() == 2);
  CHECK(r.transitions_by_host[0].host == "example.org");
  CHECK(r.transitions_by_host[0].removed == 1);
  CHECK(r.transitions_by_host[0].reappeared == 1);
  CHECK(r.transitions_by_host[0].blocked == 0);
  CHECK(r.transitions_by_host[1].host == "t.me");
  CHECK(r.transitions_by_host[1].blocked == 1);

  // History: 12 weeks, oldest first; each end's status leaves out events at that end.
  REQUIRE(r.status_history.size() == 12);
  CHECK(r.status_history[11].week_label == "2026-W48");
  CHECK(r.status_history[11].end == kWe);
  CHECK(r.status_history[11].by_status == Statuses(1, 2, 1, 1));  // D3; L2, L3; L1; L4
  CHECK(r.status_history[10].week_label == "2026-W47");
  CHECK(r.status_history[10].end == kWs);
  CHECK(r.status_history[10].by_status == Statuses(0, 1, 1, 0));  // L1; L2 (D3 not yet accepted)
  CHECK(r.status_history[9].by_status == Statuses(0, 0, 0, 0));
  CHECK(r.status_history[0].week_label == "2026-W37");

  // Time to removal: L1 96 h this week (registered ws-3d, first seen removed ws+1d);
  // L2 47 h last week. L3's removal at week end is next week's.
  CHECK(r.removal_this_week.links == 1);
  CHECK(r.removal_this_week.median_hours == Approx(96));
  CHECK(r.removal_this_week.p90_hours == Approx(96));
  CHECK(r.removal_last_weeks.links == 2);
  CHECK(r.removal_last_weeks.median_hours == Approx(47));  // nearest rank: the 1st of 2
  CHECK(r.removal_last_weeks.p90_hours == Approx(96));
  CHECK(r.removal_hours_last_weeks == std::vector<double>{47, 96});
  REQUIRE(r.removal_by_host.size() == 1);
  CHECK(r.removal_by_host[0].host == "example.org");
  CHECK(r.removal_by_host[0].this_week.links == 1);
  CHECK(r.removal_by_host[0].last_weeks.links == 2);

  // Reach: only L2 is alive now (80 views, 50 at week start).
  CHECK(r.views_alive == 80);
  CHECK(r.alive_with_views == 1);
  CHECK(r.views_growth == 30);
  REQUIRE(r.top_viewed.size() == 1);
  CHECK(r.top_viewed[0].id == w.l2);
  CHECK(r.top_viewed[0].url == "https://example.org/2");
  CHECK(r.top_viewed[0].host == "example.org");
  CHECK(r.top_viewed[0].status == "alive");
  CHECK(r.top_viewed[0].views == 80);
  CHECK(r.top_viewed[0].growth == 30);
  REQUIRE(r.largest_clusters.size() == 1);  // cluster 2 has one counted member
  CHECK(r.largest_clusters[0].id == 1);
  CHECK(r.largest_clusters[0].members == 2);
  CHECK(r.largest_clusters[0].reach == 180);
  CHECK(r.largest_clusters[0].sample_url == "https://example.org/1");
  REQUIRE(r.views_history.size() == 12);
  CHECK(r.views_history[11] == std::make_pair(std::string("2026-W48"), int64_t{90}));  // L2 80 + L3 10
  CHECK(r.views_history[10] == std::make_pair(std::string("2026-W47"), int64_t{100}));  // L1
  CHECK(r.views_history[9].second == 0);

  // Discovery: D1 and D2 found (D2 rejected since), D3 accepted, D2 rejected, D1 pending.
  CHECK(r.discovered == 2);
  CHECK(r.accepted == 1);
  CHECK(r.rejected == 1);
  CHECK(r.pending == 1);
}

TEST_CASE("the agency filter keeps links with a report by the agency") {
  World w;
  ReportQuery q = Week();
  SECTION("Police: L1, L2, L3, L5") {
    q.agency = "Police";
    const ReportData r = MustReport(w.fx.store(), q);
    CHECK(r.registered_this_week == 1);
    CHECK(Pairs(r.registered_by_agency) == Pv{{"Police", 1}});
    CHECK(r.registered_total == 3);
    CHECK(r.duplicates_this_week == 0);  // the agency's own duplicate reports only
    CHECK(r.duplicates_by_agency.empty());
    CHECK(r.status_now == Statuses(1, 1, 2, 0));
    CHECK(r.newly_removed == 1);
    CHECK(r.newly_blocked == 0);
    CHECK(r.reappeared == 1);
    CHECK(r.status_history[11].by_status == Statuses(0, 2, 1, 0));
    CHECK(r.removal_last_weeks.links == 2);
    CHECK(r.views_alive == 80);
    CHECK(r.largest_clusters.size() == 1);
    CHECK(r.discovered + r.accepted + r.rejected + r.pending == 0);
  }
  SECTION("Prosecutor: L1 (its duplicate), L4, D3") {
    q.agency = "Prosecutor";
    const ReportData r = MustReport(w.fx.store(), q);
    CHECK(r.registered_this_week == 2);
    CHECK(Pairs(r.registered_by_agency) == Pv{{"Prosecutor", 2}});
    CHECK(r.duplicates_this_week == 1);
    CHECK(Pairs(r.duplicates_by_agency) == Pv{{"Prosecutor", 1}});
    CHECK(r.status_now == Statuses(1, 0, 1, 1));
    CHECK(r.accepted == 1);
    CHECK(r.views_alive == 0);
    CHECK(r.top_viewed.empty());
    CHECK(r.largest_clusters.empty());  // L2 is not the prosecutor's
  }
  SECTION("an unknown agency selects nothing") {
    q.agency = "Nobody";
    const ReportData r = MustReport(w.fx.store(), q);
    CHECK(r.registered_total == 0);
    CHECK(r.duplicates_this_week == 0);
    CHECK(r.status_now == Statuses(0, 0, 0, 0));
  }
}

TEST_CASE("the category filter keeps links of the category") {
  World w;
  ReportQuery q = Week();
  q.category = "terrorism";  // L2 and L4
  const ReportData r = MustReport(w.fx.store(), q);
  CHECK(r.registered_this_week == 1);
  CHECK(r.registered_total == 2);
  CHECK(Pairs(r.registered_by_category) == Pv{{"terrorism", 1}});
  CHECK(r.duplicates_this_week == 0);
  CHECK(r.status_now == Statuses(0, 1, 0, 1));
  CHECK(r.newly_removed == 0);
  CHECK(r.newly_blocked == 1);
  CHECK(r.reappeared == 1);
  CHECK(r.removal_this_week.links == 0);
  CHECK_FALSE(r.removal_this_week.median_hours);
  CHECK(r.removal_last_weeks.links == 1);
  CHECK(r.views_alive == 80);
  CHECK(r.views_growth == 30);
  CHECK(r.discovered == 0);

  q.agency = "Police";  // both: L2
  const ReportData both = MustReport(w.fx.store(), q);
  CHECK(both.status_now == Statuses(0, 1, 0, 0));
  CHECK(both.registered_total == 1);
}

TEST_CASE("the next week sees the events at its start") {
  World w;
  ReportQuery q = Week();
  q.week_start += kWeekMs;
  q.week_end += kWeekMs;
  q.history_weeks = 1;
  const ReportData r = MustReport(w.fx.store(), q);
  CHECK(r.registered_this_week == 1);  // L5
  CHECK(r.registered_total == 6);
  CHECK(r.newly_removed == 1);          // L3
  CHECK(r.removal_this_week.links == 1);
  CHECK(r.removal_this_week.median_hours == Approx(7 * 24));
  REQUIRE(r.status_history.size() == 1);
  CHECK(r.status_history[0].by_status == Statuses(2, 1, 2, 1));
  CHECK(r.views_history[0].second == 80);
  CHECK(r.views_growth == 0);  // L2 saw no new count
  REQUIRE(r.top_viewed.size() == 1);
  CHECK(r.top_viewed[0].growth == 0);
  CHECK(r.discovered == 0);
  CHECK(r.pending == 1);
}

// A discovered link written by hand, as the crawler and Review leave it.
struct Found {
  int64_t id;
  TimeMs created_at;
  std::string review;  // pending, confirmed or rejected
  std::optional<TimeMs> reviewed_at;
  std::string status = "pending";
  std::optional<int64_t> views;
  std::optional<int64_t> cluster;
};

void InsertFound(RawDb& raw, const Found& f) {
  const auto opt = [](const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "NULL"; };
  raw.Exec("INSERT INTO link (id, canonical_url, submitted_url, host, origin, review_state, category, "
           "status, views, cluster_id, created_at, reviewed_at) VALUES (" + std::to_string(f.id) +
           ", 'https://example.org/found/" + std::to_string(f.id) + "', 'x', 'example.org', "
           "'discovered', '" + f.review + "', 'extremism', '" + f.status + "', " + opt(f.views) +
           ", " + opt(f.cluster) + ", " + std::to_string(f.created_at) + ", " + opt(f.reviewed_at) + ")");
}

Link MustReview(Store& store, const Actor& actor, int64_t id, bool accept) {
  ReviewDecision d;
  d.link_id = id;
  d.accept = accept;
  d.legal_basis = "Court decision 3-45/2026";
  d.reason = "not the material";
  auto link = store.Review(actor, d);
  INFO(link.status().ToString());
  REQUIRE(link.ok());
  return std::move(link).value();
}

TEST_CASE("the report says how many alive links the views figure comes from") {
  Fixture fx;
  const int64_t counted = RegisterAt(fx, fx.police(), kWs - 3 * kDayMs, "https://example.org/v", "extremism");
  const int64_t silent = RegisterAt(fx, fx.police(), kWs - 3 * kDayMs, "https://example.org/s", "extremism");
  CheckAt(fx, kWs + kDayMs, {{counted, "alive", 100, {}}, {silent, "alive", {}, {}}});
  fx.clock().Set(kWe + kHourMs);
  const ReportData r = MustReport(fx.store(), Week());
  CHECK(r.status_now == Statuses(0, 2, 0, 0));
  CHECK(r.views_alive == 100);
  CHECK(r.alive_with_views == 1);  // the other shows no count: not "0 views"
}

TEST_CASE("discovered links no person confirmed count in no status or reach figure") {
  Fixture fx;
  const int64_t l = RegisterAt(fx, fx.police(), kWs - 3 * kDayMs, "https://example.org/l", "extremism");
  CheckAt(fx, kWs + kDayMs, {{l, "alive", 100, {}}});
  {
    RawDb raw(fx.path());
    raw.Exec("INSERT INTO cluster (id, fingerprint, created_at) VALUES (1, 'a', 0)");
    raw.Exec("UPDATE link SET cluster_id = 1 WHERE id = " + std::to_string(l));
    // P: a pending candidate, alive with many views, a copy of L.
    InsertFound(raw, {101, kWs + kDayMs, "pending", {}, "alive", 99'999, 1});
    raw.Exec("INSERT INTO link_views_week (week, link_id, first_at, first_views, at, views) VALUES (" +
             std::to_string(kWs) + ", 101, " + std::to_string(kWs + 2 * kDayMs) + ", 99999, " +
             std::to_string(kWs + 2 * kDayMs) + ", 99999)");
    // Q: a pending candidate removed in the week; R: rejected, alive, a copy of L.
    InsertFound(raw, {102, kWs + kDayMs, "pending", {}, "removed", {}, {}});
    raw.Exec("INSERT INTO link_transition (link_id, at, from_status, to_status, host, removed_since, "
             "first_removal) VALUES (102, " + std::to_string(kWs + 3 * kDayMs) +
             ", 'pending', 'removed', 'example.org', " + std::to_string(kWs + 2 * kDayMs) + ", 1)");
    InsertFound(raw, {103, kWs - kDayMs, "rejected", kWs, "alive", 5'000, 1});
  }
  fx.clock().Set(kWe + kHourMs);
  const ReportData r = MustReport(fx.store(), Week());
  CHECK(r.registered_total == 1);
  CHECK(r.status_now == Statuses(0, 1, 0, 0));  // adds up to the registered links
  CHECK(r.status_history[11].by_status == Statuses(0, 1, 0, 0));
  CHECK(r.newly_removed == 0);
  CHECK(r.transitions_by_host.empty());
  CHECK(r.removal_this_week.links == 0);
  CHECK(r.removal_last_weeks.links == 0);
  CHECK(r.views_alive == 100);
  CHECK(r.views_growth == 0);
  REQUIRE(r.top_viewed.size() == 1);
  CHECK(r.top_viewed[0].id == l);
  CHECK(r.views_history[11].second == 100);
  CHECK(r.largest_clusters.empty());  // L is the one counted copy
  // Discovery still sees the findings.
  CHECK(r.discovered == 2);
  CHECK(r.pending == 2);

  SECTION("an accepted finding counts from its acceptance") {
    fx.clock().Set(kWe + 2 * kHourMs);  // next week
    MustReview(fx.store(), fx.police(), 101, true);
    const ReportData after = MustReport(fx.store(), Week());
    // Now figures see it; the week's figures and history, as of week end, do not.
    CHECK(after.status_now == Statuses(0, 2, 0, 0));
    CHECK(after.views_alive == 100'099);
    REQUIRE(after.top_viewed.size() == 2);
    CHECK(after.top_viewed[0].id == 101);
    REQUIRE(after.largest_clusters.size() == 1);
    CHECK(after.largest_clusters[0].members == 2);
    CHECK(after.registered_total == 1);
    CHECK(after.status_history[11].by_status == Statuses(0, 1, 0, 0));
    CHECK(after.views_history[11].second == 100);
    CHECK(after.pending == 1);
  }
}

TEST_CASE("discovered in a week counts every link found in it whatever its review since") {
  Fixture fx;
  {
    RawDb raw(fx.path());
    InsertFound(raw, {101, kWs + kDayMs, "pending", {}, "pending", {}, {}});
    InsertFound(raw, {102, kWs + kDayMs, "pending", {}, "pending", {}, {}});
  }
  fx.clock().Set(kWs + 2 * kDayMs);
  const ReportData before = MustReport(fx.store(), Week());
  CHECK(before.discovered == 2);
  CHECK(before.pending == 2);
  MustReview(fx.store(), fx.police(), 101, true);
  fx.clock().Set(kWs + 3 * kDayMs);
  MustReview(fx.store(), fx.police(), 102, false);
  fx.clock().Set(kWe + kHourMs);
  const ReportData after = MustReport(fx.store(), Week());
  CHECK(after.discovered == 2);
  CHECK(after.accepted == 1);
  CHECK(after.rejected == 1);
  CHECK(after.pending == 0);
  CHECK(after.registered_this_week == 1);  // the accepted one
}

TEST_CASE("an agency's figures take a link from that agency's first report of it") {
  Fixture fx;
  const Actor beta = MustAgency(fx.store(), "Beta");
  constexpr TimeMs kW46 = kWs - 2 * kWeekMs;
  // Link 2: Beta's in W40, alive with 7 views in W41; Beta reports it again in W48.
  const int64_t l2 = RegisterAt(fx, beta, kWs - 8 * kWeekMs, "https://example.org/2", "extremism");
  CheckAt(fx, kWs - 7 * kWeekMs, {{l2, "alive", 7, {}}});
  // Link 1: the police's in W46, alive with 100 views there; Beta reports it in W48.
  const int64_t l1 = RegisterAt(fx, fx.police(), kW46 + kDayMs, "https://example.org/1", "extremism");
  CheckAt(fx, kW46 + 2 * kDayMs, {{l1, "alive", 100, {}}});
  fx.clock().Set(kWs + kDayMs);
  Submission again = Sub("https://example.org/1");
  MustRegister(fx.store(), beta, {again});
  again = Sub("https://example.org/2");
  again.legal_basis = "Court decision 7-8/2026";
  MustRegister(fx.store(), beta, {again});
  fx.clock().Set(kWe + kHourMs);

  ReportQuery w46 = Week();
  w46.week_start = kW46;
  w46.week_end = kW46 + kWeekMs;
  w46.week_label = "2026-W46";
  w46.history_weeks = 4;
  w46.agency = "Beta";
  const ReportData r46 = MustReport(fx.store(), w46);
  CHECK(r46.registered_this_week == 0);  // the police registered link 1; Beta did not report it yet
  CHECK(r46.registered_by_agency.empty());
  CHECK(r46.registered_total == 1);      // link 2
  CHECK(r46.status_history[3].by_status == Statuses(0, 1, 0, 0));
  CHECK(r46.views_history[3].second == 7);
  CHECK(r46.status_now == Statuses(0, 2, 0, 0));  // now, both are Beta's

  ReportQuery w48 = Week();
  w48.history_weeks = 4;  // from W45: link 2's first report by Beta is older
  w48.agency = "Beta";
  const ReportData r48 = MustReport(fx.store(), w48);
  CHECK(r48.registered_this_week == 0);
  CHECK(r48.registered_total == 2);
  // W46 reads the same in both reports.
  CHECK(r48.status_history[1].week_label == "2026-W46");
  CHECK(r48.status_history[1].by_status == Statuses(0, 1, 0, 0));
  CHECK(r48.views_history[1].second == 7);
  CHECK(r48.status_history[3].by_status == Statuses(0, 2, 0, 0));
  CHECK(r48.views_history[3].second == 107);
  CHECK(r48.status_history[0].by_status == Statuses(0, 1, 0, 0));

  w46.agency.reset();  // without the filter link 1 is the police's from W46
  const ReportData all46 = MustReport(fx.store(), w46);
  CHECK(all46.registered_this_week == 1);
  CHECK(all46.views_history[3].second == 107);
}

TEST_CASE("a cluster's reach is unknown when none of its copies shows views") {
  Fixture fx;
  std::vector<int64_t> ids;
  for (int i = 1; i <= 5; ++i) {
    ids.push_back(RegisterAt(fx, fx.police(), kWs - kDayMs, Url(i), "extremism"));
  }
  CheckAt(fx, kWs + kDayMs, {{ids[0], "alive", {}, {}}, {ids[1], "alive", {}, {}},
                             {ids[2], "alive", 40, {}}, {ids[3], "alive", {}, {}},
                             {ids[4], "alive", {}, {}}});
  {
    RawDb raw(fx.path());
    const auto join = [&](int cluster, size_t a, size_t b) {
      raw.Exec("UPDATE link SET cluster_id = " + std::to_string(cluster) + " WHERE id IN (" +
               std::to_string(ids[a]) + ", " + std::to_string(ids[b]) + ")");
    };
    raw.Exec("INSERT INTO cluster (id, fingerprint, created_at) VALUES (1, 'a', 0), (2, 'b', 0), (3, 'c', 0)");
    join(1, 0, 1);  // no copy shows views
    join(2, 2, 3);  // one does
    join(3, 4, 4);  // one counted copy and a candidate no person confirmed
    InsertFound(raw, {101, kWs, "pending", {}, "alive", 500, 3});
  }
  fx.clock().Set(kWe + kHourMs);
  const ReportData r = MustReport(fx.store(), Week());
  const auto cluster = [&](int64_t id) {
    auto it = std::find_if(r.largest_clusters.begin(), r.largest_clusters.end(),
                           [&](const TopCluster& c) { return c.id == id; });
    REQUIRE(it != r.largest_clusters.end());
    return *it;
  };
  CHECK(cluster(1).members == 2);
  CHECK(cluster(1).reach == std::nullopt);
  CHECK(cluster(2).reach == std::optional<int64_t>(40));
  CHECK(r.largest_clusters.size() == 2);  // cluster 3 has one counted copy
  REQUIRE_FALSE(r.largest_clusters.empty());
  CHECK(r.largest_clusters[0].id == 2);  // a known reach before an unknown one
}

TEST_CASE("an empty database reports zeros") {
  Fixture fx;
  const ReportData r = MustReport(fx.store(), Week());
  CHECK(r.registered_this_week == 0);
  CHECK(r.registered_total == 0);
  CHECK(r.registered_by_agency.empty());
  CHECK(r.status_now == Statuses(0, 0, 0, 0));
  CHECK(r.transitions_by_host.empty());
  REQUIRE(r.status_history.size() == 12);
  CHECK(r.status_history[5].by_status == Statuses(0, 0, 0, 0));
  CHECK(r.removal_last_weeks.links == 0);
  CHECK_FALSE(r.removal_last_weeks.median_hours);
  CHECK_FALSE(r.removal_last_weeks.p90_hours);
  CHECK(r.removal_hours_last_weeks.empty());
  CHECK(r.views_alive == 0);
  CHECK(r.top_viewed.empty());
  CHECK(r.largest_clusters.empty());
  CHECK(r.views_history.size() == 12);
  CHECK(r.discovered + r.accepted + r.rejected + r.pending == 0);
}

TEST_CASE("percentiles are nearest-rank") {
  Fixture fx(10);
  // Ten links registered at kStart, first seen removed 1..10 hours later.
  const TimeMs at = kStart + 11 * kHourMs;
  std::vector<Seen> seen;
  for (int i = 0; i < 10; ++i) {
    seen.push_back({fx.ids()[static_cast<size_t>(i)], "removed", {}, kStart + (i + 1) * kHourMs});
  }
  CheckAt(fx, at, seen);
  const ReportData r = MustReport(fx.store(), Week());
  CHECK(r.removal_this_week.links == 10);
  CHECK(r.removal_this_week.median_hours == Approx(5));
  CHECK(r.removal_this_week.p90_hours == Approx(9));
  CHECK(r.removal_hours_last_weeks.size() == 10);
}

TEST_CASE("the report's time-ranged queries search indexes") {
  World w;
  const bool analyzed = GENERATE(false, true);
  if (analyzed) RawDb(w.fx.path()).Exec("ANALYZE");
  INFO("after ANALYZE: " << analyzed);
  const std::string reports = Plan(w.fx.path(), kReportWeekReportsSql);
  INFO(reports);
  // The covering report_time, or report_agency_time per agency once ANALYZE knows there are few.
  CHECK((Has(reports, "SEARCH r USING COVERING INDEX report_time (reported_at>? AND reported_at<?)") ||
         Has(reports, "SEARCH r USING INDEX report_agency_time (agency_id=? AND reported_at>? AND reported_at<?)")));
  CHECK_FALSE(Has(reports, "SCAN r"));
  const std::string transitions = Plan(w.fx.path(), kReportTransitionsSql);
  INFO(transitions);
  CHECK(Has(transitions, "SEARCH link_transition USING COVERING INDEX link_transition_at (at>?)"));
  CHECK_FALSE(Has(transitions, "TEMP B-TREE"));
  const std::string views = Plan(w.fx.path(), kReportViewsSql);
  INFO(views);
  CHECK(Has(views, "SEARCH link_views_week USING PRIMARY KEY (week>?)"));
  CHECK_FALSE(Has(views, "TEMP B-TREE"));
  const std::string agency = Plan(w.fx.path(), kReportAgencyLinksSql);
  INFO(agency);
  CHECK(Has(agency, "SEARCH report USING COVERING INDEX report_agency_link (agency_id=?)"));
  CHECK_FALSE(Has(agency, "TEMP B-TREE"));  // grouped in the index's order
  const std::string recent = Plan(w.fx.path(), kReportAgencyRecentSql);
  INFO(recent);
  // The agency's reports in the history's weeks: a range of report_time, which
  // holds link and agency (no table lookup per report).
  CHECK(Has(recent, "SEARCH report USING COVERING INDEX report_time (reported_at>?)"));
  // The one pass over the links reads the covering index, never the table.
  const std::string links = Plan(w.fx.path(), kReportLinksSql);
  INFO(links);
  CHECK(Has(links, "SCAN link USING COVERING INDEX link_report"));
  for (const std::string& plan : {reports, transitions, views, agency, recent, links}) {
    CHECK_FALSE(Has(plan, "link_check"));
    CHECK_FALSE(Has(plan, "audit"));
  }
}

TEST_CASE("checks record transitions and weekly views") {
  World w;
  RawDb raw(w.fx.path());
  CHECK(raw.Int("SELECT count(*) FROM link_transition") == 8);
  CHECK(raw.Int("SELECT count(*) FROM link_transition WHERE first_removal = 1") == 3);
  CHECK(raw.Int("SELECT removed_since FROM link_transition WHERE link_id = " + std::to_string(w.l1) +
                " AND to_status = 'removed'") == kWs + kDayMs);
  CHECK(raw.Text("SELECT host FROM link_transition WHERE link_id = " + std::to_string(w.l4)) == "t.me");
  // A link's first removal is marked, not a later one; only removals know since when.
  CHECK(raw.Int("SELECT count(*) FROM link_transition t WHERE t.to_status = 'removed' AND "
                "t.first_removal != NOT EXISTS (SELECT 1 FROM link_transition p WHERE "
                "p.link_id = t.link_id AND p.to_status = 'removed' AND p.id < t.id)") == 0);
  CHECK(raw.Int("SELECT count(*) FROM link_transition WHERE to_status <> 'removed' AND "
                "(first_removal <> 0 OR removed_since IS NOT NULL)") == 0);
  CHECK(raw.Int("SELECT count(*) FROM link_transition WHERE to_status = 'removed' AND "
                "removed_since IS NULL") == 0);
  // L2: 50 in week 47, 80 in week 48 with 50 before it.
  CHECK(raw.Int("SELECT prev_views FROM link_views_week WHERE link_id = " + std::to_string(w.l2) +
                " AND week = " + std::to_string(kWs)) == 50);
  CHECK(raw.Int("SELECT count(*) FROM link_views_week WHERE prev_views IS NULL") == 3);  // L1, L2, L3
}

TEST_CASE("only a link's first removal counts as its first") {
  World w;
  CheckAt(w.fx, kWe + kDayMs, {{w.l2, "removed", {}, kWe + kDayMs - kHourMs}});
  RawDb raw(w.fx.path());
  const auto t = [](TimeMs v) { return std::to_string(v); };
  CHECK(raw.Text("SELECT group_concat(to_status || ':' || first_removal || ':' || "
                 "coalesce(removed_since, '-'), ',') FROM (SELECT * FROM link_transition "
                 "WHERE link_id = " + t(w.l2) + " ORDER BY id)") ==
        "alive:0:-,removed:1:" + t(kWs - kDayMs - kHourMs) + ",alive:0:-,removed:0:" +
            t(kWe + kDayMs - kHourMs));
}

TEST_CASE("a transition is inserted from its values, without a temporary b-tree") {
  World w;
  RawDb raw(w.fx.path());
  // An INSERT that reads its own table copies the rows it inserts first.
  CHECK(Has(raw.Opcodes("INSERT INTO link_transition (link_id, at, from_status, to_status, host) "
                        "SELECT id, 1, 'alive', 'removed', host FROM link WHERE NOT EXISTS "
                        "(SELECT 1 FROM link_transition)"),
            "OpenEphemeral"));
  CHECK_FALSE(Has(raw.Opcodes(kInsertTransitionSql), "OpenEphemeral"));
}

TEST_CASE("the v4 -> v5 migration backfills transitions from the audit and views from checks") {
  TempDir dir;
  const std::string path = dir.File("v4.db");
  {
    auto db = Db::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    REQUIRE(db.ok());
    REQUIRE(*MigrateTo(**db, 4) == 4);
  }
  {
    RawDb raw(path);
    const auto t = [](TimeMs v) { return std::to_string(v); };
    raw.Exec("INSERT INTO agency (id, name, created_at) VALUES (1, 'Police', 0)");
    raw.Exec("INSERT INTO link (id, canonical_url, submitted_url, host, origin, review_state, "
             "status, removed_since, created_at) VALUES "
             "(1, 'https://a/1', 'x', 'a', 'registered', 'confirmed', 'removed', " +
             t(kWs + 2 * kDayMs - kHourMs) + ", " + t(kWs - 7 * kDayMs) + "), "
             "(2, 'https://b/2', 'x', 'b', 'registered', 'confirmed', 'alive', NULL, " +
             t(kWs - 7 * kDayMs) + ")");
    const auto audit = [&](int id, TimeMs at, int link, const std::string& from,
                           const std::string& to) {
      raw.Exec("INSERT INTO audit (id, at, token_id, agency, action, target, detail, prev_hash, hash) "
               "VALUES (" + std::to_string(id) + ", " + t(at) + ", 0, 'linkwatchd', 'link.status', "
               "'link:" + std::to_string(link) + "', '{\"from\":\"" + from + "\",\"to\":\"" + to +
               "\",\"http_status\":200}', '', '')");
    };
    audit(1, kWs - 6 * kDayMs, 1, "pending", "alive");
    audit(2, kWs - 5 * kDayMs, 1, "alive", "removed");
    audit(3, kWs + kDayMs, 1, "removed", "alive");
    audit(4, kWs + 2 * kDayMs, 1, "alive", "removed");
    audit(5, kWs - 6 * kDayMs, 2, "pending", "alive");
    raw.Exec("INSERT INTO audit (id, at, token_id, agency, action, target, detail, prev_hash, hash) "
             "VALUES (6, 0, 0, 'x', 'link.register', 'link:2', '{}', '', '')");
    raw.Exec("INSERT INTO link_check (link_id, checked_at, status_class, views) VALUES "
             "(2, " + t(kWs - 6 * kDayMs) + ", 'alive', 10), (2, " + t(kWs - 5 * kDayMs) +
             ", 'alive', 20), (2, " + t(kWs + kDayMs) + ", 'alive', 35), (2, " +
             t(kWs + 2 * kDayMs) + ", 'alive', NULL)");
  }
  {
    auto db = Db::Open(path, SQLITE_OPEN_READWRITE);
    REQUIRE(db.ok());
    REQUIRE(*MigrateTo(**db, 5) == 5);
  }
  RawDb raw(path);
  CHECK(raw.Int("SELECT count(*) FROM link_transition") == 5);
  CHECK(raw.Text("SELECT group_concat(to_status || ':' || first_removal, ',') FROM "
                 "(SELECT * FROM link_transition WHERE link_id = 1 ORDER BY id)") ==
        "alive:0,removed:1,alive:0,removed:0");
  // The removal the link is still in keeps the link's removed_since; earlier ones their audit time.
  CHECK(raw.Int("SELECT removed_since FROM link_transition WHERE link_id = 1 AND to_status = 'removed' "
                "ORDER BY id DESC LIMIT 1") == kWs + 2 * kDayMs - kHourMs);
  CHECK(raw.Int("SELECT removed_since FROM link_transition WHERE link_id = 1 AND first_removal = 1") ==
        kWs - 5 * kDayMs);
  CHECK(raw.Text("SELECT host FROM link_transition WHERE link_id = 2") == "b");
  // Views: week 47 first 10, latest 20; week 48 35 with 20 before.
  CHECK(raw.Text("SELECT group_concat(first_views || '/' || views || '/' || coalesce(prev_views, '-'), ',') "
                 "FROM (SELECT * FROM link_views_week WHERE link_id = 2 ORDER BY week)") ==
        "10/20/-,35/35/20");
  CHECK(raw.Int("SELECT week FROM link_views_week WHERE link_id = 2 ORDER BY week DESC LIMIT 1") == kWs);

  // The report over the migrated database: link 1's first removal was last week.
  ManualClock clock(kWe);
  auto store = MustOpen(path, clock);
  const ReportData r = MustReport(*store, Week());
  CHECK(r.newly_removed == 1);
  CHECK(r.reappeared == 1);
  CHECK(r.removal_this_week.links == 0);  // not its first removal
  CHECK(r.removal_last_weeks.links == 1);
  CHECK(r.removal_last_weeks.median_hours == Approx(48));
  CHECK(r.status_now == Statuses(0, 1, 1, 0));
  CHECK(r.views_alive == 0);  // link 2's views column was never set in this hand-made v4 database
  CHECK(r.status_history[10].by_status == Statuses(0, 1, 1, 0));
}

}  // namespace
}  // namespace linkwatch::storage::testing
