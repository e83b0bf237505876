// ISO 8601 weeks in UTC: "2026-W47" is [Monday 00:00, next Monday 00:00).
//
// A week belongs to the year of its Thursday, so week 1 may start in December
// (2025-W01 starts 2024-12-30) and years whose 1 January is a Thursday (or a
// Wednesday in a leap year) have 53 weeks. Plain functions of plain values.
#pragma once

#include <string>
#include <string_view>

#include "linkwatch/base/status.h"
#include "linkwatch/base/time.h"

namespace linkwatch {

inline constexpr TimeMs kWeekMs = 7LL * 24 * 3600 * 1000;

struct IsoWeek {
  int year = 0;    // the ISO week-numbering year (may differ from the calendar year)
  int week = 0;    // 1..52 or 53
  TimeMs start = 0;  // Monday 00:00 UTC
  TimeMs end = 0;    // start + kWeekMs
  std::string label() const;  // "2026-W47"
};

// Parses exactly "YYYY-Www" (four-digit year, two-digit week). kInvalidArgument
// for any other form, week 00, a week over 53, or week 53 of a 52-week year.
Result<IsoWeek> ParseIsoWeek(std::string_view text);

// The ISO week that contains `t`.
IsoWeek IsoWeekOf(TimeMs t);

// The last week that ended at or before `t`: the week before IsoWeekOf(t).
IsoWeek LastCompleteWeek(TimeMs t);

// 52 or 53.
int IsoWeeksInYear(int year);

}  // namespace linkwatch
