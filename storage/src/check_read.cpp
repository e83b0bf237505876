// The scheduler's reads: a link's check history and the queue's state.
#include "ops.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

constexpr TimeMs kHour = 60 * 60 * 1000;

const std::string kCheckSelect =
    "SELECT id, checked_at, http_status, status_class, final_url, redirect_chain, elapsed_ms, "
    "bytes, truncated, not_modified, error, flagged, matched_rules, rules_version, reason "
    "FROM link_check ";

CheckRow ReadCheck(const Stmt& s) {
  CheckRow c;
  c.id = s.Int(0);
  c.checked_at = s.Int(1);
  if (auto http = s.OptInt(2)) c.http_status = static_cast<int>(*http);
  c.status = s.Text(3);
  c.final_url = s.Text(4);
  c.redirect_chain = s.Text(5);
  c.elapsed_ms = s.Int(6);
  c.bytes = s.Int(7);
  c.truncated = s.Int(8) != 0;
  c.not_modified = s.Int(9) != 0;
  c.error = s.Text(10);
  if (auto flagged = s.OptInt(11)) c.flagged = *flagged != 0;
  c.matched_rules = s.Text(12);
  c.rules_version = s.Text(13);
  c.reason = s.Text(14);
  return c;
}

// checked_at of check `check_id` of link `link_id`: where a page resumes.
Result<TimeMs> CheckTime(Db& db, int64_t link_id, int64_t check_id) {
  auto stmt = db.Prepare("SELECT checked_at FROM link_check WHERE id = ?1 AND link_id = ?2");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, check_id).Bind(2, link_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return Status::InvalidArgument("check " + std::to_string(check_id) + " is not a check of link " +
                                   std::to_string(link_id));
  }
  return stmt->Int(0);
}

// Runs a one-row query with :now bound; the first column, nullopt for NULL or no row.
Result<std::optional<int64_t>> QueryAt(Db& db, const std::string& sql, TimeMs now,
                                       const char* origin = nullptr) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(":now", now);
  if (origin != nullptr) stmt->Bind(":origin", std::string_view(origin));
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return stmt->OptInt(0);
}

Result<int64_t> CountAt(Db& db, const std::string& sql, TimeMs now) {
  auto n = QueryAt(db, sql, now);
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

Status FillByStatus(Db& db, QueueStats& q) {
  auto stmt = db.Prepare("SELECT status, count(*) FROM link GROUP BY status");
  if (!stmt.ok()) return stmt.status();
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    q.by_status[stmt->Text(0)] = stmt->Int(1);
    q.links += stmt->Int(1);
  }
}

Status FillCounts(Db& db, TimeMs now, QueueStats& q) {
  auto free_due = CountAt(db,
                          "SELECT count(*) FROM link WHERE lease_until IS NULL AND "
                          "origin IN ('registered', 'discovered') AND next_check_at <= :now",
                          now);
  if (!free_due.ok()) return free_due.status();
  auto expired_due = CountAt(
      db, "SELECT count(*) FROM link WHERE lease_until < :now AND next_check_at <= :now", now);
  if (!expired_due.ok()) return expired_due.status();
  q.due_now = *free_due + *expired_due;
  auto leased = CountAt(db, "SELECT count(*) FROM link WHERE lease_until >= :now", now);
  if (!leased.ok()) return leased.status();
  q.leased = *leased;
  auto checks = CountAt(db,
                        "SELECT count(*) FROM link_check WHERE checked_at > :now - " +
                            std::to_string(kHour) + " AND checked_at <= :now",
                        now);
  if (!checks.ok()) return checks.status();
  q.checks_last_hour = *checks;
  return Status::Ok();
}

void KeepEarliest(std::optional<TimeMs>& earliest, const std::optional<int64_t>& t) {
  if (t && (!earliest || *t < *earliest)) earliest = *t;
}

Status FillNextDue(Db& db, TimeMs now, QueueStats& q) {
  for (const char* origin : {"registered", "discovered"}) {
    auto t = QueryAt(db,
                     "SELECT next_check_at FROM link WHERE lease_until IS NULL AND "
                     "origin = :origin AND next_check_at IS NOT NULL "
                     "ORDER BY next_check_at LIMIT 1",
                     now, origin);
    if (!t.ok()) return t.status();
    KeepEarliest(q.next_due, *t);
  }
  auto expired = QueryAt(db, "SELECT min(next_check_at) FROM link WHERE lease_until < :now", now);
  if (!expired.ok()) return expired.status();
  KeepEarliest(q.next_due, *expired);
  return Status::Ok();
}

// One read transaction, so that the figures agree with each other.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Db& db) : db_(db), status_(db.Run("BEGIN")) {}
  ~ReadSnapshot() {
    if (status_.ok() && db_.InTransaction()) (void)db_.Run("COMMIT");
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  const Status& status() const { return status_; }

 private:
  Db& db_;
  Status status_;
};

}  // namespace

Status CheckLinkExists(Db& db, int64_t link_id) {
  auto stmt = db.Prepare("SELECT 1 FROM link WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, link_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no link with id " + std::to_string(link_id));
  return Status::Ok();
}

Result<std::vector<CheckRow>> QueryHistory(Db& db, int64_t link_id, int limit,
                                           int64_t before_id) {
  if (auto st = CheckLinkExists(db, link_id); !st.ok()) return st;
  std::optional<TimeMs> before_at;
  if (before_id != 0) {
    auto at = CheckTime(db, link_id, before_id);
    if (!at.ok()) return at.status();
    before_at = *at;
  }
  // Newest first along link_check_link_time (link_id, checked_at, id).
  auto stmt = db.Prepare(
      kCheckSelect +
      (before_at ? "WHERE link_id = :link AND (checked_at, id) < (:at, :before) "
                 : "WHERE link_id = :link ") +
      "ORDER BY checked_at DESC, id DESC LIMIT :limit");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(":link", link_id).Bind(":limit", int64_t{limit});
  if (before_at) stmt->Bind(":at", *before_at).Bind(":before", before_id);
  std::vector<CheckRow> rows;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return rows;
    rows.push_back(ReadCheck(*stmt));
  }
}

Result<QueueStats> QueryQueue(Db& db, TimeMs now) {
  ReadSnapshot snapshot(db);
  if (!snapshot.status().ok()) return snapshot.status();
  QueueStats q;
  Status st = FillByStatus(db, q);
  if (st.ok()) st = FillCounts(db, now, q);
  if (st.ok()) st = FillNextDue(db, now, q);
  if (!st.ok()) return st;
  return q;
}

}  // namespace linkwatch::storage
