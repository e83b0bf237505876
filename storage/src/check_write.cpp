// The scheduler's writes: leases, check results, rescans.
#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

#include "json_text.h"
#include "ops.h"
#include "report_write.h"
#include "sqlite_db.h"

namespace linkwatch::storage {

namespace {

// The columns ReadCandidate reads. The newest evidence's digest only for a
// link that was ever flagged (the others have none): one index probe each.
const std::string kDueColumns =
    "SELECT id, origin, next_check_at, submitted_url, canonical_url, host, status, "
    "candidate_status, candidate_count, backoff_step, etag, last_modified, content_hash, "
    "http_status, removed_since, flagged, matches, rules_version, flagged_at, review_state, "
    "CASE WHEN flagged_at IS NULL THEN NULL ELSE (SELECT e.sha256 FROM evidence e "
    "WHERE e.link_id = link.id ORDER BY e.fetched_at DESC, e.id DESC LIMIT 1) END, last_checked_at FROM link ";

}  // namespace

// Both queries return their rows in the scheduler's order: free links come
// from link_due, expired leases from link_leased.
const std::string kDueFreeSql =
    kDueColumns +
    "WHERE lease_until IS NULL AND origin = :origin AND next_check_at <= :now "
    "ORDER BY next_check_at, id LIMIT :limit";
const std::string kDueExpiredSql =
    kDueColumns +
    "WHERE lease_until < :now AND next_check_at <= :now "
    "ORDER BY origin <> 'registered', next_check_at, id LIMIT :limit";

namespace {

constexpr const char* kOrigins[] = {"registered", "discovered"};  // the order of service

// A due link and where it stands in the order of service.
struct Candidate {
  DueLink link;
  TimeMs next_check_at = 0;
  int rank() const { return link.origin == kOrigins[0] ? 0 : 1; }
};

bool ServedBefore(const Candidate& a, const Candidate& b) {
  return std::make_tuple(a.rank(), a.next_check_at, a.link.id) <
         std::make_tuple(b.rank(), b.next_check_at, b.link.id);
}

std::optional<int> OptInt32(const Stmt& s, int col) {
  auto v = s.OptInt(col);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

std::optional<int64_t> Widen(const std::optional<int>& v) {
  if (!v) return std::nullopt;
  return int64_t{*v};
}

// Empty text is stored as NULL.
void BindText(Stmt& stmt, int index, std::string_view value) {
  if (value.empty()) {
    stmt.BindNull(index);
  } else {
    stmt.Bind(index, value);
  }
}

Candidate ReadCandidate(const Stmt& s) {
  Candidate c;
  DueLink& l = c.link;
  l.id = s.Int(0);
  l.origin = s.Text(1);
  c.next_check_at = s.Int(2);
  l.submitted_url = s.Text(3);
  l.canonical_url = s.Text(4);
  l.host = s.Text(5);
  l.status = s.Text(6);
  l.candidate_status = s.Text(7);
  l.candidate_count = static_cast<int>(s.Int(8));
  l.backoff_step = static_cast<int>(s.Int(9));
  l.etag = s.Text(10);
  l.last_modified = s.Text(11);
  l.content_hash = s.Text(12);
  l.http_status = OptInt32(s, 13);
  l.removed_since = s.OptInt(14);
  l.flagged = s.Int(15) != 0;
  l.matches = s.Text(16);
  l.rules_version = s.Text(17);
  l.flagged_at = s.OptInt(18);
  l.review_state = s.Text(19);
  l.flagged_sha256 = s.Text(20);
  l.last_checked_at = s.OptInt(21);
  return c;
}

// Appends up to `limit` rows of a due query to `out`.
template <typename Binder>
Status CollectDue(Db& db, const std::string& sql, Binder bind, std::vector<Candidate>& out) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  bind(*stmt);
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    out.push_back(ReadCandidate(*stmt));
  }
}

size_t CountRegistered(const std::vector<Candidate>& due) {
  return static_cast<size_t>(
      std::count_if(due.begin(), due.end(), [](const Candidate& c) { return c.rank() == 0; }));
}

// The first `limit` due links in the order of service. Each query yields
// the head of its part, so the merged head is the overall head.
Result<std::vector<Candidate>> FindDue(Db& db, TimeMs now, int limit) {
  const auto wanted = static_cast<size_t>(limit);
  std::vector<Candidate> due;
  Status st = CollectDue(
      db, kDueExpiredSql, [&](Stmt& s) { s.Bind(":now", now).Bind(":limit", int64_t{limit}); },
      due);
  for (const char* origin : kOrigins) {
    if (!st.ok()) return st;
    // Registered links fill the places first; later origins get what is left.
    const size_t registered = CountRegistered(due);
    if (registered >= wanted) break;
    const auto room = static_cast<int64_t>(wanted - registered);
    st = CollectDue(
        db, kDueFreeSql,
        [&](Stmt& s) {
          s.Bind(":now", now).Bind(":limit", room).Bind(":origin", std::string_view(origin));
        },
        due);
  }
  if (!st.ok()) return st;
  std::sort(due.begin(), due.end(), ServedBefore);
  if (due.size() > wanted) due.resize(wanted);
  return due;
}

// Reserves `n` lease ids; returns the first. The counter lives in the
// database, so ids stay unique across restarts and other writer processes.
Result<int64_t> TakeLeaseIds(Db& db, int64_t n) {
  auto bump = db.Prepare("UPDATE counter SET value = value + ?1 WHERE name = 'lease'");
  if (!bump.ok()) return bump.status();
  if (auto st = bump->Bind(1, n).Run(); !st.ok()) return st;
  if (db.Changes() != 1) return Status::Internal("the lease counter is missing");
  auto last = db.QueryInt("SELECT value FROM counter WHERE name = 'lease'");
  if (!last.ok()) return last.status();
  return *last - n + 1;
}

struct LinkState {
  std::string status;
  std::string host;
  std::optional<int64_t> lease_id;
  bool flagged = false;
};

// nullopt when the link does not exist.
Result<std::optional<LinkState>> LoadState(Db& db, int64_t link_id) {
  static const std::string kSql = "SELECT status, lease_id, flagged, host FROM link WHERE id = ?1";
  auto stmt = db.Prepare(kSql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, link_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<LinkState>();
  return std::optional<LinkState>(
      LinkState{stmt->Text(0), stmt->Text(3), stmt->OptInt(1), stmt->Int(2) != 0});
}

std::string_view JsonOrEmptyArray(const std::string& text) {
  return text.empty() ? std::string_view("[]") : std::string_view(text);
}

Status InsertCheck(Db& db, const CheckOutcome& o) {
  static const std::string kSql =
      "INSERT INTO link_check (link_id, checked_at, http_status, status_class, final_url, "
      "redirect_chain, elapsed_ms, bytes, content_hash, error, etag, last_modified, "
      "rules_version, truncated, not_modified, flagged, matched_rules, reason) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
  auto stmt = db.Prepare(kSql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, o.link_id).Bind(2, o.checked_at).Bind(3, Widen(o.http_status));
  stmt->Bind(4, o.observed);
  BindText(*stmt, 5, o.final_url);
  stmt->Bind(6, o.redirect_chain.empty() ? std::string_view("[]") : o.redirect_chain);
  stmt->Bind(7, o.elapsed_ms).Bind(8, o.bytes);
  BindText(*stmt, 9, o.content_hash);
  BindText(*stmt, 10, o.error);
  BindText(*stmt, 11, o.etag);
  BindText(*stmt, 12, o.last_modified);
  BindText(*stmt, 13, o.rules_version);
  stmt->Bind(14, int64_t{o.truncated ? 1 : 0}).Bind(15, int64_t{o.not_modified ? 1 : 0});
  if (o.judged) {
    stmt->Bind(16, int64_t{o.flagged ? 1 : 0});
  } else {
    stmt->BindNull(16);
  }
  stmt->Bind(17, JsonOrEmptyArray(o.matched_rules));
  BindText(*stmt, 18, o.reason);
  return stmt->Run();
}

// The body once per digest, the snapshot once per check.
Status InsertEvidence(Db& db, const CheckOutcome& o, int64_t check_id) {
  const EvidenceSnapshot& e = *o.evidence;
  auto blob = db.Prepare("INSERT OR IGNORE INTO blob (sha256, bytes, zstd) VALUES (?1, ?2, ?3)");
  if (!blob.ok()) return blob.status();
  blob->Bind(1, e.sha256).Bind(2, e.body_bytes).BindBlob(3, e.body_zstd);
  if (auto st = blob->Run(); !st.ok()) return st;
  auto snap = db.Prepare(
      "INSERT INTO evidence (link_id, check_id, sha256, fetched_at, final_url, http_status, "
      "headers, matches, rules_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!snap.ok()) return snap.status();
  snap->Bind(1, o.link_id).Bind(2, check_id).Bind(3, e.sha256).Bind(4, o.checked_at);
  snap->Bind(5, o.final_url).Bind(6, Widen(o.http_status));
  snap->Bind(7, JsonOrEmptyArray(e.headers)).Bind(8, JsonOrEmptyArray(e.matches));
  snap->Bind(9, o.rules_version);
  return snap->Run();
}

// The link's new state; frees its lease. The status is set only when it
// changes: an UPDATE rewrites the entries of every index over a column it
// sets (link_report leads with status), whatever the value.
std::string LinkStateSql(bool status_changes) {
  std::string sql = "UPDATE link SET ";
  if (status_changes) sql += "status = ?2, ";
  sql +=
      "candidate_status = ?3, candidate_count = ?4, "
      "backoff_step = ?5, last_checked_at = ?6, "
      "next_check_at = CASE WHEN review_state = 'rejected' THEN NULL ELSE ?7 END, "
      "http_status = CASE WHEN ?8 = 304 THEN http_status ELSE ?8 END, "
      // The validators are the page's: a new body (a 2xx, ?12) brings exactly
      // its own (none: NULL), anything else keeps those of the last page.
      "final_url = ?9, etag = CASE WHEN ?12 IS NULL THEN etag ELSE ?10 END, "
      "last_modified = CASE WHEN ?12 IS NULL THEN last_modified ELSE ?11 END, "
      "content_hash = coalesce(?12, content_hash), "
      "removed_since = CASE WHEN ?13 IS NULL AND ?2 = 'removed' THEN removed_since "
      "ELSE ?13 END, "
      "reappeared_at = coalesce(?14, reappeared_at), lease_until = NULL, lease_id = NULL";
  return sql;
}

// A judged outcome also sets the judgement, in the same statement; the flag
// times only move forward.
std::string UpdateLinkSql(bool status_changes, bool judged) {
  std::string sql = LinkStateSql(status_changes);
  if (judged) {
    sql +=
        ", flagged = ?15, matches = ?16, rules_version = ?17, "
        "flagged_at = CASE WHEN ?15 = 1 THEN coalesce(flagged_at, ?6) ELSE flagged_at END, "
        "last_flagged_at = CASE WHEN ?15 = 1 THEN ?6 ELSE last_flagged_at END";
  }
  sql += " WHERE id = ?1";
  return sql;
}

// The four forms, [status_changes][judged].
const std::string kUpdateLinkSql[2][2] = {
    {UpdateLinkSql(false, false), UpdateLinkSql(false, true)},
    {UpdateLinkSql(true, false), UpdateLinkSql(true, true)},
};

// `from` is the link's status before this check.
Status UpdateLink(Db& db, const CheckOutcome& o, const std::string& from) {
  auto stmt = db.Prepare(kUpdateLinkSql[o.status != from][o.judged]);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, o.link_id).Bind(2, o.status).Bind(3, o.candidate_status);
  stmt->Bind(4, int64_t{o.candidate_count}).Bind(5, int64_t{o.backoff_step});
  stmt->Bind(6, o.checked_at).Bind(7, o.next_check_at).Bind(8, Widen(o.http_status));
  BindText(*stmt, 9, o.final_url);
  BindText(*stmt, 10, o.etag);
  BindText(*stmt, 11, o.last_modified);
  BindText(*stmt, 12, o.content_hash);
  stmt->Bind(13, o.removed_since).Bind(14, o.reappeared_at);
  if (o.judged) {
    stmt->Bind(15, int64_t{o.flagged ? 1 : 0}).Bind(16, JsonOrEmptyArray(o.matches));
    BindText(*stmt, 17, o.rules_version);
  }
  return stmt->Run();
}

// The daemon itself: no token, recorded as agency "linkwatchd".
Actor SystemActor() {
  Actor a;
  a.token_id = 0;
  a.agency = "linkwatchd";
  return a;
}

Status AuditStatusChange(WriteContext& ctx, const CheckOutcome& o, const std::string& from) {
  nlohmann::json detail = {{"from", from}, {"to", o.status}, {"http_status", nullptr}};
  if (o.http_status) detail["http_status"] = *o.http_status;
  if (!o.reason.empty()) detail["reason"] = o.reason;
  return AppendAuditRow(ctx, SystemActor(), "link.status", "link:" + std::to_string(o.link_id),
                        JsonText(detail))
      .status();
}

Status AuditFlagged(WriteContext& ctx, const CheckOutcome& o) {
  nlohmann::json rules = nlohmann::json::parse(JsonOrEmptyArray(o.matched_rules), nullptr, false);
  nlohmann::json detail = {{"rules", rules.is_discarded() ? nlohmann::json::array() : rules},
                           {"evidence", nullptr}};
  if (o.evidence) detail["evidence"] = o.evidence->sha256;
  return AppendAuditRow(ctx, SystemActor(), "link.flagged", "link:" + std::to_string(o.link_id),
                        JsonText(detail))
      .status();
}

// False when the outcome's lease is not the link's current one.
Result<bool> ApplyOutcome(WriteContext& ctx, const CheckOutcome& o) {
  auto state = LoadState(ctx.db, o.link_id);
  if (!state.ok()) return state.status();
  if (!*state || (*state)->lease_id != o.lease_id) return false;
  if (auto st = UpdateLink(ctx.db, o, (*state)->status); !st.ok()) return st;
  if (auto st = InsertCheck(ctx.db, o); !st.ok()) return st;
  const int64_t check_id = ctx.db.LastInsertId();
  if (o.evidence) {
    if (auto st = InsertEvidence(ctx.db, o, check_id); !st.ok()) return st;
  }
  if (auto st = ApplyReach(ctx, o, check_id); !st.ok()) return st;
  if ((*state)->status != o.status) {
    if (auto st = AuditStatusChange(ctx, o, (*state)->status); !st.ok()) return st;
    if (auto st = RecordTransition(ctx.db, o, (*state)->status, (*state)->host); !st.ok()) return st;
  }
  if (o.judged && o.flagged && !(*state)->flagged) {
    if (auto st = AuditFlagged(ctx, o); !st.ok()) return st;
  }
  return true;
}

struct RescanSql {
  std::string where;   // appended to the UPDATE's WHERE
  std::string target;  // audit target
  nlohmann::json detail;
};

RescanSql DescribeRescan(const RescanTarget& t) {
  if (t.link_id) {
    return {"id = :id", "link:" + std::to_string(*t.link_id), {{"link_id", *t.link_id}}};
  }
  if (t.status) return {"status = :status", "links:status=" + *t.status, {{"status", *t.status}}};
  return {"1", "links:all", {{"all", true}}};
}

void BindRescan(Stmt& stmt, const RescanTarget& t) {
  if (t.link_id) stmt.Bind(":id", *t.link_id);
  if (t.status) stmt.Bind(":status", *t.status);
}

}  // namespace

Result<std::vector<DueLink>> LeaseDueLinks(WriteContext& ctx, TimeMs now, int limit,
                                           int64_t lease_ms) {
  auto due = FindDue(ctx.db, now, limit);
  if (!due.ok()) return due.status();
  std::vector<DueLink> leased;
  if (due->empty()) return leased;
  auto first_id = TakeLeaseIds(ctx.db, static_cast<int64_t>(due->size()));
  if (!first_id.ok()) return first_id.status();
  leased.reserve(due->size());
  int64_t lease_id = *first_id;
  for (Candidate& c : *due) {
    c.link.lease_id = lease_id++;
    // Borrowed per row: a Stmt is reset only when it goes out of scope.
    auto stmt = ctx.db.Prepare("UPDATE link SET lease_until = ?1, lease_id = ?2 WHERE id = ?3");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, now + lease_ms).Bind(2, c.link.lease_id).Bind(3, c.link.id);
    if (auto st = stmt->Run(); !st.ok()) return st;
    leased.push_back(std::move(c.link));
  }
  return leased;
}

