// Reads of reach and spread: clusters, the index entries, views growth.
#include "ops.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

constexpr TimeMs kWeekMs = 7 * 24 * 3600 * 1000LL;

Result<std::optional<int64_t>> ClusterOf(Db& db, int64_t link_id) {
  auto stmt = db.Prepare("SELECT cluster_id FROM link WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, link_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no link with id " + std::to_string(link_id));
  return stmt->OptInt(0);
}

// The views of `link_id`'s check found by `sql` (parameters ?1 link, ?2 time).
Result<std::optional<int64_t>> ViewsAt(Db& db, const std::string& sql, int64_t link_id, TimeMs t) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, link_id).Bind(2, t).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return stmt->OptInt(0);
}

}  // namespace

Result<ClusterInfo> QueryCluster(Db& db, int64_t link_id) {
  auto cluster = ClusterOf(db, link_id);
  if (!cluster.ok()) return cluster.status();
  if (!*cluster) return Status::NotFound("link " + std::to_string(link_id) + " is in no content cluster");
  ClusterInfo info;
  info.id = **cluster;
  {
    auto head = db.Prepare("SELECT fingerprint, created_at FROM cluster WHERE id = ?1");
    if (!head.ok()) return head.status();
    auto row = head->Bind(1, info.id).Step();
    if (!row.ok()) return row.status();
    if (*row) {
      info.fingerprint = head->Text(0);
      info.created_at = head->Int(1);
    }
  }
  auto stmt = db.Prepare(
      "SELECT id, canonical_url, status, origin, review_state, views, flagged FROM link "
      "WHERE cluster_id = ?1 AND review_state <> 'rejected' ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, info.id);
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return info;
    ClusterMember m{stmt->Int(0), stmt->Text(1), stmt->Text(2), stmt->Text(3),
                    stmt->Text(4), stmt->OptInt(5), stmt->Int(6) != 0};
    if (m.views) info.reach = info.reach.value_or(0) + *m.views;
    info.members.push_back(std::move(m));
  }
}

Result<std::vector<ClusterEntry>> QueryClusterEntries(Db& db) {
  auto stmt = db.Prepare(
      "SELECT l.fingerprint, l.simhash, c.fingerprint FROM link l JOIN cluster c ON c.id = l.cluster_id "
      "WHERE l.fingerprint IS NOT NULL AND l.simhash IS NOT NULL GROUP BY l.fingerprint");
  if (!stmt.ok()) return stmt.status();
  std::vector<ClusterEntry> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({stmt->Text(0), static_cast<uint64_t>(stmt->Int(1)), stmt->Text(2)});
  }
}

Status FillReach(Db& db, TimeMs now, Link& link) {
  if (link.cluster_id) {
    auto stmt = db.Prepare(
        "SELECT count(*) FROM link WHERE cluster_id = ?1 AND id <> ?2 AND review_state <> 'rejected'");
    if (!stmt.ok()) return stmt.status();
    auto row = stmt->Bind(1, *link.cluster_id).Bind(2, link.id).Step();
    if (!row.ok()) return row.status();
    link.repost_count = *row ? stmt->Int(0) : 0;
  }
  if (!link.views) return Status::Ok();
  // Checks with views, through the partial index link_check_views.
  auto first = ViewsAt(db,
                       "SELECT views FROM link_check WHERE link_id = ?1 AND views IS NOT NULL "
                       "AND checked_at >= ?2 ORDER BY checked_at, id LIMIT 1",
                       link.id, 0);
  if (!first.ok()) return first.status();
  auto week_ago = ViewsAt(db,
                          "SELECT views FROM link_check WHERE link_id = ?1 AND views IS NOT NULL "
                          "AND checked_at <= ?2 ORDER BY checked_at DESC, id DESC LIMIT 1",
                          link.id, now - kWeekMs);
  if (!week_ago.ok()) return week_ago.status();
  auto in_week = ViewsAt(db,
                         "SELECT views FROM link_check WHERE link_id = ?1 AND views IS NOT NULL "
                         "AND checked_at > ?2 ORDER BY checked_at, id LIMIT 1",
                         link.id, now - kWeekMs);
  if (!in_week.ok()) return in_week.status();
  if (*first) link.views_growth = *link.views - **first;
  // Growth over the last 7 days: from the last count seen a week ago or
  // earlier, else from the first count inside the week.
  if (*week_ago) {
    link.views_growth_7d = *link.views - **week_ago;
  } else if (*in_week) {
    link.views_growth_7d = *link.views - **in_week;
  }
  return Status::Ok();
}

}  // namespace linkwatch::storage
