// The weekly report on a schedule ([report] in the config): once a week at a
// given day and time (UTC) the daemon writes the last complete ISO week's
// report in each configured format to DIR/linkwatch-2026-W47.md etc.
//
// A ReportWriter lives on one io_context thread: Start(), Stop() and its timer
// run there. The report is computed and written on a worker (Store::Report is
// a read). A file already present for a week is never rewritten, so restarts
// and catch-ups are idempotent.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/base/iso_week.h"
#include "linkwatch/base/status.h"
#include "linkwatch/base/time.h"
#include "linkwatch/daemon/config.h"
#include "linkwatch/storage/store.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace linkwatch::daemon {

// "monday".."sunday" -> ISO weekday 1..7; nullopt otherwise.
std::optional<int> ParseWeekday(std::string_view name);
// "HH:MM" (00:00..23:59) -> minutes after midnight; nullopt otherwise.
std::optional<int> ParseTimeOfDay(std::string_view text);

// The first time strictly after `now` that falls on ISO weekday `weekday`
// (1 = Monday) at `minute` minutes after midnight UTC.
// REQUIRES: 1 <= weekday <= 7, 0 <= minute < 1440.
TimeMs NextRun(TimeMs now, int weekday, int minute);

// "linkwatch-2026-W47.md"
std::string ReportFileName(const IsoWeek& week, std::string_view format);

class ReportWriter {
 public:
  using Executor = std::function<void(std::function<void()>)>;

  // REQUIRES: `config` passed LoadConfig's validation. `store` and `clock`
  // outlive the writer; so does every task given to `workers`.
  ReportWriter(boost::asio::io_context& io, Executor workers, storage::Store& store, ReportConfig config,
               const Clock& clock = SystemClock::Instance());
  ~ReportWriter();
  ReportWriter(const ReportWriter&) = delete;
  ReportWriter& operator=(const ReportWriter&) = delete;

  // Arms the timer. When this week's scheduled time has already passed (the
  // daemon was down then), the last complete week is written now.
  void Start();
  // Cancels the timer; a report being written finishes on its worker.
  void Stop();

  // Writes each configured format of `week` that is not in the directory yet
  // (a temp file renamed into place); returns the paths written. Blocking: call
  // it on a worker. kIOError when the directory or a file cannot be written;
  // Store::Report's error when the figures cannot be read.
  Result<std::vector<std::string>> WriteWeek(const IsoWeek& week);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace linkwatch::daemon
