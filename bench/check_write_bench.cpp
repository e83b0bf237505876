// Storage side of a check cycle (issue 3), without the network: what the
// storage writer spends per link to lease it and to record its check, in
// batches as the scheduler sends them. Cycle 1 takes every link from pending
// to alive (a status change: audit row and transition); cycle 2 records
// unchanged pages (304). The peer, in the same run, is SQLite alone doing the
// least such a cycle needs: per link one UPDATE to lease it, and one INSERT
// of the check row plus one UPDATE of the link to record it, in transactions
// of the same size with the same durability.
//
//   lw_check_write_bench [--links 20000] [--batch 256] [--dir /tmp] [--keep]
#include <sqlite3.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_sqlite.h"
#include "linkwatch/storage/bootstrap.h"
#include "linkwatch/storage/store.h"

namespace {

namespace storage = linkwatch::storage;
using linkwatch::TimeMs;
using Clock = std::chrono::steady_clock;

constexpr TimeMs kStart = 1'795'453'029'000;  // 2026-11-23T16:57:09Z
constexpr TimeMs kSixHours = 6 * 3'600'000;
constexpr int64_t kLeaseMs = 600'000;

using linkwatch::bench::Seconds;

template <typename T>
T Must(linkwatch::Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

struct Flags {
  int links = 20000;
  int batch = 256;
  std::string dir = "/tmp";
  bool keep = false;
};

std::string Url(int i) { return "http://127.0.1." + std::to_string(i % 50 + 1) + ":8080/p/" + std::to_string(i) + ".html"; }

storage::CheckOutcome OutcomeOf(const storage::DueLink& due, TimeMs now, bool unchanged) {
  storage::CheckOutcome o;
  o.link_id = due.id;
  o.lease_id = due.lease_id;
  o.checked_at = now;
  o.http_status = unchanged ? 304 : 200;
  o.observed = "alive";
  o.final_url = due.canonical_url;
  o.elapsed_ms = 3;
  o.bytes = 8300;
  o.not_modified = unchanged;
  if (!unchanged) {
    o.content_hash = std::string(64, 'a');
    o.etag = "\"6761d3a5-2081\"";
    o.last_modified = "Tue, 17 Nov 2026 10:00:00 GMT";
  }
  o.status = "alive";
  o.next_check_at = now + kSixHours;
  return o;
}

struct Phase {
  double lease_s = 0, record_s = 0;
  int64_t recorded = 0;
};

// Leases every due link in batches and records an outcome for each.
Phase StoreCycle(storage::Store& store, TimeMs now, int batch, bool unchanged) {
  Phase p;
  for (;;) {
    const auto t0 = Clock::now();
    auto due = Must(store.LeaseDue(now, batch, kLeaseMs), "lease");
    p.lease_s += Seconds(t0);
    if (due.empty()) return p;
    std::vector<storage::CheckOutcome> outcomes;
    outcomes.reserve(due.size());
    for (const auto& d : due) outcomes.push_back(OutcomeOf(d, now, unchanged));
    const auto t1 = Clock::now();
    auto applied = Must(store.RecordChecks(std::move(outcomes)), "record");
    p.record_s += Seconds(t1);
    p.recorded += static_cast<int64_t>(applied.size());
  }
}

// --- the peer: SQLite alone ---

using linkwatch::bench::Exec;
using linkwatch::bench::Stmt;

Phase PeerCycle(sqlite3* db, TimeMs now, int batch) {
  Stmt due(db, "SELECT id, url FROM link WHERE lease_until IS NULL AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2");
  Stmt lease(db, "UPDATE link SET lease_until = ?1 WHERE id = ?2");
  Stmt check(db, "INSERT INTO link_check (link_id, checked_at, http_status, status, final_url) VALUES (?1, ?2, 200, 'alive', ?3)");
  Stmt link(db, "UPDATE link SET status = 'alive', next_at = ?1, lease_until = NULL WHERE id = ?2");
  Phase p;
  for (;;) {
    const auto t0 = Clock::now();
    std::vector<std::pair<int64_t, std::string>> got;
    Exec(db, "BEGIN IMMEDIATE");
    due.I(1, now).I(2, batch);
    while (due.Step()) {
      got.emplace_back(sqlite3_column_int64(due.stmt, 0),
                       reinterpret_cast<const char*>(sqlite3_column_text(due.stmt, 1)));
    }
    for (const auto& [id, url] : got) lease.I(1, now + kLeaseMs).I(2, id).Go();
    Exec(db, "COMMIT");
    p.lease_s += Seconds(t0);
    if (got.empty()) return p;
    const auto t1 = Clock::now();
    Exec(db, "BEGIN IMMEDIATE");
    for (const auto& [id, url] : got) {
      check.I(1, id).I(2, now).T(3, url).Go();
      link.I(1, now + kSixHours).I(2, id).Go();
    }
    Exec(db, "COMMIT");
    p.record_s += Seconds(t1);
    p.recorded += static_cast<int64_t>(got.size());
  }
}

void Print(const char* name, const Phase& p) {
  const double n = static_cast<double>(p.recorded);
  std::printf("  %-28s %8lld links  lease %6.1f us/link  record %6.1f us/link  both %7.0f links/s\n", name,
              static_cast<long long>(p.recorded), p.lease_s * 1e6 / n, p.record_s * 1e6 / n,
              n / (p.lease_s + p.record_s));
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"lw_check_write_bench: lease and record per link, Store beside SQLite alone"};
  app.add_option("--links", f.links, "links registered and checked twice")->check(CLI::Range(1, 10'000'000));
  app.add_option("--batch", f.batch, "links per lease and per record call")->check(CLI::Range(1, 10'000));
  app.add_option("--dir", f.dir, "folder for the databases (a subfolder is made and removed)");
  app.add_flag("--keep", f.keep, "keep the databases (for EXPLAIN and experiments)");
  CLI11_PARSE(app, argc, argv);
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(f.dir) / ("lw_check_write_bench." + std::to_string(::getpid()));
  fs::create_directories(dir);

  storage::Options options;  // durable, as the daemon runs
  auto store = Must(storage::Store::Open((dir / "linkwatch.db").string(), options), "open");
  storage::Actor bootstrap;
  bootstrap.agency = "bootstrap";
  auto agency = Must(store->CreateAgency(bootstrap, "Bench"), "agency");
  storage::Actor actor;
  actor.agency_id = agency.id;
  actor.agency = agency.name;
  for (int i = 0; i < f.links; i += 512) {
    std::vector<storage::Submission> subs;
    for (int k = i; k < std::min(f.links, i + 512); ++k) {
      const std::string url = Url(k);
      subs.push_back({url, url, "127.0.1." + std::to_string(k % 50 + 1), "Bench order 1/2026", "extremism", ""});
    }
    Must(store->Register(actor, std::move(subs)), "register");
  }
  std::printf("check-write benchmark: %d links, batches of %d, durable (synchronous=FULL), %s\n", f.links,
              f.batch, dir.c_str());
  // Registration set next_check_at to the submission time (now): all due.
  const TimeMs now = kStart + 365LL * 24 * 3'600'000;
  const Phase c1 = StoreCycle(*store, now, f.batch, false);
  // Rescan: everything due again.
  storage::RescanTarget all;
  all.all = true;
  Must(store->Rescan(actor, all), "rescan");
  const Phase c2 = StoreCycle(*store, now + 1, f.batch, true);

  sqlite3* db = nullptr;
  if (sqlite3_open((dir / "peer.db").c_str(), &db) != SQLITE_OK) return 1;
  Exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
  Exec(db, "CREATE TABLE link (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, status TEXT, next_at INTEGER, lease_until INTEGER)");
  Exec(db, "CREATE INDEX link_due ON link(next_at) WHERE lease_until IS NULL");
  Exec(db, "CREATE TABLE link_check (id INTEGER PRIMARY KEY, link_id INTEGER NOT NULL, checked_at INTEGER NOT NULL, http_status INTEGER, status TEXT, final_url TEXT)");
  Exec(db, "CREATE INDEX link_check_link ON link_check(link_id, checked_at)");
  {
    Exec(db, "BEGIN");
    Stmt ins(db, "INSERT INTO link (url, status, next_at) VALUES (?1, 'pending', ?2)");
    for (int i = 0; i < f.links; ++i) ins.T(1, Url(i)).I(2, kStart).Go();
    Exec(db, "COMMIT");
  }
  const Phase peer = PeerCycle(db, now, f.batch);
  sqlite3_close(db);

  Print("Store, cycle 1 (pending->alive)", c1);
  Print("Store, cycle 2 (unchanged)", c2);
  Print("SQLite alone (peer)", peer);
  const double both1 = (c1.lease_s + c1.record_s) / static_cast<double>(c1.recorded);
  const double both2 = (c2.lease_s + c2.record_s) / static_cast<double>(c2.recorded);
  const double bothp = (peer.lease_s + peer.record_s) / static_cast<double>(peer.recorded);
  std::printf("  links/s, Store / SQLite alone: cycle 1 %.2f, cycle 2 %.2f\n", bothp / both1, bothp / both2);
  if (!f.keep) fs::remove_all(dir);
  return 0;
}
