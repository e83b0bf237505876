// A thin RAII layer over one SQLite connection: statements prepared once and
// cached per connection, SQLite result codes turned into Status values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "linkwatch/base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace linkwatch::storage {

class Db;

// A cached prepared statement borrowed for one execution. Resets itself and
// clears its bindings when destroyed, so the next borrower starts clean.
// Not thread-safe; lives on the stack of the thread that uses its Db.
class Stmt {
 public:
  Stmt(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  // Binders take 1-based indices or ":name" parameters; a name the statement
  // does not use is ignored. A bind failure is reported by the next Step().
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, std::string_view value);
  Stmt& Bind(int index, const std::optional<int64_t>& value);
  Stmt& BindNull(int index);
  Stmt& BindBlob(int index, std::string_view bytes);
  Stmt& Bind(const char* name, int64_t value);
  Stmt& Bind(const char* name, std::string_view value);

  // True when a row is ready, false when the statement is done.
  Result<bool> Step();
  // Steps to the end; for statements that return no rows.
  Status Run();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  std::string Text(int col) const;  // "" for NULL
  // The column's text without a copy ("" for NULL); valid until the next
  // Step, Reset or column read of the same column as another type.
  std::string_view TextView(int col) const;
  std::string Blob(int col) const;  // "" for NULL

 private:
  int ParamIndex(const char* name) const;
  void Note(int rc);

  Db* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;  // first failing bind, SQLITE_OK when none
};

// One SQLite connection with its statement cache. Not thread-safe: used by
// one thread at a time (the writer thread, or the holder of a read lease).
class Db {
 public:
  // Opens `path` with sqlite3_open_v2 `flags`. kIOError naming the path when
  // SQLite cannot open it. Extended result codes are on.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, int flags);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs SQL text (one or more statements) whose rows are not wanted.
  Status Exec(std::string_view sql);
  // Borrows the cached statement for `sql`, preparing it on first use.
  Result<Stmt> Prepare(const std::string& sql);
  // Runs one statement without result rows through the statement cache
  // (cheaper than Exec for statements run often, such as SAVEPOINT).
  Status Run(const std::string& sql);
  // Runs a one-row, one-column query and returns that value as text.
  Result<std::string> QueryText(const std::string& sql);
  Result<int64_t> QueryInt(const std::string& sql);

  // The Status for a failed SQLite call `rc` made while doing `what`.
  Status Error(int rc, std::string_view what) const;

  int64_t LastInsertId() const;
  int Changes() const;
  bool InTransaction() const;
  bool ReadOnly() const;
  void SetBusyTimeout(int ms);
  const std::string& path() const { return path_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace linkwatch::storage
