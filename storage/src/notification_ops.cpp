// The webhook notification queue.
#include "json_text.h"
#include "ops.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

constexpr size_t kMaxErrorBytes = 1024;

const std::string kSelect =
    "SELECT id, event, link_id, webhook, payload, state, attempts, created_at, next_at, last_error, "
    "finished_at FROM notification ";

Notification ReadNotification(const Stmt& s) {
  Notification n;
  n.id = s.Int(0);
  n.event = s.Text(1);
  n.link_id = s.OptInt(2);
  n.webhook = s.Text(3);
  n.payload = s.Text(4);
  n.state = s.Text(5);
  n.attempts = static_cast<int>(s.Int(6));
  n.created_at = s.Int(7);
  n.next_at = s.OptInt(8);
  n.last_error = s.Text(9);
  n.finished_at = s.OptInt(10);
  return n;
}

Result<std::vector<Notification>> Collect(Stmt& stmt) {
  std::vector<Notification> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadNotification(stmt));
  }
}

}  // namespace

Result<std::vector<int64_t>> InsertNotifications(WriteContext& ctx, const std::vector<Notification>& items) {
  std::vector<int64_t> ids;
  const TimeMs now = ctx.clock.Now();
  for (const Notification& n : items) {
    auto stmt = ctx.db.Prepare(
        "INSERT INTO notification (event, link_id, webhook, payload, state, created_at, next_at) "
        "VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, n.event).Bind(2, n.link_id).Bind(3, n.webhook).Bind(4, n.payload).Bind(5, now);
    if (auto st = stmt->Run(); !st.ok()) return st;
    ids.push_back(ctx.db.LastInsertId());
  }
  return ids;
}

Result<std::vector<Notification>> LeaseNotificationRows(WriteContext& ctx, TimeMs now, int limit,
                                                        int64_t lease_ms) {
  std::vector<Notification> due;
  {
    auto stmt = ctx.db.Prepare(kSelect + "WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, now).Bind(2, int64_t{limit});
    auto rows = Collect(*stmt);
    if (!rows.ok()) return rows.status();
    due = std::move(*rows);
  }
  for (Notification& n : due) {
    auto lease = ctx.db.Prepare("UPDATE notification SET next_at = ?2 WHERE id = ?1");
    if (!lease.ok()) return lease.status();
    if (auto st = lease->Bind(1, n.id).Bind(2, now + lease_ms).Run(); !st.ok()) return st;
    n.next_at = now + lease_ms;
  }
  return due;
}

Status RecordDeliveryRows(WriteContext& ctx, const std::vector<DeliveryResult>& results) {
  const TimeMs now = ctx.clock.Now();
  for (const DeliveryResult& r : results) {
    auto stmt = ctx.db.Prepare(
        "UPDATE notification SET attempts = attempts + 1, "
        "state = CASE WHEN ?2 THEN 'delivered' WHEN ?4 IS NULL THEN 'failed' ELSE 'pending' END, "
        "last_error = CASE WHEN ?2 THEN last_error ELSE ?3 END, next_at = CASE WHEN ?2 THEN NULL ELSE ?4 END, "
        "finished_at = CASE WHEN ?2 OR ?4 IS NULL THEN ?5 ELSE NULL END "
        "WHERE id = ?1 AND state = 'pending'");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, r.id).Bind(2, int64_t{r.delivered ? 1 : 0});
    stmt->Bind(3, std::string_view(r.error).substr(0, kMaxErrorBytes));
    stmt->Bind(4, r.retry_at).Bind(5, now);
    if (auto st = stmt->Run(); !st.ok()) return st;
  }
  return Status::Ok();
}

Result<int64_t> RetryNotificationRows(WriteContext& ctx, const Actor& actor, std::optional<int64_t> id) {
  if (id) {
    auto state = ctx.db.Prepare("SELECT state FROM notification WHERE id = ?1");
    if (!state.ok()) return state.status();
    auto row = state->Bind(1, *id).Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no notification with id " + std::to_string(*id));
    if (const std::string s = state->Text(0); s != "failed") {
      return Status::InvalidArgument("notification " + std::to_string(*id) + " is " + s +
                                     ", not failed: only a failed one is sent again");
    }
  }
  auto stmt = ctx.db.Prepare(std::string("UPDATE notification SET state = 'pending', attempts = 0, next_at = ?1, "
                                         "finished_at = NULL WHERE state = 'failed'") +
                             (id ? " AND id = ?2" : ""));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ctx.clock.Now());
  if (id) stmt->Bind(2, *id);
  if (auto st = stmt->Run(); !st.ok()) return st;
  const int64_t queued = ctx.db.Changes();
  const nlohmann::json detail = {{"queued", queued}};
  auto audit = AppendAuditRow(ctx, actor, "notification.retry",
                              id ? "notification:" + std::to_string(*id) : std::string("notifications:failed"),
                              JsonText(detail));
  if (!audit.ok()) return audit.status();
  return queued;
}

Result<int64_t> FailNotificationRowsExcept(WriteContext& ctx, const std::vector<std::string>& webhooks,
                                           const std::string& error) {
  // The configured URLs as one JSON array, so that the statement is the same
  // for any number of them.
  auto stmt = ctx.db.Prepare(
      "UPDATE notification SET state = 'failed', last_error = ?2, next_at = NULL, finished_at = ?3 "
      "WHERE state = 'pending' AND webhook NOT IN (SELECT value FROM json_each(?1))");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, JsonText(nlohmann::json(webhooks)));
  stmt->Bind(2, std::string_view(error).substr(0, kMaxErrorBytes)).Bind(3, ctx.clock.Now());
  if (auto st = stmt->Run(); !st.ok()) return st;
  return int64_t{ctx.db.Changes()};
}

Result<std::vector<Notification>> QueryNotifications(Db& db, const std::string& state, int limit) {
  auto stmt = db.Prepare(kSelect + "WHERE state = ?1 ORDER BY id DESC LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, state).Bind(2, int64_t{limit});
  return Collect(*stmt);
}

}  // namespace linkwatch::storage
