#include "writer.h"

#include <algorithm>
#include <exception>

#include "read_pool.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

void CompleteQuietly(WriteJob& job, const Status& status) {
  try {
    job.Complete(status);
  } catch (...) {
    // A callback that throws must not take the writer thread down with it.
  }
}

}  // namespace

Result<ChainHead> LoadChainHead(Db& db) {
  auto stmt = db.Prepare("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  ChainHead head;
  if (*row) {
    head.last_id = stmt->Int(0);
    head.last_hash = stmt->Text(1);
  }
  return head;
}

Writer::Writer(Db& db, ChainHead head, const Clock& clock, int max_batch_jobs, int max_batch_rows,
               ReadPool* share)
    : db_(db),
      chain_(std::move(head)),
      clock_(clock),
      max_batch_jobs_(static_cast<size_t>(max_batch_jobs)),
      max_batch_rows_(static_cast<size_t>(max_batch_rows)),
      share_(share),
      thread_([this] { Loop(); }) {}

Writer::~Writer() { Close(); }

void Writer::Submit(std::unique_ptr<WriteJob> job, Order order) {
  {
    std::lock_guard lock(mu_);
    if (!closing_) {
      if (order == Order::kFirst) {
        queue_.push_front(std::move(job));
        ++first_;
      } else {
        queue_.push_back(std::move(job));
      }
      cv_.notify_one();
      return;
    }
  }
  CompleteQuietly(*job, Status::Unavailable("the store is closed"));
}

void Writer::Close() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  std::call_once(join_once_, [this] { thread_.join(); });
}

void Writer::Loop() {
  for (;;) {
    Batch batch = TakeBatch();
    if (batch.empty()) return;  // closing, and the queue is drained
    RunBatch(batch);
  }
}

Writer::Batch Writer::TakeBatch() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
  Batch batch;
  size_t rows = 0;
  // Jobs queued first make a batch of their own; after such a batch, when
  // others wait, they lead one shared with those, so that a stream of them
  // cannot hold the rest back.
  const bool alone = first_ > 0 && !(last_alone_ && first_ < queue_.size());
  while (!queue_.empty() && batch.size() < max_batch_jobs_ && rows < max_batch_rows_ &&
         (!alone || batch.size() < first_)) {
    rows += queue_.front()->rows();
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  last_alone_ = alone;
  first_ -= std::min(first_, batch.size());
  return batch;
}

void Writer::RunBatch(Batch& batch) {
  Status status;
  {
    std::optional<ReadPool::Lease> lease =
        share_ != nullptr ? share_->Acquire() : std::optional<ReadPool::Lease>();
    if (share_ != nullptr && !lease) {
      status = Status::Unavailable("the store is closed");
    } else {
      const ChainHead start = chain_;
      status = RunInTransaction(batch);
      if (!status.ok()) chain_ = start;
    }
  }  // the shared connection is free again before callbacks may read
  CompleteAll(batch, status);
}

Status Writer::RunInTransaction(Batch& batch) {
  if (auto st = db_.Run("BEGIN IMMEDIATE"); !st.ok()) return st;
  Status st = SyncChainHead();
  if (batch.size() == 1) {
    if (st.ok()) st = RunAlone(*batch[0]);
  } else {
    for (size_t i = 0; st.ok() && i < batch.size(); ++i) st = RunJob(*batch[i]);
  }
  if (st.ok()) st = db_.Run("COMMIT");
  if (!st.ok() && db_.InTransaction()) (void)db_.Run("ROLLBACK");
  return st;
}

// Returns a failure that dooms the whole batch; a job's own failure stays
// with the job and only its savepoint is rolled back.
Status Writer::RunJob(WriteJob& job) {
  const ChainHead before = chain_;
  if (auto st = db_.Run("SAVEPOINT job"); !st.ok()) return st;
  WriteContext ctx{db_, chain_, clock_};
  const Status job_status = job.Run(ctx);
  if (job_status.ok()) return db_.Run("RELEASE job");
  chain_ = before;
  // Some errors (disk full, I/O) make SQLite roll back the whole transaction.
  if (!db_.InTransaction()) return job_status;
  if (auto st = db_.Run("ROLLBACK TO job"); !st.ok()) return st;
  return db_.Run("RELEASE job");
}

// Alone in its batch, a job needs no savepoint: its failure rolls back the
// transaction, which holds nothing else, and is the batch's failure (which
// Complete reports as the job's own). This spares the savepoint's copy of
// every page the job touches into a sub-journal (a temp file).
Status Writer::RunAlone(WriteJob& job) {
  WriteContext ctx{db_, chain_, clock_};
  return job.Run(ctx);
}

// Another process may have appended audit rows since our last commit.
Status Writer::SyncChainHead() {
  auto version = db_.QueryInt("PRAGMA data_version");
  if (!version.ok()) return version.status();
  if (*version == data_version_) return Status::Ok();
  auto head = LoadChainHead(db_);
  if (!head.ok()) return head.status();
  chain_ = std::move(*head);
  data_version_ = *version;
  return Status::Ok();
}

void Writer::CompleteAll(Batch& batch, const Status& status) {
  for (auto& job : batch) CompleteQuietly(*job, status);
}

}  // namespace linkwatch::storage
