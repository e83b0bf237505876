// The single writer: a thread that owns the writer connection and commits
// queued write jobs in batches (group commit), each job in its own savepoint.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "audit_chain.h"
#include "linkwatch/base/status.h"
#include "linkwatch/base/time.h"

namespace linkwatch::storage {

class Db;
class ReadPool;

// What a write job sees while it runs: the writer connection inside an open
// transaction, the audit chain's end, and the clock. Writer thread only.
struct WriteContext {
  Db& db;
  ChainHead& chain;
  const Clock& clock;
};

// One unit of queued write work. Not thread-safe: created by a submitting
// thread, then touched only by the writer thread.
class WriteJob {
 public:
  virtual ~WriteJob() = default;
  // Does the job's writes. Runs inside the job's own savepoint (or, alone
  // in its batch, right in the batch's transaction): a failure rolls back
  // this job only. Must not throw (FunctionJob catches).
  virtual Status Run(WriteContext& ctx) = 0;
  // Reports the outcome once the batch is durable (or failed as a whole, in
  // which case `batch` is that failure). Called exactly once, on the writer
  // thread, or on the submitting thread when the writer is closed.
  virtual void Complete(const Status& batch) = 0;
  // The rows the job writes, about: a batch is closed once its jobs reach
  // the writer's row budget, so that a job queued first waits for one
  // batch of bounded size, not for everything queued before it.
  virtual size_t rows() const { return 1; }
};

// A WriteJob made of a function that returns Result<T> and a callback.
// Thread-safety as WriteJob.
template <typename T>
class FunctionJob final : public WriteJob {
 public:
  using Body = std::function<Result<T>(WriteContext&)>;
  using Done = std::function<void(Result<T>)>;
  FunctionJob(Body body, Done done, size_t rows = 1)
      : body_(std::move(body)), done_(std::move(done)), rows_(rows) {}

  Status Run(WriteContext& ctx) override {
    try {
      result_.emplace(body_(ctx));
    } catch (const std::exception& e) {
      result_.emplace(Status::Internal(std::string("write job failed: ") + e.what()));
    }
    return result_->status();
  }

  void Complete(const Status& batch) override {
    if (result_ && (batch.ok() || !result_->ok())) {
      done_(std::move(*result_));
    } else {
      done_(Result<T>(batch.ok() ? Status::Internal("write job never ran") : batch));
    }
  }

  size_t rows() const override { return rows_; }

 private:
  Body body_;
  Done done_;
  size_t rows_;
  std::optional<Result<T>> result_;
};

// Thread-safe: Submit and Close may be called from any thread (but not from
// a job's callback, which runs on the writer thread itself).
class Writer {
 public:
  // `share` is the pool whose only connection is `db` (":memory:" databases);
  // the writer then borrows it for each batch. nullptr for file databases.
  // A batch holds at most `max_batch_jobs` jobs, and closes once its jobs'
  // rows() reach `max_batch_rows`.
  Writer(Db& db, ChainHead head, const Clock& clock, int max_batch_jobs, int max_batch_rows,
         ReadPool* share);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Where a job joins the queue. kFirst is for work others wait on (leasing
  // due links while fetch slots stand empty): it goes before every queued
  // job, and the next batch holds only such jobs, so it is durable and
  // answered after one commit, not after the jobs queued behind it. (A
  // batch of them alone is not followed by another while others wait.)
  enum class Order { kLast, kFirst };
  // Queues `job`; after Close the job completes at once with kUnavailable.
  void Submit(std::unique_ptr<WriteJob> job, Order order = Order::kLast);
  // Commits everything queued, then stops the thread. Idempotent.
  void Close();

 private:
  using Batch = std::vector<std::unique_ptr<WriteJob>>;

  void Loop();
  Batch TakeBatch();
  void RunBatch(Batch& batch);
  Status RunInTransaction(Batch& batch);
  Status RunJob(WriteJob& job);
  Status RunAlone(WriteJob& job);
  Status SyncChainHead();
  static void CompleteAll(Batch& batch, const Status& status);

  // Owned by the writer thread.
  Db& db_;
  ChainHead chain_;
  const Clock& clock_;
  const size_t max_batch_jobs_;
  const size_t max_batch_rows_;
  ReadPool* const share_;
  int64_t data_version_ = -1;  // PRAGMA data_version when the chain head was last known

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<WriteJob>> queue_;  // guarded by mu_
  size_t first_ = 0;        // kFirst jobs at the front of queue_; guarded by mu_
  bool last_alone_ = false;  // the last batch held kFirst jobs alone; guarded by mu_
  bool closing_ = false;                         // guarded by mu_
  std::once_flag join_once_;
  std::thread thread_;  // last: starts running Loop() during construction
};

// Reads the audit chain's end from the database.
Result<ChainHead> LoadChainHead(Db& db);

}  // namespace linkwatch::storage