Result<int64_t> ReleaseLeases(WriteContext& ctx) {
  auto stmt = ctx.db.Prepare(
      "UPDATE link SET lease_until = NULL, lease_id = NULL, "
      "next_check_at = CASE WHEN next_check_at < ?1 THEN next_check_at ELSE ?1 END "
      "WHERE lease_until IS NOT NULL");
  if (!stmt.ok()) return stmt.status();
  if (auto st = stmt->Bind(1, ctx.clock.Now()).Run(); !st.ok()) return st;
  return int64_t{ctx.db.Changes()};
}

Result<int64_t> PostponeLeases(WriteContext& ctx, const std::vector<Store::Postponed>& links) {
  int64_t changed = 0;
  for (const Store::Postponed& p : links) {
    auto stmt = ctx.db.Prepare(
        "UPDATE link SET lease_until = NULL, lease_id = NULL, next_check_at = ?3 "
        "WHERE id = ?1 AND lease_id = ?2");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, p.link_id).Bind(2, p.lease_id).Bind(3, p.next_check_at);
    if (auto st = stmt->Run(); !st.ok()) return st;
    changed += ctx.db.Changes();
  }
  return changed;
}

Result<std::vector<bool>> ApplyOutcomes(WriteContext& ctx,
                                        const std::vector<CheckOutcome>& outcomes) {
  std::vector<bool> applied;
  applied.reserve(outcomes.size());
  for (const CheckOutcome& o : outcomes) {
    auto r = ApplyOutcome(ctx, o);
    if (!r.ok()) return r.status();
    applied.push_back(*r);
  }
  return applied;
}

