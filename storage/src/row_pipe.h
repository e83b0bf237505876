// Steps a statement on a second thread while the caller uses its rows, so a
// large scan's b-tree walk and record decoding (SQLite's share) overlap with
// what the caller does with each row (the report's share). Rows travel in
// batches through a short queue; the reader waits when the queue is full.
//
// The statement and its connection belong to the pipe's thread until the pipe
// is destroyed: the caller must not use that connection meanwhile (one read
// transaction, one connection, one user at a time, as SQLITE_OPEN_NOMUTEX
// requires). Destroying the pipe early stops the reader and waits for it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "linkwatch/base/status.h"
#include "sqlite_db.h"

namespace linkwatch::storage {

template <typename Row>
class RowPipe {
 public:
  // decode(stmt, row) fills one row from the current result row; it returns
  // false to leave the row out.
  using Decode = std::function<bool(const Stmt&, Row&)>;

  RowPipe(Stmt& stmt, Decode decode) : stmt_(stmt), decode_(std::move(decode)) {
    reader_ = std::thread([this] { Read(); });
  }
  RowPipe(const RowPipe&) = delete;
  RowPipe& operator=(const RowPipe&) = delete;
  ~RowPipe() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    space_.notify_all();
    reader_.join();
  }

  // The next row (valid until the next call), nullptr at the end, or the
  // error that ended the scan.
  Result<const Row*> Next() {
    if (at_ < current_.size()) return &current_[at_++];
    std::unique_lock lock(mu_);
    if (!current_.empty()) {
      current_.clear();
      spare_.push_back(std::move(current_));
    }
    ready_.wait(lock, [this] { return !full_.empty() || done_; });
    if (full_.empty()) {
      if (!status_.ok()) return status_;
      return static_cast<const Row*>(nullptr);
    }
    current_ = std::move(full_.front());
    full_.pop_front();
    lock.unlock();
    space_.notify_one();
    at_ = 1;
    return &current_[0];
  }

 private:
  static constexpr size_t kBatchRows = 4096;
  static constexpr size_t kQueuedBatches = 4;

  void Read() {
    std::vector<Row> batch;
    Status status = Status::Ok();
    for (;;) {
      if (batch.capacity() == 0) {
        std::lock_guard lock(mu_);
        if (!spare_.empty()) {
          batch = std::move(spare_.back());
          spare_.pop_back();
        }
        batch.reserve(kBatchRows);
      }
      auto row = stmt_.Step();
      if (!row.ok()) {
        status = row.status();
        break;
      }
      if (!*row) break;
      batch.emplace_back();
      if (!decode_(stmt_, batch.back())) batch.pop_back();
      if (batch.size() == kBatchRows && !Push(batch)) return;
    }
    if (!batch.empty() && !Push(batch)) return;
    {
      std::lock_guard lock(mu_);
      status_ = std::move(status);
      done_ = true;
    }
    ready_.notify_one();
  }

  // false: the pipe is being destroyed.
  bool Push(std::vector<Row>& batch) {
    std::unique_lock lock(mu_);
    space_.wait(lock, [this] { return full_.size() < kQueuedBatches || stop_; });
    if (stop_) return false;
    full_.push_back(std::move(batch));
    batch = std::vector<Row>();
    lock.unlock();
    ready_.notify_one();
    return true;
  }

  Stmt& stmt_;
  Decode decode_;
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<std::vector<Row>> full_;
  std::vector<std::vector<Row>> spare_;
  Status status_ = Status::Ok();
  bool done_ = false, stop_ = false;
  std::vector<Row> current_;  // the caller's batch
  size_t at_ = 0;
  std::thread reader_;  // last: started once everything above exists
};

}  // namespace linkwatch::storage
