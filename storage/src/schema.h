// The database schema as numbered, forward-only migrations. The version a
// database is at lives in PRAGMA user_version.
#pragma once

#include "linkwatch/base/status.h"

namespace linkwatch::storage {

class Db;

// The highest schema version this binary knows.
int LatestMigration();

// Brings the database behind `db` to LatestMigration() in one transaction and
// returns the resulting version. kInvalidArgument when the database is newer
// than this binary; kCorruption when it is a SQLite database of another program.
// REQUIRES: `db` is the writer connection, outside any transaction.
Result<int> Migrate(Db& db);

// Like Migrate, but stops at version `target` (1..LatestMigration()); a
// database already past it is left alone. For tests that need an old schema.
Result<int> MigrateTo(Db& db, int target);

}  // namespace linkwatch::storage
