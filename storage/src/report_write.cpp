#include "report_write.h"

#include "sqlite_db.h"

namespace linkwatch::storage {

namespace {
constexpr TimeMs kDayMs = 24 * 3600 * 1000LL;
constexpr TimeMs kWeekMs = 7 * kDayMs;
constexpr TimeMs kFirstMonday = 4 * kDayMs;  // 1970-01-05
}  // namespace

TimeMs WeekStartOf(TimeMs t) {
  TimeMs d = (t - kFirstMonday) % kWeekMs;
  if (d < 0) d += kWeekMs;
  return t - d;
}

const std::string kInsertTransitionSql =
    "INSERT INTO link_transition (link_id, at, from_status, to_status, host, removed_since, "
    "first_removal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

namespace {

// Whether link `link_id` was removed before (the first removal counts once).
Result<bool> RemovedBefore(Db& db, int64_t link_id) {
  static const std::string kSql =
      "SELECT EXISTS (SELECT 1 FROM link_transition WHERE link_id = ?1 AND to_status = 'removed')";
  auto stmt = db.Prepare(kSql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, link_id).Step();
  if (!row.ok()) return row.status();
  return *row && stmt->Int(0) != 0;
}

}  // namespace

Status RecordTransition(Db& db, const CheckOutcome& o, const std::string& from,
                        std::string_view host) {
  const bool to_removed = o.status == "removed";
  bool first_removal = false;
  if (to_removed) {
    auto before = RemovedBefore(db, o.link_id);
    if (!before.ok()) return before.status();
    first_removal = !*before;
  }
  auto stmt = db.Prepare(kInsertTransitionSql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, o.link_id).Bind(2, o.checked_at).Bind(3, std::string_view(from));
  stmt->Bind(4, std::string_view(o.status)).Bind(5, host);
  // A removal knows since when the link was seen removed.
  if (to_removed) {
    stmt->Bind(6, o.removed_since.value_or(o.checked_at));
  } else {
    stmt->BindNull(6);
  }
  stmt->Bind(7, int64_t{first_removal ? 1 : 0});
  return stmt->Run();
}

// The first row of a week takes the latest views before it as prev_views; a
// later check of the same week moves views (and an earlier one first_views).
// Checks are recorded in time order: a check recorded after checks of a later
// week does not correct that week's prev_views.
Status RecordWeeklyViews(Db& db, const CheckOutcome& o) {
  if (!o.reach.counters_seen || !o.reach.views) return Status::Ok();
  auto stmt = db.Prepare(
      "INSERT INTO link_views_week (week, link_id, first_at, first_views, at, views, prev_views) "
      "VALUES (?1, ?2, ?3, ?4, ?3, ?4, (SELECT p.views FROM link_views_week p "
      "WHERE p.link_id = ?2 AND p.week < ?1 ORDER BY p.week DESC LIMIT 1)) "
      "ON CONFLICT (week, link_id) DO UPDATE SET "
      "views = CASE WHEN excluded.at >= at THEN excluded.views ELSE views END, "
      "at = max(at, excluded.at), "
      "first_views = CASE WHEN excluded.first_at < first_at THEN excluded.first_views "
      "ELSE first_views END, "
      "first_at = min(first_at, excluded.first_at)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, WeekStartOf(o.checked_at)).Bind(2, o.link_id).Bind(3, o.checked_at);
  stmt->Bind(4, *o.reach.views);
  return stmt->Run();
}

}  // namespace linkwatch::storage
