#include "audit_chain.h"
#include "ops.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

const std::string kInsertAudit =
    "INSERT INTO audit (id, at, token_id, agency, action, target, detail, prev_hash, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

const std::string kAuditColumns =
    "SELECT id, at, token_id, agency, action, target, detail, prev_hash, hash FROM audit ";

AuditEntry ReadEntry(const Stmt& s) {
  AuditEntry e;
  e.id = s.Int(0);
  e.at = s.Int(1);
  e.token_id = s.Int(2);
  e.agency = s.Text(3);
  e.action = s.Text(4);
  e.target = s.Text(5);
  e.detail = s.Text(6);
  e.prev_hash = s.Text(7);
  e.hash = s.Text(8);
  return e;
}

}  // namespace

Result<int64_t> AppendAuditRow(WriteContext& ctx, const Actor& actor, std::string_view action,
                               std::string_view target, std::string_view detail_json) {
  AuditEntry e;
  e.id = ctx.chain.last_id + 1;
  e.at = ctx.clock.Now();
  e.token_id = actor.token_id;
  e.agency = actor.agency;
  e.action = action;
  e.target = target;
  e.detail = detail_json;
  e.prev_hash = ctx.chain.last_hash;
  e.hash = AuditHash(e);

  auto stmt = ctx.db.Prepare(kInsertAudit);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, e.id).Bind(2, e.at).Bind(3, e.token_id).Bind(4, e.agency).Bind(5, e.action);
  stmt->Bind(6, e.target).Bind(7, e.detail).Bind(8, e.prev_hash).Bind(9, e.hash);
  if (auto st = stmt->Run(); !st.ok()) return st;
  ctx.chain.last_id = e.id;
  ctx.chain.last_hash = std::move(e.hash);
  return ctx.chain.last_id;
}

Result<std::vector<AuditEntry>> QueryAudit(Db& db, int64_t after_id, int limit) {
  auto stmt = db.Prepare(kAuditColumns + "WHERE id > ?1 ORDER BY id LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, after_id).Bind(2, int64_t{limit});
  std::vector<AuditEntry> entries;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return entries;
    entries.push_back(ReadEntry(*stmt));
  }
}

Result<AuditVerdict> WalkAudit(Db& db, const std::optional<AuditHead>& expect) {
  // One statement is one read snapshot: concurrent appends do not disturb the walk.
  auto stmt = db.Prepare(kAuditColumns + "ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  AuditVerifier verifier(expect);
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return verifier.Finish();
    if (!verifier.Feed(ReadEntry(*stmt))) return verifier.verdict();
  }
}

}  // namespace linkwatch::storage
