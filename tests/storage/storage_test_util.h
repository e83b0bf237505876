// Helpers shared by the storage tests: temp folders, raw SQLite access for
// tampering, ready-made actors and submissions.
#pragma once

#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "linkwatch/storage/bootstrap.h"
#include "linkwatch/storage/store.h"
#include "test_support.h"

namespace linkwatch::storage::testing {

inline constexpr TimeMs kStart = 1'795'453'029'000;  // 2026-11-23T16:57:09Z

using TempDir = linkwatch::test::TempDir;  // tests/support

// A raw SQLite connection, for what the Store must not allow: tampering,
// setting the schema version by hand.
class RawDb {
 public:
  explicit RawDb(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK); }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  void Exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    INFO(sql << ": " << (err != nullptr ? err : ""));
    sqlite3_free(err);
    REQUIRE(rc == SQLITE_OK);
  }
  int64_t Int(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    const int64_t v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
  }
  // The plan of `sql` (EXPLAIN QUERY PLAN), one line per step.
  std::string Plan(const std::string& sql) { return Lines("EXPLAIN QUERY PLAN " + sql, 3); }
  // The error `sql` fails with ("" when it succeeds).
  std::string Error(const std::string& sql) {
    char* err = nullptr;
    sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    std::string text = err != nullptr ? err : "";
    sqlite3_free(err);
    return text;
  }
  // The VDBE opcodes `sql` compiles to (EXPLAIN), one per line.
  std::string Opcodes(const std::string& sql) { return Lines("EXPLAIN " + sql, 1); }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    std::string v = p != nullptr ? p : "";
    sqlite3_finalize(stmt);
    return v;
  }

 private:
  // Column `column` of every row of `sql`, one line per row.
  std::string Lines(const std::string& sql, int column) {
    sqlite3_stmt* stmt = nullptr;
    INFO(sql);
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    std::string lines;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      lines += reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
      lines += "\n";
    }
    sqlite3_finalize(stmt);
    return lines;
  }

  sqlite3* db_ = nullptr;
};

// The plan of `sql` on a fresh connection to `path`, one line per step.
inline std::string Plan(const std::string& path, const std::string& sql) { return RawDb(path).Plan(sql); }

inline bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline Options TestOptions() {
  Options o;
  o.durable = false;  // tests need crash safety, not power-loss safety
  return o;
}

inline std::unique_ptr<Store> MustOpen(const std::string& path, const Clock& clock,
                                       const Options& options = TestOptions()) {
  auto store = Store::Open(path, options, clock);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

inline Actor BootstrapActor() {
  Actor a;
  a.agency = "bootstrap";
  return a;
}

// Creates an agency and returns an actor acting for it (no token: id 0).
inline Actor MustAgency(Store& store, const std::string& name) {
  auto agency = store.CreateAgency(BootstrapActor(), name);
  INFO(agency.status().ToString());
  REQUIRE(agency.ok());
  Actor a;
  a.agency_id = agency->id;
  a.agency = agency->name;
  a.role = Role::kOperator;
  return a;
}

inline Submission Sub(const std::string& url, const std::string& note = "",
                      const std::string& category = "extremism") {
  Submission s;
  s.canonical_url = url;
  s.submitted_url = url;
  s.host = "example.org";
  s.legal_basis = "Court decision 2-123/2026";
  s.category = category;
  s.note = note;
  return s;
}

inline std::vector<SubmissionResult> MustRegister(Store& store, const Actor& actor,
                                                  std::vector<Submission> subs) {
  auto r = store.Register(actor, std::move(subs));
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace linkwatch::storage::testing
