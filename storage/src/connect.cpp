#include "connect.h"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>

#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

// Page cache of the writer connection: index pages of the link table stay
// hot across batches (SQLite's default is 2 MiB). Grows only as used.
constexpr int kWriterCacheKiB = 64 * 1024;

// Readers map the database file instead of copying every page they read out
// of the OS cache into their own (a weekly report reads ~300 MB of index
// pages). SQLite clamps this to its compile-time maximum (Debian: 2 GiB); the
// WAL is read as before. Address space only: the pages are the OS cache's.
constexpr int64_t kReaderMmapBytes = int64_t{2} << 30;

bool IsMemory(const std::string& path) { return path == kMemoryPath; }

Status CheckExists(const std::string& path, const Options& options) {
  if (options.create_if_missing || IsMemory(path)) return Status::Ok();
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Status::Ok();
  return Status::IOError("database " + path + " does not exist");
}

// sqlite3_open_v2 succeeds lazily; the first read of the file reveals a
// file that is not a database (SQLITE_NOTADB) or cannot be opened.
Status Probe(Db& db) {
  if (db.ReadOnly()) return Status::IOError("database " + db.path() + " is read-only");
  auto tables = db.QueryInt("SELECT count(*) FROM sqlite_schema");
  if (tables.status().code() == Status::Code::kIOError) {
    // The file itself opened: what failed is the WAL's -wal/-shm files beside it.
    return Status::IOError("cannot open database " + db.path() +
                           " (is its folder writable? WAL needs files beside it): " +
                           tables.status().message());
  }
  if (!tables.ok()) return tables.status();
  if (db.ReadOnly()) return Status::IOError("database " + db.path() + " is read-only");
  return Status::Ok();
}

Status EnableWal(Db& db) {
  auto mode = db.QueryText("PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal") {
    return Status::IOError("cannot switch database " + db.path() +
                           " to WAL mode (it stays in " + *mode + " mode)");
  }
  return Status::Ok();
}

Status Configure(Db& db, const Options& options) {
  if (!IsMemory(db.path())) {
    if (auto st = EnableWal(db); !st.ok()) return st;
  }
  if (auto st = db.Exec("PRAGMA cache_size = -" + std::to_string(kWriterCacheKiB)); !st.ok()) {
    return st;
  }
  // The sub-journal of each job's savepoint (a copy of every page the job
  // first touches) stays in memory instead of a temporary file.
  if (auto st = db.Exec("PRAGMA temp_store = MEMORY"); !st.ok()) return st;
  if (auto st = db.Exec(options.durable ? "PRAGMA synchronous = FULL"
                                        : "PRAGMA synchronous = NORMAL");
      !st.ok()) {
    return st;
  }
  return db.Exec("PRAGMA foreign_keys = ON");
}

// SQLite's memory statistics take a process-wide mutex on every allocation;
// nothing here reads them, and turning them off makes a registration about a
// third cheaper. sqlite3_config works only before SQLite initializes: when
// another part of the process used SQLite first, this quietly does nothing.
void TuneSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Result<std::unique_ptr<Db>> OpenWriterDb(const std::string& path, const Options& options) {
  TuneSqliteOnce();
  if (auto st = CheckExists(path, options); !st.ok()) return st;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  auto db = Db::Open(path, flags);
  if (!db.ok()) return db.status();
  (*db)->SetBusyTimeout(options.busy_timeout_ms);
  if (auto st = Probe(**db); !st.ok()) return st;
  if (auto st = Configure(**db, options); !st.ok()) return st;
  return db;
}

Result<std::vector<std::unique_ptr<Db>>> OpenReaderDbs(const std::string& path,
                                                       const Options& options, int count) {
  std::vector<std::unique_ptr<Db>> readers;
  for (int i = 0; i < count; ++i) {
    auto db = Db::Open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    if (!db.ok()) return db.status();
    (*db)->SetBusyTimeout(options.busy_timeout_ms);
    if (auto st = (*db)->Exec("PRAGMA mmap_size = " + std::to_string(kReaderMmapBytes)); !st.ok()) {
      return st;
    }
    readers.push_back(std::move(*db));
  }
  return readers;
}

}  // namespace linkwatch::storage
