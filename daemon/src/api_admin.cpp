// Handlers for who-am-I, agencies, tokens and the audit log.
#include "api_internal.h"
#include "linkwatch/storage/bootstrap.h"

namespace linkwatch::daemon::api {

void Whoami(const Context&, const Call& call, Done done) {
  done(Json(200, {{"token_id", call.actor.token_id},
                  {"agency", call.actor.agency},
                  {"role", storage::RoleName(call.actor.role)}}));
}

void Categories(const Context& ctx, const Call&, Done done) {
  done(Json(200, {{"categories", ctx.options.categories}}));
}

void ListAgencies(const Context& ctx, const Call&, Done done) {
  auto agencies = ctx.store.ListAgencies();
  if (!agencies.ok()) return done(FromStatus(agencies.status()));
  json list = json::array();
  for (const auto& a : *agencies) list.push_back(AgencyJson(a));
  done(Json(200, {{"agencies", list}}));
}

void CreateAgency(const Context& ctx, const Call& call, Done done) {
  auto body = ParseObject(call.body);
  if (auto* err = std::get_if<ApiResponse>(&body)) return done(*err);
  if (auto unknown = NotKnown(std::get<json>(body), {"name"})) return done(*unknown);
  const auto name = StringField(std::get<json>(body), "name");
  if (!name) return done(Error(400, "invalid_argument", "name must be a string", "name"));
  auto agency = ctx.store.CreateAgency(call.actor, *name);
  if (!agency.ok()) return done(FromStatus(agency.status(), "name"));
  done(Json(201, AgencyJson(*agency)));
}

void ListTokens(const Context& ctx, const Call&, Done done) {
  auto tokens = ctx.store.ListTokens();
  if (!tokens.ok()) return done(FromStatus(tokens.status()));
  json list = json::array();
  for (const auto& t : *tokens) list.push_back(TokenJson(t));
  done(Json(200, {{"tokens", list}}));
}

void CreateToken(const Context& ctx, const Call& call, Done done) {
  auto body = ParseObject(call.body);
  if (auto* err = std::get_if<ApiResponse>(&body)) return done(*err);
  const json& obj = std::get<json>(body);
  if (auto unknown = NotKnown(obj, {"agency", "role", "label"})) return done(*unknown);
  if (auto wrong = NotAString(obj, {"agency", "role", "label"})) return done(*wrong);
  const auto agency = StringField(obj, "agency");
  if (!agency) return done(Error(400, "invalid_argument", "agency must be a string", "agency"));
  const auto role_name = StringField(obj, "role");
  const auto role = storage::ParseRole(role_name.value_or(""));
  if (!role) {
    return done(Error(400, "invalid_argument", "role must be operator, reviewer or admin", "role"));
  }
  const std::string label = StringField(obj, "label").value_or("");
  const std::string secret = storage::NewTokenSecret();
  auto token =
      ctx.store.CreateToken(call.actor, *agency, *role, label, storage::TokenHash(secret));
  if (!token.ok()) {
    const bool label_refused = token.status().message().rfind("token label", 0) == 0;
    return done(FromStatus(token.status(), label_refused ? "label" : "agency"));
  }
  json out = TokenJson(*token);
  out["token"] = secret;
  done(Json(201, out));
}

void RevokeToken(const Context& ctx, const Call& call, Done done) {
  const auto id = ParseId(call.params.at(0));
  if (!id) return done(Error(404, "not_found", "no token " + call.params.at(0)));
  if (auto st = ctx.store.RevokeToken(call.actor, *id); !st.ok()) return done(FromStatus(st));
  done(Json(200, {{"id", *id}, {"revoked", true}}));
}

void VerifyAudit(const Context& ctx, const Call& call, Done done) {
  std::optional<storage::AuditHead> expect;
  if (const auto it = call.query.find("head"); it != call.query.end()) {
    auto head = storage::ParseAuditHead(it->second);
    if (!head.ok()) return done(FromStatus(head.status(), "head"));
    expect = std::move(*head);
  }
  auto verdict = ctx.store.VerifyAudit(expect);
  if (!verdict.ok()) return done(FromStatus(verdict.status()));
  const json detail = {{"ok", verdict->ok}, {"rows_checked", verdict->rows_checked}};
  // Who checked the chain, and what they saw, is itself on the record.
  if (auto st = ctx.store.AppendAudit(call.actor, "audit.verify", "audit", detail.dump()); !st.ok()) {
    return done(FromStatus(st));
  }
  done(Json(200, {{"ok", verdict->ok},
                  {"rows_checked", verdict->rows_checked},
                  {"first_broken_id",
                   verdict->ok ? json(nullptr) : json(verdict->first_broken_id)},
                  {"reason", verdict->ok ? json(nullptr) : json(verdict->reason)},
                  {"head", verdict->head_id == 0 ? json(nullptr)
                                                 : json{{"id", verdict->head_id}, {"hash", verdict->head_hash}}}}));
}

}  // namespace linkwatch::daemon::api
