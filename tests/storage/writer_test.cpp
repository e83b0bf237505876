// The writer's queue: a job queued first goes into the next batch before
// everything queued earlier, and a batch closes at its row budget.
#include <sqlite3.h>

#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "schema.h"  // Migrate: the writer reads the audit chain's end
#include "sqlite_db.h"
#include "storage_test_util.h"
#include "writer.h"

namespace linkwatch::storage::testing {
namespace {

// What the writer did, in order: "run X" when a job runs, "done X" when its
// batch is durable and it is told.
class Log {
 public:
  void Add(std::string line) {
    std::lock_guard lock(mu_);
    lines_.push_back(std::move(line));
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

std::unique_ptr<WriteJob> Job(Log& log, const std::string& name, size_t rows) {
  return std::make_unique<FunctionJob<int>>(
      [&log, name](WriteContext&) -> Result<int> {
        log.Add("run " + name);
        return 0;
      },
      [&log, name](Result<int>) { log.Add("done " + name); }, rows);
}

struct Setup {
  TempDir dir;
  std::unique_ptr<Db> db;
  ManualClock clock{kStart};
  Setup() {
    auto opened = Db::Open(dir.File("w.db"), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    REQUIRE(opened.ok());
    db = std::move(*opened);
    REQUIRE(Migrate(*db).ok());
  }
};

// Holds the writer inside a job until released, so that what is queued
// meanwhile is ordered by the queue alone.
class Gate {
 public:
  std::unique_ptr<WriteJob> Job(Log& log) {
    return std::make_unique<FunctionJob<int>>(
        [this, &log](WriteContext&) -> Result<int> {
          log.Add("run gate");
          entered_.set_value();
          open_.get_future().wait();
          return 0;
        },
        [&log](Result<int>) { log.Add("done gate"); });
  }
  void WaitEntered() { entered_.get_future().wait(); }
  void Open() { open_.set_value(); }

 private:
  std::promise<void> entered_, open_;
};

// What a writer with `max_batch_rows` does with the jobs `queue(writer, log)`
// submits while a first job holds it: the log after it closed, once
// `settled()` returned.
template <typename Queue>
std::vector<std::string> RunQueued(int max_batch_rows, Queue queue,
                                   const std::function<void()>& settled = [] {}) {
  Setup s;
  Log log;
  Gate gate;
  {
    Writer writer(*s.db, ChainHead{}, s.clock, 512, max_batch_rows, nullptr);
    writer.Submit(gate.Job(log));
    gate.WaitEntered();
    queue(writer, log);
    gate.Open();
    settled();
    writer.Close();
  }
  return log.lines();
}

// "lease `i`", which queues lease i + 1 first while it runs, up to lease `n`
// (as a scheduler that leases again at once would); `last` is kept when
// lease n is told.
std::unique_ptr<WriteJob> LeaseChain(Writer& writer, Log& log, int i, int n,
                                     std::promise<void>& last) {
  const std::string name = "lease " + std::to_string(i);
  return std::make_unique<FunctionJob<int>>(
      [&writer, &log, &last, name, i, n](WriteContext&) -> Result<int> {
        log.Add("run " + name);
        if (i < n) writer.Submit(LeaseChain(writer, log, i + 1, n, last), Writer::Order::kFirst);
        return 0;
      },
      [&log, &last, name, i, n](Result<int>) {
        log.Add("done " + name);
        if (i == n) last.set_value();
      });
}

}  // namespace

TEST_CASE("jobs queued first run before the jobs queued earlier, in a batch of their own") {
  const auto lines = RunQueued(512, [](Writer& writer, Log& log) {
    writer.Submit(Job(log, "record 1", 1));
    writer.Submit(Job(log, "lease 1", 1), Writer::Order::kFirst);
    writer.Submit(Job(log, "record 2", 1));
    writer.Submit(Job(log, "lease 2", 1), Writer::Order::kFirst);
  });
  // The leases are answered once they are durable, before the records run.
  CHECK(lines == std::vector<std::string>{"run gate", "done gate", "run lease 2", "run lease 1",
                                          "done lease 2", "done lease 1", "run record 1",
                                          "run record 2", "done record 1", "done record 2"});
}

TEST_CASE("jobs queued first one after another do not hold back the jobs queued earlier") {
  std::promise<void> last;
  const auto lines = RunQueued(
      512,
      [&last](Writer& writer, Log& log) {
        writer.Submit(Job(log, "record 1", 1));
        writer.Submit(LeaseChain(writer, log, 1, 3, last), Writer::Order::kFirst);
      },
      [&last] { last.get_future().wait(); });
  // Lease 1 alone; lease 2, queued meanwhile, shares the next batch with the
  // record that waited; lease 3 is alone again.
  CHECK(lines == std::vector<std::string>{"run gate", "done gate", "run lease 1", "done lease 1",
                                          "run lease 2", "run record 1", "done lease 2",
                                          "done record 1", "run lease 3", "done lease 3"});
}

TEST_CASE("a batch takes no further job once its jobs hold the row budget") {
  const auto lines = RunQueued(100, [](Writer& writer, Log& log) {
    writer.Submit(Job(log, "a", 60));
    writer.Submit(Job(log, "b", 60));  // a + b reach 100: the batch closes
    writer.Submit(Job(log, "c", 10));
    writer.Submit(Job(log, "d", 500));  // alone over the budget, still taken
  });
  CHECK(lines == std::vector<std::string>{"run gate", "done gate", "run a", "run b", "done a",
                                          "done b", "run c", "run d", "done c", "done d"});
}

TEST_CASE("a store refuses a row budget below 1") {
  TempDir dir;
  Options options = TestOptions();
  options.max_batch_rows = 0;
  auto store = Store::Open(dir.File("lw.db"), options);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().message() == "max_batch_rows must be at least 1");
}

}  // namespace linkwatch::storage::testing
