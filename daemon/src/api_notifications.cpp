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

}  // namespace linkwatch::daemon::api
