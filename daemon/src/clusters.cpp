#include "linkwatch/daemon/clusters.h"

namespace linkwatch::daemon {

ClusterIndex::ClusterIndex(int max_distance) : index_(max_distance) {}

void ClusterIndex::Load(const std::vector<storage::ClusterEntry>& entries) {
  std::lock_guard lock(mu_);
  for (const auto& e : entries) {
    if (by_fingerprint_.count(e.fingerprint) != 0) continue;
    const uint64_t entry = cluster_of_.size();
    cluster_of_.push_back(e.cluster_key);
    by_fingerprint_.emplace(e.fingerprint, entry);
    index_.Insert(entry, e.simhash);
  }
}

std::optional<std::string> ClusterIndex::FindLocked(const std::string& fingerprint,
                                                    uint64_t simhash) const {
  if (const auto it = by_fingerprint_.find(fingerprint); it != by_fingerprint_.end()) {
    return cluster_of_[it->second];
  }
  if (const auto near = index_.FindNearest(simhash)) return cluster_of_[near->first];
  return std::nullopt;
}

std::string ClusterIndex::Assign(const std::string& fingerprint, uint64_t simhash) {
  std::lock_guard lock(mu_);
  if (const auto it = by_fingerprint_.find(fingerprint); it != by_fingerprint_.end()) {
    return cluster_of_[it->second];
  }
  std::string key = FindLocked(fingerprint, simhash).value_or(fingerprint);
  const uint64_t entry = cluster_of_.size();
  cluster_of_.push_back(key);
  by_fingerprint_.emplace(fingerprint, entry);
  index_.Insert(entry, simhash);
  return key;
}

std::optional<std::string> ClusterIndex::Find(const std::string& fingerprint,
                                              uint64_t simhash) const {
  std::lock_guard lock(mu_);
  return FindLocked(fingerprint, simhash);
}

size_t ClusterIndex::size() const {
  std::lock_guard lock(mu_);
  return cluster_of_.size();
}

}  // namespace linkwatch::daemon
