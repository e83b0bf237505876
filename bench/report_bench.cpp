// Weekly report benchmark (issue 6): Store::Report on 1,000,000 links and
// 10,000,000 checks spread over 26 weeks. The database is generated with raw
// SQL (synchronous=OFF, one big transaction per table) and cached at --db;
// delete the file to generate it again. Prints the generation time, the
// best of 3 report times per query (Store::Report: the figures), and per
// format the best of 3 of the figures and their rendering (what
// `linkwatch report --format F` has the daemon do, without HTTP).
//
//   lw_report_bench [--db /tmp/lw_report_bench.db] [--links 1000000] [--checks-per-link 10]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench_sqlite.h"
#include "linkwatch/base/time.h"
#include "linkwatch/storage/store.h"
#include "report_read.h"    // storage/src: the report's SQL, for the SQLite-alone peer
#include "report_render.h"  // daemon/src: the formats

namespace {

using linkwatch::TimeMs;
namespace storage = linkwatch::storage;

constexpr TimeMs kHour = 3'600'000;
constexpr TimeMs kDay = 24 * kHour;
constexpr TimeMs kWeek = 7 * kDay;
// The report week: Monday 2026-11-16 00:00 UTC; "now" is the Tuesday after it ends.
constexpr TimeMs kWeekStart = 1'794'787'200'000;
constexpr TimeMs kNow = kWeekStart + kWeek + kDay + 9 * kHour;
constexpr TimeMs kFirst = kWeekStart + kWeek - 26 * kWeek;  // 26 weeks of history
constexpr int kAgencies = 4, kHosts = 300, kCategories = 5;
const char* kAgencyNames[kAgencies] = {"Police", "Prosecutor", "Security", "Local"};

using linkwatch::bench::Exec;
using linkwatch::bench::Must;
using linkwatch::bench::Seconds;
using Insert = linkwatch::bench::Stmt;

const char* kStatus[] = {"pending", "alive", "removed", "blocked", "unreachable"};

TimeMs WeekOf(TimeMs t) { return t - ((t - 4 * kDay) % kWeek); }

void Generate(const std::string& path, int links, int checks_per_link) {
  const auto started = std::chrono::steady_clock::now();
  {  // the schema, through the store
    linkwatch::ManualClock clock(kFirst);
    storage::Options o;
    o.durable = false;
    auto store = storage::Store::Open(path, o, clock);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      std::exit(1);
    }
  }
  sqlite3* db = nullptr;
  Must(sqlite3_open(path.c_str(), &db), db, "open");
  Exec(db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY");
  Exec(db, "BEGIN");
  for (int a = 0; a < kAgencies; ++a) {
    Exec(db, "INSERT INTO agency (id, name, created_at) VALUES (" + std::to_string(a + 1) + ", '" +
                 kAgencyNames[a] + "', " + std::to_string(kFirst) + ")");
  }
  const int clusters = links / 50;
  for (int c = 1; c <= clusters; ++c) {
    Exec(db, "INSERT INTO cluster (id, fingerprint, created_at) VALUES (" + std::to_string(c) +
                 ", 'fp" + std::to_string(c) + "', " + std::to_string(kFirst) + ")");
  }
  std::mt19937_64 rng(42);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  Insert link(db,
              "INSERT INTO link (id, canonical_url, submitted_url, host, origin, review_state, category, "
              "status, last_checked_at, next_check_at, http_status, cluster_id, views, removed_since, "
              "created_at, reviewed_at) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 200, ?10, ?11, "
              "?12, ?13, ?14)");
  Insert report(db,
                "INSERT INTO report (link_id, agency_id, reported_at, legal_basis, category, duplicate) "
                "VALUES (?1, ?2, ?3, 'Court decision 2-123/2026', ?4, ?5)");
  Insert check(db,
               "INSERT INTO link_check (link_id, checked_at, http_status, status_class, views) "
               "VALUES (?1, ?2, ?3, ?4, ?5)");
  Insert transition(db,
                    "INSERT INTO link_transition (link_id, at, from_status, to_status, host, "
                    "removed_since, first_removal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  Insert views_week(db,
                    "INSERT INTO link_views_week (week, link_id, first_at, first_views, at, views, "
                    "prev_views) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  int64_t n_checks = 0, n_transitions = 0, n_reports = 0, n_rollup = 0;
  for (int id = 1; id <= links; ++id) {
    // Hosts: a few large platforms, a long tail.
    const int host_no = chance(0.5) ? static_cast<int>(uni(0, 9)) : static_cast<int>(uni(10, kHosts - 1));
    std::string host = "host";
    host.append(std::to_string(host_no)).append(".example");
    std::string category = "cat";
    category.append(std::to_string(uni(0, kCategories - 1)));
    const TimeMs created = kFirst + uni(0, kNow - kFirst - kHour);
    const bool discovered = chance(0.1);
    std::string review = "confirmed";
    std::optional<TimeMs> reviewed;
    if (discovered) {
      const double r = std::uniform_real_distribution<double>(0, 1)(rng);
      review = r < 0.5 ? "confirmed" : r < 0.8 ? "pending" : "rejected";
      if (review != "pending") reviewed = std::min(kNow - 1, created + uni(kHour, 5 * kDay));
    }
    const int64_t cluster = chance(0.1) ? uni(1, clusters) : 0;
    const bool has_views = chance(0.7);
    // The checks and the status walk.
    int status = 0;  // pending
    TimeMs removed_since = -1;
    bool ever_removed = false;
    int64_t views = uni(10, 5000), last_views = -1, prev_week_views = -1;
    TimeMs week = 0, week_first_at = 0, week_at = 0;
    int64_t week_first_views = 0;
    const int nc = static_cast<int>(uni(checks_per_link / 2, checks_per_link * 3 / 2));
    const TimeMs span = (kNow - created) / (nc + 1);
    auto flush_week = [&]() {
      if (week == 0) return;
      views_week.I(1, week).I(2, id).I(3, week_first_at).I(4, week_first_views).I(5, week_at).I(6, last_views);
      if (prev_week_views >= 0) views_week.I(7, prev_week_views); else views_week.N(7);
      views_week.Go();
      ++n_rollup;
    };
    TimeMs last_checked = 0;
    int64_t week_end_views = -1;
    for (int k = 1; k <= nc; ++k) {
      const TimeMs at = created + k * span + uni(0, span / 2);
      if (at >= kNow) break;
      int next = status;
      if (status == 0) {
        next = chance(0.9) ? 1 : 4;
      } else if (status == 1) {
        const double r = std::uniform_real_distribution<double>(0, 1)(rng);
        next = r < 0.08 ? 2 : r < 0.10 ? 3 : r < 0.11 ? 4 : 1;
      } else if (status == 2) {
        next = chance(0.05) ? 1 : 2;
      } else if (status == 3) {
        next = chance(0.05) ? 1 : 3;
      } else {
        next = chance(0.5) ? 1 : 4;
      }
      const bool alive = next == 1;
      check.I(1, id).I(2, at).I(3, next == 2 ? 404 : next == 3 ? 451 : next == 4 ? 503 : 200);
      check.T(4, kStatus[next == 0 ? 1 : next]);
      if (has_views && alive) {
        views += uni(0, 2000);
        check.I(5, views);
        const TimeMs w = WeekOf(at);
        if (w != week) {
          flush_week();
          prev_week_views = week_end_views;
          week = w;
          week_first_at = at;
          week_first_views = views;
        }
        week_at = at;
        last_views = views;
        week_end_views = views;
      } else {
        check.N(5);
      }
      check.Go();
      ++n_checks;
      if (next != status) {
        if (next == 2) removed_since = at - uni(0, 12 * kHour);
        transition.I(1, id).I(2, at).T(3, kStatus[status]).T(4, kStatus[next]).T(5, host);
        if (next == 2) transition.I(6, removed_since); else transition.N(6);
        transition.I(7, next == 2 && !ever_removed ? 1 : 0).Go();
        ++n_transitions;
        if (next == 2) ever_removed = true;
        if (next != 2) removed_since = -1;
        status = next;
      }
      last_checked = at;
    }
    flush_week();
    std::string url = "https://";
    url.append(host).append("/p/").append(std::to_string(id));
    link.I(1, id).T(2, url).T(3, host);
    link.T(4, discovered ? "discovered" : "registered").T(5, review).T(6, category).T(7, kStatus[status]);
    if (last_checked > 0) link.I(8, last_checked); else link.N(8);
    link.I(9, kNow + uni(0, kDay));
    if (cluster > 0) link.I(10, cluster); else link.N(10);
    if (last_views >= 0) link.I(11, last_views); else link.N(11);
    if (removed_since >= 0) link.I(12, removed_since); else link.N(12);
    link.I(13, created);
    if (reviewed) link.I(14, *reviewed); else link.N(14);
    link.Go();
    if (review == "confirmed") {
      const TimeMs first_at = discovered ? *reviewed : created;
      const int first_agency = static_cast<int>(uni(1, kAgencies));
      report.I(1, id).I(2, first_agency).I(3, first_at).T(4, category).I(5, 0).Go();
      ++n_reports;
      if (chance(0.15)) {
        const int other = first_agency % kAgencies + 1;
        report.I(1, id).I(2, other).I(3, std::min(kNow - 1, first_at + uni(kHour, 20 * kDay)));
        report.T(4, category).I(5, 1).Go();
        ++n_reports;
      }
    }
    if (id % 100000 == 0) {
      std::printf("  generated %d links, %lld checks (%.0f s)\n", id, static_cast<long long>(n_checks),
                  Seconds(started));
      std::fflush(stdout);
    }
  }
  Exec(db, "COMMIT");
  sqlite3_close(db);
  std::printf("generated %s: %d links, %lld checks, %lld reports, %lld transitions, %lld weekly views rows in %.1f s\n",
              path.c_str(), links, static_cast<long long>(n_checks), static_cast<long long>(n_reports),
              static_cast<long long>(n_transitions), static_cast<long long>(n_rollup), Seconds(started));
}

double Time(storage::Store& store, const char* name, storage::ReportQuery q) {
  double best = 1e9;
  storage::ReportData data;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = store.Report(q);
    const double s = Seconds(t0);
    if (!r.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, r.status().ToString().c_str());
      std::exit(1);
    }
    best = std::min(best, s);
    data = std::move(r).value();
  }
  std::printf("%-28s best of 3: %7.3f s  (registered %lld/%lld, alive %lld, removed this week %lld, "
              "median %.1f h, views alive %lld, history %zu weeks)\n",
              name, best, static_cast<long long>(data.registered_this_week),
              static_cast<long long>(data.registered_total),
              static_cast<long long>(data.status_now["alive"]), static_cast<long long>(data.newly_removed),
              data.removal_this_week.median_hours.value_or(-1),
              static_cast<long long>(data.views_alive), data.status_history.size());
  return best;
}

