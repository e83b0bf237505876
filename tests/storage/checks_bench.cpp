// Scheduler throughput on a million links; hidden ([.bench]): run with
// `storage_test "[.bench]"`. LeaseDue of 500 must stay index-driven (a few
// ms however many links there are); RecordChecks in batches of 500 should
// sustain at least 20,000 outcomes/s. Each outcome dirties about 2.6 pages
// (its link row and check-index leaf are random), each lease one: the cost
// is mostly WAL frames, copied to the database by the background checkpointer.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "storage_test_util.h"

namespace linkwatch::storage::testing {
namespace {

constexpr int kLinks = 1'000'000;
constexpr int kBatch = 500;
constexpr int kRounds = 80;                 // per durability setting
constexpr TimeMs kSpreadMs = 1'000'000'000;  // next checks spread over ~11.6 days
constexpr TimeMs kNow = kStart + kSpreadMs / 10;  // so a tenth of the links is due

using Steady = std::chrono::steady_clock;

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// CPU time of the whole process (the writer and checkpointer threads too).
double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// A million alive links straight through SQL (a tenth discovered), each
// checked once before (the steady state: the link rows already carry their
// validators, and the check index is as deep as a million rows make it), due
// times spread evenly, so that the due query has to find 500 among them.
void Populate(const std::string& path) {
  { MustOpen(path, SystemClock::Instance()); }  // the schema
  RawDb raw(path);
  raw.Exec("PRAGMA synchronous = OFF");
  raw.Exec("BEGIN");
  const std::string n = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < " +
                        std::to_string(kLinks) + ") ";
  const std::string url = "'https://h' || (x % 5000) || '.bench.example/item/' || x";
  const std::string checked = std::to_string(kStart);
  raw.Exec(n +
           "INSERT INTO link (id, canonical_url, submitted_url, host, origin, review_state, "
           "category, status, http_status, final_url, etag, content_hash, last_checked_at, "
           "next_check_at, created_at) "
           "SELECT x, " + url + ", " + url + ", 'h' || (x % 5000) || '.bench.example', "
           "CASE WHEN x % 10 = 0 THEN 'discovered' ELSE 'registered' END, "
           "CASE WHEN x % 10 = 0 THEN 'pending' ELSE 'confirmed' END, 'extremism', 'alive', "
           "200, " + url + ", '\"' || hex(randomblob(20)) || '\"', hex(randomblob(32)), " +
           checked + ", " + checked + " + ((x * 7919) % " + std::to_string(kLinks) + ") * " +
           std::to_string(kSpreadMs / kLinks) + ", " + std::to_string(kStart - kSpreadMs) +
           " FROM n");
  raw.Exec(n +
           "INSERT INTO link_check (link_id, checked_at, http_status, status_class, final_url, "
           "redirect_chain, elapsed_ms, bytes, content_hash, etag) "
           "SELECT x, " + checked + ", 200, 'alive', " + url + ", '[{\"url\":\"' || " + url +
           " || '\",\"status\":200}]', 120, 48000, hex(randomblob(32)), "
           "'\"' || hex(randomblob(20)) || '\"' FROM n");
  raw.Exec("COMMIT");
  raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  ::sync();  // no writeback of the fresh file during the measurement
}

CheckOutcome BenchOutcome(const DueLink& l, TimeMs at, int i) {
  CheckOutcome o;
  o.link_id = l.id;
  o.lease_id = l.lease_id;
  o.checked_at = at;
  // One in ten changes status (and so appends an audit row).
  const bool removed = i % 10 == 0;
  o.http_status = removed ? 404 : 200;
  o.observed = removed ? "removed" : "alive";
  o.status = o.observed;
  o.final_url = l.canonical_url;
  o.redirect_chain = R"([{"url":")" + l.canonical_url + R"(","status":200}])";
  o.elapsed_ms = 120;
  o.bytes = 48'000;
  o.content_hash = "5f0c7a4e9d1b3c2a8e6f4d2b0a9c8e7f5d3b1a9c7e5f3d1b9a7c5e3f1d9b7a5c";
  o.etag = "\"33a64df551425fcc55e4d42a148795d9f25f89d4\"";
  // The interval with ±10% jitter, as the daemon spreads checks.
  const TimeMs interval = (removed ? 24 : 6) * 3'600'000;
  o.next_check_at = at + interval - interval / 10 + (l.id * 7'919) % (interval / 5);
  if (removed) o.removed_since = at;
  return o;
}

struct Figures {
  double lease_ms_avg = 0, lease_ms_max = 0;
  double record_per_s = 0;  // RecordChecks alone
  double record_cpu_us = 0; // CPU per outcome during RecordChecks, all threads
  double cycle_per_s = 0;   // lease + record
  double queue_ms = 0;      // Queue() over the million links
  double history_ms = 0;    // History() of one link, 50 rows
  double wal_mib = 0;       // size of the WAL file after the run
};

Figures Measure(const std::string& path, bool durable) {
  Options options = TestOptions();
  options.durable = durable;
  auto store = MustOpen(path, SystemClock::Instance(), options);
  (void)store->LeaseDue(kNow, 1, 60'000);  // warm the cache: the first query reads from disk
  Figures f;
  Steady::duration leasing{}, recording{};
  double record_cpu_ms = 0;
  for (int r = 0; r < kRounds; ++r) {
    const auto t0 = Steady::now();
    auto leased = store->LeaseDue(kNow, kBatch, 600'000);
    const auto t1 = Steady::now();
    REQUIRE(leased.ok());
    REQUIRE(leased->size() == static_cast<size_t>(kBatch));
    std::vector<CheckOutcome> outcomes;
    outcomes.reserve(leased->size());
    for (size_t i = 0; i < leased->size(); ++i) {
      outcomes.push_back(BenchOutcome((*leased)[i], kNow + r, static_cast<int>(i)));
    }
    const double cpu = CpuMs();
    const auto t2 = Steady::now();
    auto applied = store->RecordChecks(std::move(outcomes));
    const auto t3 = Steady::now();
    record_cpu_ms += CpuMs() - cpu;
    REQUIRE(applied.ok());
    REQUIRE(std::count(applied->begin(), applied->end(), true) == kBatch);
    leasing += t1 - t0;
    recording += t3 - t2;
    f.lease_ms_max = std::max(f.lease_ms_max, Ms(t1 - t0));
  }
  const auto q0 = Steady::now();
  auto queue = store->Queue(kNow);
  f.queue_ms = Ms(Steady::now() - q0);
  REQUIRE(queue.ok());
  CHECK(queue->links == kLinks);
  const auto h0 = Steady::now();
  auto history = store->History(kLinks / 2, 50, 0);
  f.history_ms = Ms(Steady::now() - h0);
  REQUIRE(history.ok());
  f.wal_mib = static_cast<double>(std::filesystem::file_size(path + "-wal")) / (1 << 20);
  const double outcomes = double{kBatch} * kRounds;
  f.lease_ms_avg = Ms(leasing) / kRounds;
  f.record_per_s = outcomes / (Ms(recording) / 1000);
  f.record_cpu_us = record_cpu_ms * 1000 / outcomes;
  f.cycle_per_s = outcomes / (Ms(leasing + recording) / 1000);
  return f;
}

TEST_CASE("LeaseDue and RecordChecks on a million links", "[.bench]") {
  TempDir dir;
  const std::string path = dir.File("bench.db");
  const auto t0 = Steady::now();
  Populate(path);
  std::cout << "checks: " << kLinks << " links populated in "
            << static_cast<long>(Ms(Steady::now() - t0)) << " ms\n";
  for (const bool durable : {true, false}) {
    const Figures f = Measure(path, durable);
    std::cout << "checks (synchronous=" << (durable ? "FULL" : "NORMAL") << "): LeaseDue("
              << kBatch << ") avg " << f.lease_ms_avg << " ms, max " << f.lease_ms_max
              << " ms; RecordChecks " << static_cast<long>(f.record_per_s)
              << " outcomes/s (" << f.record_cpu_us << " CPU-us each; batches of " << kBatch
              << ", 10% status changes); lease+record "
              << static_cast<long>(f.cycle_per_s) << " links/s; Queue " << f.queue_ms
              << " ms; History " << f.history_ms << " ms; WAL " << f.wal_mib << " MiB\n";
    CHECK(f.lease_ms_avg < 50);
    CHECK(f.record_per_s >= 20'000);
  }
}

}  // namespace
}  // namespace linkwatch::storage::testing
