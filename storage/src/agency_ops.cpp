#include "json_text.h"
#include "ops.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

const std::string kTokenColumns =
    "SELECT t.id, t.agency_id, a.name, t.role, t.label, t.created_at, t.revoked_at IS NOT NULL "
    "FROM token t JOIN agency a ON a.id = t.agency_id ";

Agency ReadAgency(const Stmt& s) { return Agency{s.Int(0), s.Text(1), s.Int(2)}; }

TokenInfo ReadToken(const Stmt& s) {
  TokenInfo t;
  t.id = s.Int(0);
  t.agency_id = s.Int(1);
  t.agency = s.Text(2);
  // The schema's CHECK allows only known roles; fall back to the weakest.
  t.role = ParseRole(s.Text(3)).value_or(Role::kOperator);
  t.label = s.Text(4);
  t.created_at = s.Int(5);
  t.revoked = s.Int(6) != 0;
  return t;
}

template <typename T, typename Reader>
Result<std::vector<T>> ReadAll(Stmt& stmt, Reader read) {
  std::vector<T> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(read(stmt));
  }
}

Status AuditToken(WriteContext& ctx, const Actor& actor, const TokenInfo& t) {
  const nlohmann::json detail = {
      {"agency", t.agency}, {"role", RoleName(t.role)}, {"label", t.label}};
  return AppendAuditRow(ctx, actor, "token.create", "token:" + std::to_string(t.id),
                        JsonText(detail))
      .status();
}

}  // namespace

Result<Agency> InsertAgency(WriteContext& ctx, const Actor& actor, const std::string& name) {
  // "ops one" beside "Ops One" would read as one agency in every report.
  auto same = ctx.db.Prepare("SELECT name FROM agency WHERE lower(name) = lower(?1) AND name <> ?1");
  if (!same.ok()) return same.status();
  auto row = same->Bind(1, name).Step();
  if (!row.ok()) return row.status();
  if (*row) {
    return Status::AlreadyExists("agency \"" + same->Text(0) + "\" already exists (the names differ only in case)");
  }
  auto stmt = ctx.db.Prepare("INSERT INTO agency (name, created_at) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  const Agency agency{0, name, ctx.clock.Now()};
  const Status st = stmt->Bind(1, name).Bind(2, agency.created_at).Run();
  if (st.code() == Status::Code::kAlreadyExists) {
    return Status::AlreadyExists("agency \"" + name + "\" already exists");
  }
  if (!st.ok()) return st;
  Agency created = agency;
  created.id = ctx.db.LastInsertId();
  auto audit = AppendAuditRow(ctx, actor, "agency.create",
                              "agency:" + std::to_string(created.id),
                              JsonText({{"name", name}}));
  if (!audit.ok()) return audit.status();
  return created;
}

Result<std::vector<Agency>> QueryAgencies(Db& db) {
  auto stmt = db.Prepare("SELECT id, name, created_at FROM agency ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  return ReadAll<Agency>(*stmt, ReadAgency);
}

Result<Agency> QueryAgency(Db& db, std::string_view name) {
  auto stmt = db.Prepare("SELECT id, name, created_at FROM agency WHERE name = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, name);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no agency named \"" + std::string(name) + "\"");
  return ReadAgency(*stmt);
}

Result<TokenInfo> InsertToken(WriteContext& ctx, const Actor& actor, const std::string& agency,
                              Role role, const std::string& label, const std::string& hash) {
  auto owner = QueryAgency(ctx.db, agency);
  if (!owner.ok()) return owner.status();
  auto stmt = ctx.db.Prepare(
      "INSERT INTO token (agency_id, role, token_hash, label, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return stmt.status();
  TokenInfo t{0, owner->id, owner->name, role, label, ctx.clock.Now(), false};
  stmt->Bind(1, t.agency_id).Bind(2, RoleName(role)).Bind(3, hash).Bind(4, label);
  const Status st = stmt->Bind(5, t.created_at).Run();
  if (st.code() == Status::Code::kAlreadyExists) {
    return Status::AlreadyExists("a token with this hash already exists");
  }
  if (!st.ok()) return st;
  t.id = ctx.db.LastInsertId();
  if (auto audited = AuditToken(ctx, actor, t); !audited.ok()) return audited;
  return t;
}

Result<bool> RevokeTokenRow(WriteContext& ctx, const Actor& actor, int64_t token_id) {
  auto stmt = ctx.db.Prepare(
      "UPDATE token SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
  if (!stmt.ok()) return stmt.status();
  if (auto st = stmt->Bind(1, token_id).Bind(2, ctx.clock.Now()).Run(); !st.ok()) return st;
  if (ctx.db.Changes() == 0) {
    auto exists = ctx.db.Prepare("SELECT 1 FROM token WHERE id = ?1");
    if (!exists.ok()) return exists.status();
    auto row = exists->Bind(1, token_id).Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no token with id " + std::to_string(token_id));
    return false;  // already revoked: nothing changed, nothing to log
  }
  // Nobody could create an admin token again: refused, and the UPDATE rolls back with the rest.
  auto role = ctx.db.Prepare("SELECT role = 'admin' FROM token WHERE id = ?1");
  if (!role.ok()) return role.status();
  auto row = role->Bind(1, token_id).Step();
  if (!row.ok()) return row.status();
  const bool was_admin = *row && role->Int(0) == 1;
  auto admins = ctx.db.QueryInt("SELECT count(*) FROM token WHERE role = 'admin' AND revoked_at IS NULL");
  if (!admins.ok()) return admins.status();
  if (was_admin && *admins == 0) {
    return Status::InvalidArgument("token #" + std::to_string(token_id) +
                                   " is the last admin token and stays: create another admin "
                                   "token first (token create --role admin)");
  }
  auto audit = AppendAuditRow(ctx, actor, "token.revoke", "token:" + std::to_string(token_id),
                              "{}");
  if (!audit.ok()) return audit.status();
  return true;
}

Result<std::vector<TokenInfo>> QueryTokens(Db& db) {
  auto stmt = db.Prepare(kTokenColumns + "ORDER BY t.id");
  if (!stmt.ok()) return stmt.status();
  return ReadAll<TokenInfo>(*stmt, ReadToken);
}

Result<TokenInfo> QueryLiveToken(Db& db, const std::string& hash) {
  auto stmt = db.Prepare(kTokenColumns + "WHERE t.token_hash = ?1 AND t.revoked_at IS NULL");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, hash).Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Unauthenticated("unknown or revoked token");
  return ReadToken(*stmt);
}

Result<int64_t> QueryTokenCount(Db& db) { return db.QueryInt("SELECT count(*) FROM token"); }

}  // namespace linkwatch::storage
