// A check's reach: counters on the check and the link, and the link's cluster.
#include "ops.h"
#include "report_write.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

// SQLite integers are signed: the 64 bits of a SimHash are stored as they are.
int64_t AsStored(uint64_t simhash) { return static_cast<int64_t>(simhash); }

Status RecordCounters(Db& db, const CheckOutcome& o, int64_t check_id) {
  const CheckReach& r = o.reach;
  // None known: the check row's counters are NULL as inserted, the link keeps its own.
  if (!r.views && !r.shares && !r.likes && !r.comments) return Status::Ok();
  auto check = db.Prepare(
      "UPDATE link_check SET views = ?2, shares = ?3, likes = ?4, comments = ?5 WHERE id = ?1");
  if (!check.ok()) return check.status();
  check->Bind(1, check_id).Bind(2, r.views).Bind(3, r.shares).Bind(4, r.likes).Bind(5, r.comments);
  if (auto st = check->Run(); !st.ok()) return st;
  if (auto st = RecordWeeklyViews(db, o); !st.ok()) return st;
  // The link shows its latest known counters: an unreadable one keeps the last.
  auto link = db.Prepare(
      "UPDATE link SET views = coalesce(?2, views), shares = coalesce(?3, shares), "
      "likes = coalesce(?4, likes), comments = coalesce(?5, comments) WHERE id = ?1");
  if (!link.ok()) return link.status();
  link->Bind(1, o.link_id).Bind(2, r.views).Bind(3, r.shares).Bind(4, r.likes).Bind(5, r.comments);
  return link->Run();
}

Result<int64_t> ClusterId(WriteContext& ctx, const CheckReach& r) {
  auto insert = ctx.db.Prepare(
      "INSERT INTO cluster (fingerprint, simhash, created_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (fingerprint) DO NOTHING");
  if (!insert.ok()) return insert.status();
  // The page that names a new cluster gives it its SimHash.
  const std::optional<int64_t> simhash =
      r.simhash && r.cluster_key == r.fingerprint ? std::optional<int64_t>(AsStored(*r.simhash))
                                                  : std::nullopt;
  insert->Bind(1, r.cluster_key).Bind(2, simhash).Bind(3, ctx.clock.Now());
  if (auto st = insert->Run(); !st.ok()) return st;
  auto find = ctx.db.Prepare("SELECT id FROM cluster WHERE fingerprint = ?1");
  if (!find.ok()) return find.status();
  auto row = find->Bind(1, r.cluster_key).Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("cluster " + r.cluster_key + " vanished inside a transaction");
  return find->Int(0);
}

Status RecordIdentity(WriteContext& ctx, const CheckOutcome& o, int64_t check_id) {
  const CheckReach& r = o.reach;
  auto cluster = ClusterId(ctx, r);
  if (!cluster.ok()) return cluster.status();
  const std::optional<int64_t> simhash =
      r.simhash ? std::optional<int64_t>(AsStored(*r.simhash)) : std::nullopt;
  auto link = ctx.db.Prepare("UPDATE link SET cluster_id = ?2, fingerprint = ?3, simhash = ?4 WHERE id = ?1");
  if (!link.ok()) return link.status();
  link->Bind(1, o.link_id).Bind(2, *cluster).Bind(3, r.fingerprint).Bind(4, simhash);
  if (auto st = link->Run(); !st.ok()) return st;
  auto check = ctx.db.Prepare("UPDATE link_check SET fingerprint = ?2, simhash = ?3 WHERE id = ?1");
  if (!check.ok()) return check.status();
  return check->Bind(1, check_id).Bind(2, r.fingerprint).Bind(3, simhash).Run();
}

}  // namespace

Status ApplyReach(WriteContext& ctx, const CheckOutcome& o, int64_t check_id) {
  if (o.reach.counters_seen) {
    if (auto st = RecordCounters(ctx.db, o, check_id); !st.ok()) return st;
  }
  if (!o.reach.fingerprint.empty()) return RecordIdentity(ctx, o, check_id);
  return Status::Ok();
}

}  // namespace linkwatch::storage
