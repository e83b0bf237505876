// Cluster assignment for SimHashes (issue 5), in one run:
//   (a) SimHashIndex: --entries inserts (90% random, 10% near duplicates of
//       earlier entries at distance 1..3), then --lookups FindNearest calls
//       (half near duplicates of stored entries, half random);
//   (b) a brute-force scan over the first --sample entries for the same
//       queries, extrapolated linearly to --entries, and checked against an
//       index over the same sample;
//   (c) SimHash() over --text-mb of generated normalized text (Latin,
//       Russian and Kazakh pseudo-words), best of --runs.
//
//   lw_simhash_bench [--entries 1000000] [--lookups 200000] [--sample 20000]
//                    [--brute-lookups 2000] [--distance 3] [--text-mb 20]
//                    [--runs 3] [--seed 1]
//
// Means are by this thread's CPU time over the whole batch, which a shared
// machine disturbs less; p50/p99 are wall clock per call (steady_clock, ~20 ns
// overhead), so preemption shows in p99. The brute-force scan uses the POPCNT
// instruction when the CPU has it (the library is built for baseline x86-64).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "linkwatch/matcher/simhash.h"

namespace lm = linkwatch::matcher;
using Clock = std::chrono::steady_clock;

namespace {

struct Flags {
  size_t entries = 1000000;
  size_t lookups = 200000;
  size_t sample = 20000;
  size_t brute_lookups = 2000;
  int distance = 3;
  double text_mb = 20;
  int runs = 3;
  unsigned seed = 1;
};

constexpr int kNearPercent = 10;  // inserted entries that copy an earlier one
constexpr int kMaxPlantedDistance = 3;

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

double CpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

uint64_t FlipBits(uint64_t h, int count, std::mt19937_64& rng) {
  uint64_t flips = 0;
  while (std::popcount(flips) < count) flips |= uint64_t{1} << (rng() % 64);
  return h ^ flips;
}

// A near duplicate of a random earlier value at distance 1..3.
uint64_t NearCopy(const std::vector<uint64_t>& earlier, std::mt19937_64& rng) {
  const uint64_t base = earlier[rng() % earlier.size()];
  return FlipBits(base, 1 + static_cast<int>(rng() % kMaxPlantedDistance), rng);
}

std::vector<uint64_t> MakeEntries(size_t n, std::mt19937_64& rng) {
  std::vector<uint64_t> hashes;
  hashes.reserve(n);
  while (hashes.size() < n) {
    const bool near = !hashes.empty() && static_cast<int>(rng() % 100) < kNearPercent;
    hashes.push_back(near ? NearCopy(hashes, rng) : rng());
  }
  return hashes;
}

// Half near duplicates of stored entries, half random values.
std::vector<uint64_t> MakeQueries(const std::vector<uint64_t>& stored, size_t n,
                                  std::mt19937_64& rng) {
  std::vector<uint64_t> queries;
  for (size_t i = 0; i < n; ++i) queries.push_back(i % 2 == 0 ? NearCopy(stored, rng) : rng());
  return queries;
}

struct LookupStats {
  double mean_us = 0;
  double p50_us = 0;
  double p99_us = 0;
  size_t found = 0;
};

template <class Find>
LookupStats TimeLookups(const std::vector<uint64_t>& queries, Find&& find) {
  std::vector<double> us;
  us.reserve(queries.size());
  LookupStats s;
  const double cpu_start = CpuMicros();
  for (const uint64_t q : queries) {
    const auto start = Clock::now();
    const bool hit = find(q);
    us.push_back(Micros(Clock::now() - start));
    s.found += hit ? 1 : 0;
  }
  s.mean_us = (CpuMicros() - cpu_start) / static_cast<double>(us.size());
  std::sort(us.begin(), us.end());
  s.p50_us = us[us.size() / 2];
  s.p99_us = us[us.size() * 99 / 100];
  return s;
}

// The nearest within `d` of `q`, ties by smallest key (key = position).
using Nearest = std::optional<std::pair<uint64_t, int>>;
#define LW_BRUTE_NEAREST_BODY                                              \
  Nearest best;                                                            \
  for (size_t i = 0; i < hashes.size(); ++i) {                             \
    const int dist = std::popcount(hashes[i] ^ q);                         \
    if (dist <= d && (!best || dist < best->second)) best.emplace(i, dist); \
  }                                                                        \
  return best;
__attribute__((target("popcnt"))) Nearest BruteNearestPopcnt(const std::vector<uint64_t>& hashes,
                                                             uint64_t q, int d) {
  LW_BRUTE_NEAREST_BODY
}
Nearest BruteNearestBaseline(const std::vector<uint64_t>& hashes, uint64_t q, int d) {
  LW_BRUTE_NEAREST_BODY
}
#undef LW_BRUTE_NEAREST_BODY
const bool kHavePopcnt = __builtin_cpu_supports("popcnt");
Nearest BruteNearest(const std::vector<uint64_t>& hashes, uint64_t q, int d) {
  return kHavePopcnt ? BruteNearestPopcnt(hashes, q, d) : BruteNearestBaseline(hashes, q, d);
}

void PrintLookups(const char* what, const LookupStats& s, size_t n) {
  std::printf("  %-34s mean %8.3f us  p50 %8.3f us  p99 %8.3f us  (%zu lookups, %zu found)\n",
              what, s.mean_us, s.p50_us, s.p99_us, n, s.found);
}

void BenchIndex(const Flags& f) {
  std::mt19937_64 rng(f.seed);
  const std::vector<uint64_t> hashes = MakeEntries(f.entries, rng);
  lm::SimHashIndex index(f.distance);
  const double start = CpuMicros();
  for (size_t i = 0; i < hashes.size(); ++i) index.Insert(i, hashes[i]);
  const double insert_us = (CpuMicros() - start) / static_cast<double>(hashes.size());
  std::printf("SimHashIndex, max_distance %d, %zu entries (%d%% near duplicates)\n", f.distance,
              index.size(), kNearPercent);
  std::printf("  insert                             mean %8.3f us (CPU time)\n", insert_us);
  std::printf("  memory                             %.1f MiB, %.1f bytes per entry\n",
              static_cast<double>(index.MemoryBytes()) / (1 << 20),
              static_cast<double>(index.MemoryBytes()) / static_cast<double>(index.size()));

  const std::vector<uint64_t> queries = MakeQueries(hashes, f.lookups, rng);
  const LookupStats at_n =
      TimeLookups(queries, [&](uint64_t q) { return index.FindNearest(q).has_value(); });
  PrintLookups("FindNearest at full size", at_n, queries.size());
  const LookupStats all_n =
      TimeLookups(queries, [&](uint64_t q) { return !index.FindAll(q).empty(); });
  PrintLookups("FindAll at full size", all_n, queries.size());

  // Brute force over the sample, against an index over the same sample.
  const std::vector<uint64_t> sample(hashes.begin(),
                                     hashes.begin() + static_cast<std::ptrdiff_t>(f.sample));
  lm::SimHashIndex small(f.distance);
  for (size_t i = 0; i < sample.size(); ++i) small.Insert(i, sample[i]);
  const std::vector<uint64_t> bq = MakeQueries(sample, f.brute_lookups, rng);
  size_t disagree = 0;
  for (const uint64_t q : bq) disagree += small.FindNearest(q) != BruteNearest(sample, q, f.distance);
  const LookupStats brute = TimeLookups(
      bq, [&](uint64_t q) { return BruteNearest(sample, q, f.distance).has_value(); });
  const LookupStats small_s =
      TimeLookups(bq, [&](uint64_t q) { return small.FindNearest(q).has_value(); });
  std::printf("Sample of %zu entries (index and brute force agree on %zu of %zu queries; "
              "POPCNT %s)\n", sample.size(), bq.size() - disagree, bq.size(), kHavePopcnt ? "yes" : "no");
  PrintLookups("brute-force scan", brute, bq.size());
  PrintLookups("SimHashIndex FindNearest", small_s, bq.size());
  const double scale = static_cast<double>(f.entries) / static_cast<double>(f.sample);
  const double brute_n = brute.mean_us * scale;
  std::printf("Extrapolated to %zu entries: brute force %.1f us per lookup, index %.3f us: %.0fx\n",
              f.entries, brute_n, at_n.mean_us, brute_n / at_n.mean_us);
}

const std::vector<std::string> kSyllables[] = {
    {"ka", "lo", "ren", "mi", "to", "sa", "vel", "dor", "an", "ir", "bu", "ste", "gra", "phi",
     "que", "wyn", "ox", "ul", "et", "zan", "tri", "mon", "har", "bel", "cus", "fen"},
    {"ка", "ло", "рен", "ми", "то", "са", "вел", "дор", "ан", "ир", "бу", "сте", "гра", "жи",
     "щу", "ый", "ох", "ул", "ет", "зан", "три", "мон", "хар", "бель", "кус", "фен"},
    {"қа", "ғы", "ң", "өр", "ұл", "үй", "һа", "әр", "із", "ты", "бе", "ке", "сін", "мен", "жа",
     "дар", "лық", "шы", "құ", "ға", "ңыз", "өт", "ұр", "үн", "әл", "ін"},
};

// Pages of normalized-looking text: lower-case words, single spaces, some
// punctuation; each page mostly in one script.
std::vector<std::string> MakePages(double mb, std::mt19937_64& rng) {
  constexpr size_t kPageBytes = 32 << 10;
  std::vector<std::string> pages;
  size_t total = 0;
  while (static_cast<double>(total) < mb * (1 << 20)) {
    const auto& script = kSyllables[pages.size() % 3];
    std::string page;
    while (page.size() < kPageBytes) {
      const int syllables = 1 + static_cast<int>(rng() % 4);
      for (int s = 0; s < syllables; ++s) page += script[rng() % script.size()];
      page += rng() % 12 == 0 ? ". " : " ";
    }
    total += page.size();
    pages.push_back(std::move(page));
  }
  return pages;
}

void BenchSimHash(const Flags& f) {
  std::mt19937_64 rng(f.seed);
  const std::vector<std::string> pages = MakePages(f.text_mb, rng);
  size_t bytes = 0;
  for (const auto& p : pages) bytes += p.size();
  double best = 1e30;
  uint64_t sink = 0;
  for (int run = 0; run < f.runs; ++run) {
    const double start = CpuMicros();
    for (const auto& p : pages) sink ^= lm::SimHash(p);
    best = std::min(best, (CpuMicros() - start) / 1e6);
  }
  std::printf("SimHash (%d-word shingles) over %.1f MB in %zu pages: %.1f MB/s CPU time "
              "(best of %d; %llx)\n",
              lm::kDefaultShingleWords, static_cast<double>(bytes) / 1e6, pages.size(),
              static_cast<double>(bytes) / 1e6 / best, f.runs, static_cast<unsigned long long>(sink));
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"SimHashIndex vs brute force, and SimHash throughput"};
  app.add_option("--entries", f.entries, "entries in the index");
  app.add_option("--lookups", f.lookups, "timed index lookups");
  app.add_option("--sample", f.sample, "entries the brute-force scan covers");
  app.add_option("--brute-lookups", f.brute_lookups, "timed brute-force lookups");
  app.add_option("--distance", f.distance, "max_distance")->check(CLI::Range(0, lm::kMaxIndexDistance));
  app.add_option("--text-mb", f.text_mb, "MB of text for SimHash()");
  app.add_option("--runs", f.runs, "SimHash() runs (best is reported)");
  app.add_option("--seed", f.seed, "random seed");
  CLI11_PARSE(app, argc, argv);
  f.sample = std::min(f.sample, f.entries);
  BenchIndex(f);
  BenchSimHash(f);
  return 0;
}
