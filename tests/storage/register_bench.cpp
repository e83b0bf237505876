// Registration throughput; hidden ([.bench]): run with `storage_test [.bench]`.
#include <chrono>
#include <iostream>

#include "storage_test_util.h"

namespace linkwatch::storage::testing {
namespace {

constexpr int kBatches = 100;
constexpr int kBatchSize = 1000;

double RegistrationsPerSecond(bool durable) {
  TempDir dir;
  Options options = TestOptions();
  options.durable = durable;
  auto store = MustOpen(dir.File("bench.db"), SystemClock::Instance(), options);
  const Actor police = MustAgency(*store, "Police");
  const auto start = std::chrono::steady_clock::now();
  for (int b = 0; b < kBatches; ++b) {
    std::vector<Submission> subs;
    subs.reserve(kBatchSize);
    for (int i = 0; i < kBatchSize; ++i) {
      // One in ten is a duplicate of an earlier batch's link.
      const int n = i % 10 == 0 && b > 0 ? (b - 1) * kBatchSize + i : b * kBatchSize + i;
      subs.push_back(Sub("https://bench.example/item/" + std::to_string(n), "bench note"));
    }
    MustRegister(*store, police, std::move(subs));
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return kBatches * kBatchSize / elapsed.count();
}

TEST_CASE("registration throughput in batches of 1000", "[.bench]") {
  for (const bool durable : {true, false}) {
    const double rate = RegistrationsPerSecond(durable);
    std::cout << "register: " << static_cast<long>(rate) << " registrations/s (batches of "
              << kBatchSize << ", synchronous=" << (durable ? "FULL" : "NORMAL") << ")\n";
    CHECK(rate > 0);
  }
}

}  // namespace
}  // namespace linkwatch::storage::testing
