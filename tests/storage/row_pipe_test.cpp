// RowPipe (white box): a statement stepped on a second thread, its rows
// handed over in batches, in order, with errors and early ends handled.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "row_pipe.h"
#include "sqlite_db.h"

using namespace linkwatch;
using namespace linkwatch::storage;

namespace {

// 1..n (none for 0) from a recursive CTE: no table needed.
std::string Count(int n) {
  const std::string last = std::to_string(n);
  return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < " + last +
         ") SELECT x FROM c WHERE x <= " + last;
}

std::unique_ptr<Db> MemoryDb() {
  auto db = Db::Open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  REQUIRE(db.ok());
  return std::move(*db);
}

bool Decode(const Stmt& s, int64_t& x) {
  x = s.Int(0);
  return x % 3 != 0;  // leaves out the multiples of 3
}

}  // namespace

TEST_CASE("a row pipe delivers every kept row in order across many batches") {
  auto db = MemoryDb();
  const int n = GENERATE(0, 1, 4095, 4096, 4097, 50'000);
  INFO("rows: " << n);
  auto stmt = db->Prepare(Count(n));
  REQUIRE(stmt.ok());
  std::vector<int64_t> got;
  {
    RowPipe<int64_t> pipe(*stmt, Decode);
    for (;;) {
      auto next = pipe.Next();
      REQUIRE(next.ok());
      if (*next == nullptr) break;
      got.push_back(**next);
    }
    // The end stays the end.
    auto again = pipe.Next();
    REQUIRE(again.ok());
    CHECK(*again == nullptr);
  }
  std::vector<int64_t> want;
  for (int64_t x = 1; x <= n; ++x) {
    if (x % 3 != 0) want.push_back(x);
  }
  CHECK(got == want);
}

TEST_CASE("a row pipe reports the error that ends a scan, after the rows before it") {
  auto db = MemoryDb();
  // abs() of the smallest integer fails at run time: at row 10,000.
  auto stmt = db->Prepare("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) "
                          "SELECT CASE WHEN x = 10000 THEN abs(-9223372036854775807 - 1) ELSE x END FROM c");
  REQUIRE(stmt.ok());
  RowPipe<int64_t> pipe(*stmt, [](const Stmt& s, int64_t& x) {
    x = s.Int(0);
    return true;
  });
  int64_t rows = 0;
  Status error = Status::Ok();
  for (;;) {
    auto next = pipe.Next();
    if (!next.ok()) {
      error = next.status();
      break;
    }
    REQUIRE(*next != nullptr);  // the scan must not end quietly
    CHECK(**next == rows + 1);
    ++rows;
  }
  CHECK(rows == 9999);
  CHECK_THAT(error.message(), Catch::Contains("integer overflow"));
}

TEST_CASE("a row pipe left early stops its reader and frees the connection") {
  auto db = MemoryDb();
  {
    auto stmt = db->Prepare(Count(1'000'000));
    REQUIRE(stmt.ok());
    RowPipe<int64_t> pipe(*stmt, Decode);
    auto first = pipe.Next();
    REQUIRE(first.ok());
    REQUIRE(*first != nullptr);
    CHECK(**first == 1);
  }  // the reader is blocked on a full queue here: destruction must not hang
  auto after = db->QueryInt("SELECT 41 + 1");
  REQUIRE(after.ok());
  CHECK(*after == 42);
}
