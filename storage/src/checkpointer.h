// Background WAL checkpoints: committed frames are copied from the WAL into
// the database file on a connection and thread of their own, so that the
// writer's commits do not pay for it. (Left to SQLite, the commit that makes
// the WAL cross wal_autocheckpoint pages runs the whole checkpoint, fsyncs
// included, while every caller in its batch waits.)
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace linkwatch::storage {

class Db;

// Thread-safe: Stop may be called from any thread.
class Checkpointer {
 public:
  // Runs a PASSIVE checkpoint on `db` (a read-write connection of its own)
  // every `period`. A PASSIVE checkpoint never blocks the writer or readers;
  // one that finds nothing new costs a look at the WAL index. A long WAL,
  // once copied, is restarted (a RESTART checkpoint: a short pause).
  Checkpointer(std::unique_ptr<Db> db, std::chrono::milliseconds period);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Stops the thread and closes the connection. Idempotent.
  void Stop();

 private:
  void Loop();
  void RunOnce();

  std::unique_ptr<Db> db_;  // the checkpoint thread's until Stop() joined it
  const std::chrono::milliseconds period_;
  // The checkpoint thread's: the WAL length of the last RESTART, and when a
  // RESTART may be tried again after one that readers kept from finishing.
  int64_t restarted_frames_ = -1;
  std::chrono::steady_clock::time_point next_restart_{};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::once_flag stop_once_;
  std::thread thread_;  // last: starts running Loop() during construction
};

}  // namespace linkwatch::storage
