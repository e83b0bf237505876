// The report's write side: what each check adds for the weekly report
// (schema v5: link_transition, link_views_week). Called inside the writer's
// transaction by check_write.cpp and reach_write.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "linkwatch/base/status.h"
#include "linkwatch/base/time.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::storage {

class Db;

// Monday 00:00 UTC of the ISO week holding `t` (t >= 4 days after the epoch).
TimeMs WeekStartOf(TimeMs t);

// A confirmed status change of o.link_id (on `host`) from `from` to o.status
// at o.checked_at.
Status RecordTransition(Db& db, const CheckOutcome& o, const std::string& from,
                        std::string_view host);

// RecordTransition's insert, for the tests of its plan: plain VALUES, since
// an INSERT that reads its own table (INSERT ... SELECT) first copies its
// rows into a temporary b-tree.
extern const std::string kInsertTransitionSql;

// Views seen by the check of o.link_id at o.checked_at (nothing when unknown).
Status RecordWeeklyViews(Db& db, const CheckOutcome& o);

}  // namespace linkwatch::storage
