#include "sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace linkwatch::storage {

// ---- Stmt ----------------------------------------------------------------

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Stmt::Note(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Stmt& Stmt::Bind(int index, int64_t value) {
  Note(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies, so callers may bind temporaries.
  Note(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                           SQLITE_UTF8));
  return *this;
}

Stmt& Stmt::BindBlob(int index, std::string_view bytes) {
  // A zero-length blob needs a non-null pointer, or SQLite stores NULL.
  static const char kEmpty = 0;
  Note(sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &kEmpty : bytes.data(), bytes.size(),
                           SQLITE_TRANSIENT));
  return *this;
}

Stmt& Stmt::Bind(int index, const std::optional<int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Stmt& Stmt::BindNull(int index) {
  Note(sqlite3_bind_null(stmt_, index));
  return *this;
}

int Stmt::ParamIndex(const char* name) const { return sqlite3_bind_parameter_index(stmt_, name); }

Stmt& Stmt::Bind(const char* name, int64_t value) {
  const int index = ParamIndex(name);
  return index == 0 ? *this : Bind(index, value);
}

Stmt& Stmt::Bind(const char* name, std::string_view value) {
  const int index = ParamIndex(name);
  return index == 0 ? *this : Bind(index, value);
}

Result<bool> Stmt::Step() {
  if (bind_rc_ != SQLITE_OK) return db_->Error(bind_rc_, "binding a parameter");
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, sqlite3_sql(stmt_));
}

Status Stmt::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::optional<int64_t> Stmt::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

std::string Stmt::Text(int col) const { return std::string(TextView(col)); }

std::string_view Stmt::TextView(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string Stmt::Blob(int col) const {
  const auto* p = sqlite3_column_blob(stmt_, col);
  if (p == nullptr) return {};
  return std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

// ---- Db ------------------------------------------------------------------

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return Status::IOError("cannot open database " + path + ": " + why);
  }
  sqlite3_extended_result_codes(raw, 1);
  return std::unique_ptr<Db>(new Db(raw, path));
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Db::Exec(std::string_view sql) {
  const std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return Status::Ok();
}

Result<Stmt> Db::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sql);
    it = cache_.emplace(sql, stmt).first;
  }
  return Stmt(this, it->second);
}

Status Db::Run(const std::string& sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return stmt->Run();
}

Result<std::string> Db::QueryText(const std::string& sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("no row from: " + sql);
  return stmt->Text(0);
}

Result<int64_t> Db::QueryInt(const std::string& sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("no row from: " + sql);
  return stmt->Int(0);
}

Status Db::Error(int rc, std::string_view what) const {
  const std::string msg = sqlite3_errmsg(db_);
  const std::string ctx = std::string(what) + ": " + msg;
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
      return Status::Corruption(path_ + " is not a linkwatch/SQLite database (" + msg + ")");
    case SQLITE_CORRUPT:
      return Status::Corruption("database " + path_ + " is corrupt: " + ctx);
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PERM:
      return Status::IOError("database " + path_ + ": " + ctx);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("database " + path_ + " is busy: " + ctx);
    case SQLITE_TOOBIG:
      return Status::InvalidArgument(ctx);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists(msg);
      }
      return Status::InvalidArgument(msg);
    default:
      return Status::Internal(ctx);
  }
}

int64_t Db::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int Db::Changes() const { return sqlite3_changes(db_); }
bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
bool Db::ReadOnly() const { return sqlite3_db_readonly(db_, "main") == 1; }
void Db::SetBusyTimeout(int ms) { sqlite3_busy_timeout(db_, ms); }

}  // namespace linkwatch::storage
