// A pool of connections lent to readers, one borrower per connection.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

namespace linkwatch::storage {

class Db;

// Thread-safe. The pool does not own its connections; they must outlive it.
class ReadPool {
 public:
  // Exclusive use of one connection until the lease is destroyed. A lease
  // belongs to one thread at a time.
  class Lease {
   public:
    Lease(ReadPool* pool, Db* db) : pool_(pool), db_(db) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), db_(other.db_) { other.pool_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Return(db_);
    }
    Db& db() const { return *db_; }

   private:
    ReadPool* pool_;
    Db* db_;
  };

  explicit ReadPool(std::vector<Db*> connections) : free_(std::move(connections)) {
    size_ = free_.size();
  }

  // Blocks until a connection is free; nullopt once Shutdown() has begun.
  std::optional<Lease> Acquire();
  // Refuses new leases and waits until every lent connection is back.
  void Shutdown();

 private:
  void Return(Db* db);

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Db*> free_;     // guarded by mu_
  size_t size_ = 0;           // guarded by mu_
  bool shut_down_ = false;    // guarded by mu_
};

}  // namespace linkwatch::storage
