#include "linkwatch/base/iso_week.h"

#include <chrono>
#include <cstdio>

namespace linkwatch {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

constexpr int kMinYear = 1;
constexpr int kMaxYear = 9999;

// Week 1 holds 4 January: its Monday is 4 January minus (ISO weekday - 1) days.
sys_days Week1Monday(int year) {
  const sys_days jan4{std::chrono::year{year} / std::chrono::January / 4};
  const std::chrono::weekday wd{jan4};
  return jan4 - days{wd.iso_encoding() - 1};
}

TimeMs ToMs(sys_days d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d.time_since_epoch()).count();
}

IsoWeek Make(int year, int week) {
  const sys_days monday = Week1Monday(year) + days{7 * (week - 1)};
  return {year, week, ToMs(monday), ToMs(monday) + kWeekMs};
}

// The `count` decimal digits at text[pos], or -1.
int Digits(std::string_view text, size_t pos, size_t count) {
  int v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

}  // namespace

std::string IsoWeek::label() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", year, week);
  return buf;
}

int IsoWeeksInYear(int year) {
  return (Week1Monday(year + 1) - Week1Monday(year)).count() == 7 * 53 ? 53 : 52;
}

Result<IsoWeek> ParseIsoWeek(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    // Built by appending: GCC 12 at -O3 warns (-Wrestrict, a false positive) on "\"" + std::string(text).
    std::string message = "\"";
    message.append(text).append("\" is not an ISO week (").append(why).append(")");
    return Status::InvalidArgument(message);
  };
  if (text.size() != 8 || text[4] != '-' || text[5] != 'W') return bad("write it as 2026-W47");
  const int year = Digits(text, 0, 4);
  const int week = Digits(text, 6, 2);
  if (year < 0 || week < 0) return bad("write it as 2026-W47");
  if (year < kMinYear || year > kMaxYear) return bad("year out of range");
  if (week < 1 || week > IsoWeeksInYear(year)) {
    return bad(std::to_string(year) + " has weeks 01 to " + std::to_string(IsoWeeksInYear(year)));
  }
  return Make(year, week);
}

IsoWeek IsoWeekOf(TimeMs t) {
  const sys_days day = std::chrono::floor<days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t)));
  const sys_days monday = day - days{std::chrono::weekday{day}.iso_encoding() - 1};
  const sys_days thursday = monday + days{3};
  const int year = static_cast<int>(std::chrono::year_month_day{thursday}.year());
  const int week = static_cast<int>((monday - Week1Monday(year)).count() / 7) + 1;
  return Make(year, week);
}

IsoWeek LastCompleteWeek(TimeMs t) { return IsoWeekOf(IsoWeekOf(t).start - 1); }

}  // namespace linkwatch
