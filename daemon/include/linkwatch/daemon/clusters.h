// The daemon's near-duplicate index of flagged pages: which content cluster a
// page belongs to, found without comparing it with every other page.
//
// Thread-safe: every method takes the one mutex (lookups are microseconds).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "linkwatch/matcher/simhash.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::daemon {

class ClusterIndex {
 public:
  explicit ClusterIndex(int max_distance = matcher::kDefaultMaxDistance);

  // Adds the stored pages (Store::ListClusterEntries), at start.
  void Load(const std::vector<storage::ClusterEntry>& entries);

  // The key of the cluster a page belongs to: the cluster of a page with the
  // same fingerprint, else of the nearest indexed page within max_distance,
  // else a new cluster named by `fingerprint`. The page is indexed.
  std::string Assign(const std::string& fingerprint, uint64_t simhash);

  // The cluster a page would join, without indexing it; nullopt for none.
  std::optional<std::string> Find(const std::string& fingerprint, uint64_t simhash) const;

  size_t size() const;  // indexed pages

 private:
  std::optional<std::string> FindLocked(const std::string& fingerprint, uint64_t simhash) const;

  mutable std::mutex mu_;
  matcher::SimHashIndex index_;                           // guarded by mu_; key: entry number
  std::vector<std::string> cluster_of_;                   // guarded by mu_; entry number -> cluster key
  std::unordered_map<std::string, uint64_t> by_fingerprint_;  // guarded by mu_; page -> entry number
};

}  // namespace linkwatch::daemon
