// Opening and configuring the store's connections, with the failures of a
// bad path turned into clear errors. Thread-safe (no shared state).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "linkwatch/base/status.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::storage {

class Db;

inline constexpr char kMemoryPath[] = ":memory:";

// The writer connection: read-write, WAL, foreign keys, synchronous per
// options.durable. kIOError for a path that cannot be opened or written,
// kCorruption for a file that is not a SQLite database.
Result<std::unique_ptr<Db>> OpenWriterDb(const std::string& path, const Options& options);

// `count` read-only connections to a database the writer already opened.
Result<std::vector<std::unique_ptr<Db>>> OpenReaderDbs(const std::string& path,
                                                       const Options& options, int count);

}  // namespace linkwatch::storage
