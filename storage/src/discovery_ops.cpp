// Discovery: candidates from flagged pages, their fetch verdicts, discovered
// links, and the review of those links.
#include "json_text.h"
#include "ops.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

constexpr TimeMs kDayMs = 24 * 3600 * 1000;

Result<std::optional<int>> LinkDepth(Db& db, int64_t link_id) {
  auto stmt = db.Prepare("SELECT depth FROM link WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, link_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int>();
  return std::optional<int>(static_cast<int>(stmt->Int(0)));
}

Result<int64_t> QueuedToday(Db& db, TimeMs now) {
  auto stmt = db.Prepare("SELECT count(*) FROM candidate WHERE created_at > ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, now - kDayMs).Step();
  if (!row.ok()) return row.status();
  return *row ? stmt->Int(0) : 0;
}

// In scope: allow-listed, or on the host of a link in the register; and new.
Result<bool> Admissible(Db& db, const CandidateOffer& o) {
  auto stmt = db.Prepare(
      "SELECT (?2 OR EXISTS (SELECT 1 FROM link WHERE host = ?3 AND review_state <> 'rejected')) "
      "AND NOT EXISTS (SELECT 1 FROM link WHERE canonical_url = ?1)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, o.key).Bind(2, int64_t{o.allow_listed ? 1 : 0}).Bind(3, o.host);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  return *row && stmt->Int(0) != 0;
}

// Queues `o` unless it is known; a candidate that matched nothing is queued
// again once its remember time is over. True when queued.
Result<bool> Queue(Db& db, const CandidateOffer& o, int64_t found_from, int depth, TimeMs now) {
  auto stmt = db.Prepare(
      "INSERT INTO candidate (key, url, host, found_from, depth, state, created_at, next_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?6) "
      "ON CONFLICT (key) DO UPDATE SET state = 'queued', found_from = ?4, depth = ?5, "
      "next_at = ?6, created_at = ?6, lease_until = NULL "
      "WHERE state = 'nothing' AND next_at <= ?6");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, o.key).Bind(2, o.url).Bind(3, o.host).Bind(4, found_from);
  stmt->Bind(5, int64_t{depth}).Bind(6, now);
  if (auto st = stmt->Run(); !st.ok()) return st;
  return db.Changes() == 1;
}

struct Origin {
  int64_t found_from = 0;
  int depth = 0;
  std::string url;
  std::string category;
};

Result<std::optional<Origin>> LoadCandidate(Db& db, const std::string& key) {
  auto stmt = db.Prepare(
      "SELECT c.found_from, c.depth, c.url, l.category FROM candidate c "
      "JOIN link l ON l.id = c.found_from WHERE c.key = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, key).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Origin>();
  return std::optional<Origin>(
      Origin{stmt->Int(0), static_cast<int>(stmt->Int(1)), stmt->Text(2), stmt->Text(3)});
}

Result<int64_t> InsertDiscovered(WriteContext& ctx, const CandidateVerdict& v, const Origin& origin,
                                 const std::string& host) {
  auto stmt = ctx.db.Prepare(
      "INSERT INTO link (canonical_url, submitted_url, host, origin, review_state, category, "
      "status, next_check_at, created_at, found_from, depth, found_reason) "
      "VALUES (?1, ?2, ?3, 'discovered', 'pending', ?4, 'pending', ?5, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (canonical_url) DO NOTHING");
  if (!stmt.ok()) return stmt.status();
  const std::string& category = v.category.empty() ? origin.category : v.category;
  stmt->Bind(1, v.key).Bind(2, origin.url).Bind(3, host).Bind(4, category);
  stmt->Bind(5, v.checked_at).Bind(6, origin.found_from).Bind(7, int64_t{origin.depth});
  stmt->Bind(8, v.reason);
  if (auto st = stmt->Run(); !st.ok()) return st;
  if (ctx.db.Changes() == 0) return int64_t{0};  // registered meanwhile
  const int64_t id = ctx.db.LastInsertId();
  const nlohmann::json detail = {{"url", origin.url}, {"found_from", origin.found_from}, {"reason", v.reason}};
  Actor system;
  system.agency = "linkwatchd";
  auto audit = AppendAuditRow(ctx, system, "link.discover", "link:" + std::to_string(id), JsonText(detail));
  if (!audit.ok()) return audit.status();
  return id;
}

Result<std::string> CandidateHost(Db& db, const std::string& key) {
  auto stmt = db.Prepare("SELECT host FROM candidate WHERE key = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, key).Step();
  if (!row.ok()) return row.status();
  return *row ? stmt->Text(0) : std::string();
}

Result<int64_t> RecordOne(WriteContext& ctx, const CandidateVerdict& v) {
  auto origin = LoadCandidate(ctx.db, v.key);
  if (!origin.ok()) return origin.status();
  if (!*origin) return int64_t{0};  // not a candidate (any more)
  int64_t link_id = 0;
  if (v.discovered) {
    auto host = CandidateHost(ctx.db, v.key);
    if (!host.ok()) return host.status();
    auto id = InsertDiscovered(ctx, v, **origin, *host);
    if (!id.ok()) return id.status();
    link_id = *id;
  }
  auto stmt = ctx.db.Prepare(
      "UPDATE candidate SET state = ?2, checked_at = ?3, next_at = ?4, lease_until = NULL, "
      "link_id = coalesce(?5, (SELECT id FROM link WHERE canonical_url = ?1)) WHERE key = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, v.key).Bind(2, std::string_view(v.discovered ? "discovered" : "nothing"));
  stmt->Bind(3, v.checked_at).Bind(4, v.checked_at + v.remember_ms);
  stmt->Bind(5, link_id > 0 ? std::optional<int64_t>(link_id) : std::nullopt);
  if (auto st = stmt->Run(); !st.ok()) return st;
  return link_id;
}

struct ReviewTarget {
  std::string origin, review_state, canonical_url, category;
};

Result<ReviewTarget> LoadReviewTarget(Db& db, int64_t link_id) {
  auto stmt = db.Prepare("SELECT origin, review_state, canonical_url, category FROM link WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, link_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no link with id " + std::to_string(link_id));
  return ReviewTarget{stmt->Text(0), stmt->Text(1), stmt->Text(2), stmt->Text(3)};
}

Status Accept(WriteContext& ctx, const Actor& actor, const ReviewDecision& d, const ReviewTarget& t) {
  const TimeMs now = ctx.clock.Now();
  auto link = ctx.db.Prepare(
      "UPDATE link SET review_state = 'confirmed', reviewed_at = ?2 WHERE id = ?1");
  if (!link.ok()) return link.status();
  if (auto st = link->Bind(1, d.link_id).Bind(2, now).Run(); !st.ok()) return st;
  auto report = ctx.db.Prepare(
      "INSERT INTO report (link_id, agency_id, token_id, reported_at, legal_basis, category, note, "
      "duplicate) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'accepted from discovery', 0)");
  if (!report.ok()) return report.status();
  const std::optional<int64_t> token =
      actor.token_id == 0 ? std::nullopt : std::optional<int64_t>(actor.token_id);
  report->Bind(1, d.link_id).Bind(2, actor.agency_id).Bind(3, token).Bind(4, now);
  report->Bind(5, d.legal_basis).Bind(6, t.category);
  if (auto st = report->Run(); !st.ok()) return st;
  const nlohmann::json detail = {{"basis", d.legal_basis}, {"url", t.canonical_url}};
  return AppendAuditRow(ctx, actor, "link.accept", "link:" + std::to_string(d.link_id), JsonText(detail))
      .status();
}

Status Reject(WriteContext& ctx, const Actor& actor, const ReviewDecision& d, const ReviewTarget& t) {
  const TimeMs now = ctx.clock.Now();
  // Never due again: a NULL next_check_at is never leased.
  auto link = ctx.db.Prepare(
      "UPDATE link SET review_state = 'rejected', reviewed_at = ?2, review_reason = ?3, "
      "next_check_at = NULL WHERE id = ?1");
  if (!link.ok()) return link.status();
  if (auto st = link->Bind(1, d.link_id).Bind(2, now).Bind(3, d.reason).Run(); !st.ok()) return st;
  auto candidate = ctx.db.Prepare("UPDATE candidate SET state = 'rejected', next_at = NULL WHERE key = ?1");
  if (!candidate.ok()) return candidate.status();
  if (auto st = candidate->Bind(1, t.canonical_url).Run(); !st.ok()) return st;
  const nlohmann::json detail = {{"reason", d.reason}, {"url", t.canonical_url}};
  return AppendAuditRow(ctx, actor, "link.reject", "link:" + std::to_string(d.link_id), JsonText(detail))
      .status();
}

}  // namespace

Result<int> OfferCandidateRows(WriteContext& ctx, int64_t found_from,
                               const std::vector<CandidateOffer>& offers, const OfferLimits& limits,
                               TimeMs now) {
  auto depth = LinkDepth(ctx.db, found_from);
  if (!depth.ok()) return depth.status();
  if (!*depth || **depth >= limits.max_depth) return 0;
  auto today = QueuedToday(ctx.db, now);
  if (!today.ok()) return today.status();
  int64_t room = limits.max_per_day - *today;
  int queued = 0, taken = 0;
  // The page cap counts links queued: links out of scope, and candidates
  // already known (a page's navigation, queued or remembered from an earlier
  // offer), come first on most pages and must not use it up.
  for (const CandidateOffer& o : offers) {
    if (room <= 0 || taken >= limits.max_per_page) break;
    auto ok = Admissible(ctx.db, o);
    if (!ok.ok()) return ok.status();
    if (!*ok) continue;
    auto q = Queue(ctx.db, o, found_from, **depth + 1, now);
    if (!q.ok()) return q.status();
    if (*q) {
      ++queued;
      ++taken;
      --room;
    }
  }
  return queued;
}

Result<std::vector<DueCandidate>> LeaseCandidateRows(WriteContext& ctx, TimeMs now, int limit,
                                                     int64_t lease_ms) {
  auto stmt = ctx.db.Prepare(
      "SELECT key, url, host, found_from, depth FROM candidate "
      "WHERE state = 'queued' AND next_at <= ?1 AND (lease_until IS NULL OR lease_until < ?1) "
      "ORDER BY next_at, key LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, now).Bind(2, int64_t{limit});
  std::vector<DueCandidate> due;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    due.push_back({stmt->Text(0), stmt->Text(1), stmt->Text(2), stmt->Int(3),
                   static_cast<int>(stmt->Int(4))});
  }
  for (const DueCandidate& c : due) {
    auto lease = ctx.db.Prepare("UPDATE candidate SET lease_until = ?2 WHERE key = ?1");
    if (!lease.ok()) return lease.status();
    if (auto st = lease->Bind(1, c.key).Bind(2, now + lease_ms).Run(); !st.ok()) return st;
  }
  return due;
}

Result<std::vector<int64_t>> RecordCandidateRows(WriteContext& ctx,
                                                 const std::vector<CandidateVerdict>& verdicts) {
  std::vector<int64_t> ids;
  for (const CandidateVerdict& v : verdicts) {
    auto id = RecordOne(ctx, v);
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  return ids;
}

Status ReviewLink(WriteContext& ctx, const Actor& actor, const ReviewDecision& d) {
  auto t = LoadReviewTarget(ctx.db, d.link_id);
  if (!t.ok()) return t.status();
  if (t->origin != "discovered" || t->review_state != "pending") {
    return Status::InvalidArgument("link " + std::to_string(d.link_id) + " is not a discovered link pending review (" +
                                   t->origin + ", " + t->review_state + ")");
  }
  return d.accept ? Accept(ctx, actor, d, *t) : Reject(ctx, actor, d, *t);
}

}  // namespace linkwatch::storage
