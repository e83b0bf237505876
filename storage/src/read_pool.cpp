#include "read_pool.h"

namespace linkwatch::storage {

std::optional<ReadPool::Lease> ReadPool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return shut_down_ || !free_.empty(); });
  if (shut_down_) return std::nullopt;
  Db* db = free_.back();
  free_.pop_back();
  return std::optional<Lease>(std::in_place, this, db);
}

void ReadPool::Return(Db* db) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(db);
  }
  cv_.notify_all();
}

void ReadPool::Shutdown() {
  std::unique_lock lock(mu_);
  shut_down_ = true;
  cv_.notify_all();
  cv_.wait(lock, [this] { return free_.size() == size_; });
}

}  // namespace linkwatch::storage