Result<int64_t> RescanLinks(WriteContext& ctx, const Actor& actor, const RescanTarget& target) {
  if (target.link_id) {
    if (auto st = CheckLinkExists(ctx.db, *target.link_id); !st.ok()) return st;
    auto state = ctx.db.Prepare("SELECT 1 FROM link WHERE id = ?1 AND review_state = 'rejected'");
    if (!state.ok()) return state.status();
    auto rejected = state->Bind(1, *target.link_id).Step();
    if (!rejected.ok()) return rejected.status();
    if (*rejected) {
      return Status::InvalidArgument("link " + std::to_string(*target.link_id) +
                                     " was rejected in review: a rejected finding is never checked again");
    }
  }
  RescanSql sql = DescribeRescan(target);
  // An overdue link keeps its earlier time, and so its place in the queue; a
  // rejected finding is never checked again.
  auto stmt = ctx.db.Prepare(
      "UPDATE link SET next_check_at = CASE WHEN next_check_at < :now THEN next_check_at "
      "ELSE :now END WHERE lease_until IS NULL AND review_state <> 'rejected' AND " + sql.where);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(":now", ctx.clock.Now());
  BindRescan(*stmt, target);
  if (auto st = stmt->Run(); !st.ok()) return st;
  const int64_t queued = ctx.db.Changes();
  sql.detail["queued"] = queued;
  auto audit = AppendAuditRow(ctx, actor, "link.rescan", sql.target, JsonText(sql.detail));
  if (!audit.ok()) return audit.status();
  return queued;
}

}  // namespace linkwatch::storage
