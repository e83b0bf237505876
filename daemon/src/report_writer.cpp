#include "linkwatch/daemon/report_writer.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "report_render.h"
#include "report_request.h"

namespace linkwatch::daemon {
namespace {

namespace fs = std::filesystem;

constexpr TimeMs kDayMs = 24LL * 3600 * 1000;
constexpr TimeMs kMinuteMs = 60LL * 1000;
constexpr int kMinutesPerDay = 24 * 60;
// The timer never waits longer than this: a changed wall clock (or a suspend)
// is noticed within the hour instead of firing days late.
constexpr TimeMs kMaxTimerWaitMs = 3600LL * 1000;
constexpr const char* kWeekdays[] = {"monday", "tuesday", "wednesday", "thursday",
                                     "friday", "saturday", "sunday"};

// Writes `body` to `path` durably: a temp file beside it, fsync, rename.
Status WriteAtomically(const fs::path& path, const std::string& body) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + tmp.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < body.size()) {
    const ssize_t n = ::write(fd, body.data() + done, body.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    done += static_cast<size_t>(n);
  }
  const bool written = done == body.size() && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  std::error_code ec;
  if (!written) {
    fs::remove(tmp, ec);
    return Status::IOError("cannot write " + tmp.string() + ": " + std::strerror(saved));
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::IOError("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace

std::optional<int> ParseWeekday(std::string_view name) {
  for (int i = 0; i < 7; ++i) {
    if (name == kWeekdays[i]) return i + 1;
  }
  return std::nullopt;
}

std::optional<int> ParseTimeOfDay(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return hours * 60 + minutes;
}

TimeMs NextRun(TimeMs now, int weekday, int minute) {
  assert(weekday >= 1 && weekday <= 7 && minute >= 0 && minute < kMinutesPerDay);
  const TimeMs run = IsoWeekOf(now).start + (weekday - 1) * kDayMs + minute * kMinuteMs;
  return run > now ? run : run + kWeekMs;
}

std::string ReportFileName(const IsoWeek& week, std::string_view format) {
  return "linkwatch-" + week.label() + "." + std::string(format);
}

struct ReportWriter::Impl {
  boost::asio::io_context& io;
  Executor workers;
  storage::Store& store;
  ReportConfig config;
  const Clock& clock;
  int weekday = 1, minute = 0;
  boost::asio::steady_timer timer;
  TimeMs next = 0;
  bool stopped = false;             // io thread only
  std::atomic<bool> busy{false};    // a report is being written on a worker

  Impl(boost::asio::io_context& io_, Executor w, storage::Store& s, ReportConfig c, const Clock& clk)
      : io(io_), workers(std::move(w)), store(s), config(std::move(c)), clock(clk), timer(io_) {
    weekday = ParseWeekday(config.day).value_or(1);
    minute = ParseTimeOfDay(config.time).value_or(0);
  }

  void Arm();
  void OnTimer(const boost::system::error_code& ec);
  void Launch(const IsoWeek& week);
  Result<std::vector<std::string>> WriteWeek(const IsoWeek& week);
};

void ReportWriter::Impl::Arm() {
  const TimeMs wait = std::clamp<TimeMs>(next - clock.Now(), 0, kMaxTimerWaitMs);
  timer.expires_after(std::chrono::milliseconds(wait));
  timer.async_wait([this](const boost::system::error_code& ec) { OnTimer(ec); });
}

void ReportWriter::Impl::OnTimer(const boost::system::error_code& ec) {
  if (ec || stopped) return;
  const TimeMs now = clock.Now();
  if (now >= next) {
    Launch(LastCompleteWeek(now));
    next = NextRun(now, weekday, minute);
  }
  Arm();
}

void ReportWriter::Impl::Launch(const IsoWeek& week) {
  if (busy.exchange(true)) {
    spdlog::warn("report {}: the previous report is still being written; skipped", week.label());
    return;
  }
  workers([this, week] {
    auto written = WriteWeek(week);
    if (!written.ok()) {
      spdlog::error("report {}: {}", week.label(), written.status().ToString());
    } else if (written->empty()) {
      spdlog::info("report {}: already written to {}", week.label(), config.dir);
    } else {
      for (const auto& path : *written) spdlog::info("report {}: wrote {}", week.label(), path);
    }
    busy = false;
  });
}

Result<std::vector<std::string>> ReportWriter::Impl::WriteWeek(const IsoWeek& week) {
  std::error_code ec;
  fs::create_directories(config.dir, ec);
  if (ec) return Status::IOError("cannot create report directory " + config.dir + ": " + ec.message());
  std::vector<std::string> missing;
  for (const auto& f : config.formats) {
    if (!fs::exists(fs::path(config.dir) / ReportFileName(week, f), ec)) missing.push_back(f);
  }
  std::vector<std::string> written;
  if (missing.empty()) return written;
  auto data = store.Report(ReportQueryFor(week));
  if (!data.ok()) return data.status();
  for (const auto& f : missing) {
    const auto format = ParseReportFormat(f);
    assert(format && "formats are validated by the config loader");
    const fs::path path = fs::path(config.dir) / ReportFileName(week, f);
    if (auto st = WriteAtomically(path, RenderReport(*data, *format)); !st.ok()) return st;
    written.push_back(path.string());
  }
  return written;
}

ReportWriter::ReportWriter(boost::asio::io_context& io, Executor workers, storage::Store& store,
                           ReportConfig config, const Clock& clock)
    : impl_(std::make_unique<Impl>(io, std::move(workers), store, std::move(config), clock)) {}

ReportWriter::~ReportWriter() = default;

void ReportWriter::Start() {
  const TimeMs now = impl_->clock.Now();
  impl_->stopped = false;
  impl_->next = NextRun(now, impl_->weekday, impl_->minute);
  // This week's run already passed (the daemon was down): catch up now.
  if (impl_->next - kWeekMs >= IsoWeekOf(now).start) impl_->Launch(LastCompleteWeek(now));
  spdlog::info("reports: written to {} every {} at {} UTC; next {}", impl_->config.dir, impl_->config.day,
               impl_->config.time, FormatIso8601(impl_->next));
  impl_->Arm();
}

void ReportWriter::Stop() {
  impl_->stopped = true;
  impl_->timer.cancel();
}

Result<std::vector<std::string>> ReportWriter::WriteWeek(const IsoWeek& week) { return impl_->WriteWeek(week); }

}  // namespace linkwatch::daemon
