#include "linkwatch/base/time.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace linkwatch {

std::string FormatIso8601(TimeMs t) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds{t}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
                static_cast<long>(hms.minutes().count()), static_cast<long>(hms.seconds().count()),
                static_cast<long>(hms.subseconds().count()));
  return buf;
}

std::optional<TimeMs> ParseIso8601(std::string_view s) {
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, se = 0, ms = 0;
  std::string str(s);
  int n = 0;
  if (std::sscanf(str.c_str(), "%4d-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &se, &n) != 6) {
    return std::nullopt;
  }
  std::string_view rest = s.substr(static_cast<size_t>(n));
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    unsigned scale = 100;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      ms += static_cast<unsigned>(rest.front() - '0') * scale;
      scale /= 10;
      rest.remove_prefix(1);
    }
  }
  if (rest != "Z") return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{mo}, day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  const auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} + milliseconds{ms};
  return duration_cast<milliseconds>(tp.time_since_epoch()).count();
}

TimeMs SystemClock::Now() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock kClock;
  return kClock;
}

}  // namespace linkwatch
