// GET /v1/notifications: the webhook queue, e.g. deliveries that failed for good.
#include "api_internal.h"

namespace linkwatch::daemon::api {

void ListNotifications(const Context& ctx, const Call& call, Done done) {
  std::string state = "failed";
  if (const auto it = call.query.find("state"); it != call.query.end() && !it->second.empty()) {
    state = it->second;
  }
  int limit = 100;
  if (auto bad = ParseLimit(call, &limit)) return done(*bad);
  auto rows = ctx.store.ListNotifications(state, limit);
  if (!rows.ok()) return done(FromStatus(rows.status(), "state"));
  json out = json::array();
  for (const auto& n : *rows) {
    json payload = json::parse(n.payload, nullptr, false);
    out.push_back({{"id", n.id},
                   {"event", n.event},
                   {"link_id", n.link_id ? json(*n.link_id) : json(nullptr)},
                   {"webhook", n.webhook},
                   {"state", n.state},
                   {"attempts", n.attempts},
                   {"created_at", FormatIso8601(n.created_at)},
                   {"next_at", TimeOrNull(n.next_at)},
                   {"finished_at", TimeOrNull(n.finished_at)},
                   {"last_error", n.last_error.empty() ? json(nullptr) : json(n.last_error)},
                   {"payload", payload.is_discarded() ? json(nullptr) : payload}});
  }
  done(Json(200, {{"notifications", out}}));
}

// {"id": N} sends one failed notification again, {"failed": true} every one.
void RetryNotifications(const Context& ctx, const Call& call, Done done) {
  auto parsed = ParseObject(call.body);
  if (auto* err = std::get_if<ApiResponse>(&parsed)) return done(*err);
  const json& body = std::get<json>(parsed);
  if (auto unknown = NotKnown(body, {"id", "failed"})) return done(*unknown);
  const bool has_id = body.contains("id") && !body["id"].is_null();
  if (body.contains("failed") && !body["failed"].is_boolean()) {
    return done(Error(400, "invalid_argument", "failed must be true or false", "failed"));
  }
  const bool all = body.value("failed", false);
  if (has_id == all) {
    return done(Error(400, "invalid_argument", "name one of id or \"failed\": true", has_id ? "failed" : "id"));
  }
  std::optional<int64_t> id;
  if (has_id) {
    if (!body["id"].is_number_integer() || body["id"].get<int64_t>() <= 0) {
      return done(Error(400, "invalid_argument", "id must be a whole number from 1", "id"));
    }
    id = body["id"].get<int64_t>();
  }
  auto n = ctx.store.RetryNotifications(call.actor, id);
  if (!n.ok()) return done(FromStatus(n.status(), "id"));
  done(Json(200, {{"queued", *n}}));
}

}  // namespace linkwatch::daemon::api
