#include "checkpointer.h"

#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

// A WAL longer than this (32 MiB of 4 KiB pages) is restarted from its
// beginning once it is fully copied, so that the file stops growing.
constexpr int64_t kRestartFrames = 8'000;
// A RESTART holds the write lock while it waits for readers of older
// snapshots; it gives up after this long rather than stall the writer
// behind a long report, and is not tried again for a while.
constexpr int kRestartWaitMs = 100;
constexpr std::chrono::seconds kRestartBackoff{5};

struct Progress {
  bool busy = false;                // the checkpoint could not finish
  int64_t log_frames = 0;           // frames in the WAL
  int64_t checkpointed_frames = 0;  // of those, copied into the database
};

Result<Progress> Checkpoint(Db& db, const std::string& mode) {
  auto stmt = db.Prepare("PRAGMA wal_checkpoint(" + mode + ")");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Progress{};
  return Progress{stmt->Int(0) != 0, stmt->Int(1), stmt->Int(2)};
}

// Only RESTART waits on locks; PASSIVE never does.
std::unique_ptr<Db> RestartWaiting(std::unique_ptr<Db> db) {
  db->SetBusyTimeout(kRestartWaitMs);
  return db;
}

}  // namespace

Checkpointer::Checkpointer(std::unique_ptr<Db> db, std::chrono::milliseconds period)
    : db_(RestartWaiting(std::move(db))), period_(period), thread_([this] { Loop(); }) {}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  std::call_once(stop_once_, [this] {
    thread_.join();
    db_.reset();
  });
}

// Failures (SQLITE_BUSY while another connection checkpoints, a full disk)
// are left for the next round; the writer's own autocheckpoint remains as a
// backstop.
void Checkpointer::RunOnce() {
  auto progress = Checkpoint(*db_, "PASSIVE");
  if (!progress.ok() || progress->log_frames < kRestartFrames ||
      progress->checkpointed_frames < progress->log_frames ||
      progress->log_frames == restarted_frames_) {
    return;
  }
  // SQLite restarts the WAL only at a write that begins while every frame is
  // copied, which a writer kept busy may never do. RESTART waits for the
  // current write (new ones wait for it), copies what that write added and
  // makes the next write start the WAL over: a short pause, rarely.
  const auto now = std::chrono::steady_clock::now();
  if (now < next_restart_) return;
  auto restart = Checkpoint(*db_, "RESTART");
  if (restart.ok() && !restart->busy) {
    restarted_frames_ = restart->log_frames;  // until the next write starts over
  } else {
    next_restart_ = now + kRestartBackoff;  // readers are busy; let them be
  }
}

void Checkpointer::Loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    RunOnce();
    lock.lock();
  }
}

}  // namespace linkwatch::storage