void TimeFormat(storage::Store& store, const storage::ReportQuery& q, const char* format) {
  const auto f = linkwatch::daemon::ParseReportFormat(format);
  double best = 1e9, render_best = 1e9;
  size_t bytes = 0;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = store.Report(q);
    if (!r.ok()) {
      std::fprintf(stderr, "%s: %s\n", format, r.status().ToString().c_str());
      std::exit(1);
    }
    const auto t1 = std::chrono::steady_clock::now();
    const std::string text = linkwatch::daemon::RenderReport(*r, *f);
    best = std::min(best, Seconds(t0));
    render_best = std::min(render_best, Seconds(t1));
    bytes = text.size();
  }
  std::printf("format %-4s (no filter)     best of 3: %7.3f s  (rendering %.3f s, %zu bytes)\n", format,
              best, render_best, bytes);
}

// The peer: SQLite alone. The report's queries (unfiltered) stepped on a
// connection set up as the store's readers (mmap), every column read, nothing
// done with the rows: the floor any report built on these rows pays.
double SqliteAlone(const std::string& path) {
  sqlite3* db = nullptr;
  Must(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), db, "open");
  Exec(db, "PRAGMA mmap_size = 2147483648");
  const TimeMs oldest = kWeekStart - 11 * kWeek;
  const std::pair<const std::string*, std::vector<TimeMs>> queries[] = {
      {&storage::kReportLinksSql, {}},
      {&storage::kReportWeekReportsSql, {kWeekStart, kWeekStart + kWeek}},
      {&storage::kReportTransitionsSql, {oldest}},
      {&storage::kReportViewsSql, {oldest}}};
  double best = 1e9;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    int64_t sink = 0;
    Exec(db, "BEGIN");
    for (const auto& [sql, params] : queries) {
      sqlite3_stmt* stmt = nullptr;
      Must(sqlite3_prepare_v2(db, sql->c_str(), -1, &stmt, nullptr), db, sql->c_str());
      for (size_t k = 0; k < params.size(); ++k) sqlite3_bind_int64(stmt, static_cast<int>(k) + 1, params[k]);
      const int columns = sqlite3_column_count(stmt);
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        for (int c = 0; c < columns; ++c) {
          if (sqlite3_column_type(stmt, c) == SQLITE_TEXT) {
            sink += sqlite3_column_bytes(stmt, c);
          } else {
            sink += sqlite3_column_int64(stmt, c);
          }
        }
      }
      sqlite3_finalize(stmt);
    }
    Exec(db, "COMMIT");
    if (sink == 42) std::printf(" ");  // keeps the reads
    best = std::min(best, Seconds(t0));
  }
  sqlite3_close(db);
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "/tmp/lw_report_bench.db";
  int links = 1'000'000, checks_per_link = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--db") path = argv[i + 1];
    if (flag == "--links") links = std::atoi(argv[i + 1]);
    if (flag == "--checks-per-link") checks_per_link = std::atoi(argv[i + 1]);
  }
  if (!std::filesystem::exists(path)) {
    Generate(path, links, checks_per_link);
  } else {
    std::printf("reusing %s (delete it to generate again)\n", path.c_str());
  }
  linkwatch::ManualClock clock(kNow);
  storage::Options o;
  o.create_if_missing = false;
  auto store = storage::Store::Open(path, o, clock);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  storage::ReportQuery q;
  q.week_start = kWeekStart;
  q.week_end = kWeekStart + kWeek;
  q.week_label = "2026-W47";
  const double report = Time(**store, "no filter", q);
  storage::ReportQuery agency = q;
  agency.agency = "Police";
  Time(**store, "agency Police", agency);
  storage::ReportQuery category = q;
  category.category = "cat2";
  Time(**store, "category cat2", category);
  storage::ReportQuery both = agency;
  both.category = "cat2";
  Time(**store, "agency Police + cat2", both);
  for (const char* format : {"md", "csv", "json", "html"}) TimeFormat(**store, q, format);
  const double floor = SqliteAlone(path);
  std::printf("peer: SQLite alone (the same rows stepped, nothing done) best of 3: %7.3f s\n", floor);
  std::printf("ratio: report (no filter) / SQLite alone = %.2f\n", report / floor);
  return 0;
}
