// Where the embedded store lives inside a data directory.
#pragma once

#include <string>

namespace linkwatch::storage {

inline constexpr char kDatabaseFileName[] = "linkwatch.db";

// "<data_dir>/linkwatch.db"
inline std::string DatabasePath(const std::string& data_dir) {
  if (data_dir.empty() || data_dir.back() == '/') return data_dir + kDatabaseFileName;
  return data_dir + "/" + kDatabaseFileName;
}

}  // namespace linkwatch::storage
