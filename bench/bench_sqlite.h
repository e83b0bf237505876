// What the benchmarks share for timing and for their SQLite-alone peers:
// a stopwatch, and raw SQLite calls that end the run on any error.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace linkwatch::bench {

inline double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

inline void Must(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

inline void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql.c_str(), err != nullptr ? err : "");
    std::exit(1);
  }
}

// One prepared statement: bind, then Step() for rows or Go() to run it once.
struct Stmt {
  sqlite3* db;
  sqlite3_stmt* stmt = nullptr;
  Stmt(sqlite3* d, const char* sql) : db(d) { Must(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), db, sql); }
  ~Stmt() { sqlite3_finalize(stmt); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& I(int i, int64_t v) { sqlite3_bind_int64(stmt, i, v); return *this; }
  Stmt& N(int i) { sqlite3_bind_null(stmt, i); return *this; }
  Stmt& T(int i, const std::string& v) {
    sqlite3_bind_text(stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // True while there is a row; reset when there are no more.
  bool Step() {
    const int rc = sqlite3_step(stmt);
    Must(rc, db, "step");
    if (rc == SQLITE_ROW) return true;
    sqlite3_reset(stmt);
    return false;
  }
  void Go() {
    Must(sqlite3_step(stmt), db, "step");
    sqlite3_reset(stmt);
  }
};

}  // namespace linkwatch::bench
