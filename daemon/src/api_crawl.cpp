// Handlers for the check loop: rescans, a link's check history, the queue.
#include "api_internal.h"

namespace linkwatch::daemon::api {
namespace {

// The link a rescan body names by "link_id" or "url"; nullopt with *error set otherwise.
std::optional<int64_t> LinkFromBody(const Context& ctx, const json& body, ApiResponse* error) {
  if (body.contains("link_id")) {
    const json& id = body["link_id"];
    const bool too_big = id.is_number_unsigned() && id.get<uint64_t>() > uint64_t{INT64_MAX};
    if (!id.is_number_integer() || too_big) {
      *error = Error(400, "invalid_argument", "link_id must be an integer", "link_id");
      return std::nullopt;
    }
    return body["link_id"].get<int64_t>();
  }
  auto canon = crawler::Canonicalize(StringField(body, "url").value_or(""), {}, ctx.options.canon);
  if (!canon.ok()) {
    *error = FromStatus(canon.status(), "url");
    return std::nullopt;
  }
  auto link = ctx.store.GetLinkByUrl(canon->key);
  if (!link.ok()) {
    *error = link.status().code() == Status::Code::kNotFound
                 ? Error(404, "not_found", "no link registered for " + canon->href)
                 : FromStatus(link.status());
    return std::nullopt;
  }
  return link->id;
}

json CheckJson(const storage::CheckRow& c) {
  json chain = json::parse(c.redirect_chain.empty() ? "[]" : c.redirect_chain, nullptr, false);
  return {{"id", c.id},
          {"checked_at", FormatIso8601(c.checked_at)},
          {"http_status", c.http_status ? json(*c.http_status) : json(nullptr)},
          {"status", c.status},
          {"final_url", c.final_url.empty() ? json(nullptr) : json(c.final_url)},
          {"redirects", chain.is_discarded() ? json::array() : chain},
          {"elapsed_ms", c.elapsed_ms},
          {"bytes", c.bytes},
          {"truncated", c.truncated},
          {"not_modified", c.not_modified},
          {"error", c.error.empty() ? json(nullptr) : json(c.error)},
          {"flagged", c.flagged ? json(*c.flagged) : json(nullptr)},
          {"matched_rules", JsonArrayOrEmpty(c.matched_rules)},
          {"rules_version", c.rules_version.empty() ? json(nullptr) : json(c.rules_version)},
          {"reason", c.reason.empty() ? json(nullptr) : json(c.reason)}};
}

}  // namespace

void Rescan(const Context& ctx, const Call& call, Done done) {
  auto parsed = ParseObject(call.body);
  if (auto* err = std::get_if<ApiResponse>(&parsed)) return done(*err);
  const json& body = std::get<json>(parsed);
  if (auto unknown = NotKnown(body, {"link_id", "url", "status", "all"})) return done(*unknown);
  if (auto wrong = NotAString(body, {"url", "status"})) return done(*wrong);
  if (body.contains("all") && !body["all"].is_boolean()) {
    return done(Error(400, "invalid_argument", "all must be true or false", "all"));
  }
  // One target: {"link_id": 1, "all": true} must not rescan everything.
  std::vector<std::string> named;
  for (const char* key : {"link_id", "url", "status"}) {
    if (body.contains(key) && !body[key].is_null()) named.push_back(key);
  }
  if (body.value("all", false)) named.push_back("all");
  if (named.size() > 1) {
    return done(Error(400, "invalid_argument",
                      "name one of link_id, url, status or all, not " + named[0] + " and " + named[1], named[1]));
  }
  storage::RescanTarget target;
  if (body.value("all", false)) {
    target.all = true;
  } else if (const auto status = StringField(body, "status")) {
    if (!KnownStatus(*status)) {
      return done(Error(400, "invalid_argument",
                        "status must be pending, alive, removed, blocked or unreachable", "status"));
    }
    target.status = *status;
  } else if (body.contains("link_id") || body.contains("url")) {
    ApiResponse error;
    target.link_id = LinkFromBody(ctx, body, &error);
    if (!target.link_id) return done(error);
  } else {
    return done(Error(400, "invalid_argument", "name link_id, url, status or \"all\": true", ""));
  }
  auto n = ctx.store.Rescan(call.actor, target);
  if (!n.ok()) return done(FromStatus(n.status()));
  if (ctx.options.hooks.wake_scheduler) ctx.options.hooks.wake_scheduler();
  done(Json(200, {{"queued", *n}}));
}

void History(const Context& ctx, const Call& call, Done done) {
  const auto id = ParseId(call.params.at(0));
  if (!id) return done(Error(404, "not_found", "no link " + call.params.at(0)));
  auto link = ctx.store.GetLink(*id);
  if (!link.ok()) return done(FromStatus(link.status()));
  int limit = kDefaultHistoryLimit;
  if (const auto it = call.query.find("limit"); it != call.query.end()) {
    const auto v = ParseId(it->second);
    if (!v || *v > kMaxListLimit) {
      return done(Error(400, "invalid_argument",
                        "limit must be a number from 1 to " + std::to_string(kMaxListLimit), "limit"));
    }
    limit = static_cast<int>(*v);
  }
  int64_t before = 0;
  if (const auto it = call.query.find("before"); it != call.query.end()) {
    const auto v = ParseId(it->second);
    if (!v) return done(Error(400, "invalid_argument", "before must be a check id", "before"));
    before = *v;
  }
  auto rows = ctx.store.History(*id, limit, before);
  if (!rows.ok()) return done(FromStatus(rows.status()));
  json checks = json::array();
  for (const auto& row : *rows) checks.push_back(CheckJson(row));
  // A full page may have older checks behind it (the next page may be empty).
  const bool full = !rows->empty() && rows->size() == static_cast<size_t>(limit);
  done(Json(200, {{"link_id", *id},
                  {"url", link->canonical_url},
                  {"checks", checks},
                  {"next_before", full ? json(rows->back().id) : json(nullptr)}}));
}

void CrawlStatus(const Context& ctx, const Call&, Done done) {
  auto q = ctx.store.Queue(SystemClock::Instance().Now());
  if (!q.ok()) return done(FromStatus(q.status()));
  json out = {{"links", q->links},
              {"due_now", q->due_now},
              {"leased", q->leased},
              {"by_status", q->by_status},
              {"next_due", TimeOrNull(q->next_due)},
              {"checks_last_hour", q->checks_last_hour}};
  if (ctx.options.hooks.crawl_stats) {
    const CrawlStats s = ctx.options.hooks.crawl_stats();
    out["crawler"] = {{"in_flight", s.in_flight},
                      {"fetch_running", s.fetch_running},
                      {"fetch_queued", s.fetch_queued},
                      {"checks_recorded", s.checks_recorded},
                      {"leases_lost", s.leases_lost},
                      {"checks_per_minute", s.checks_per_minute},
                      {"links_postponed", s.links_postponed},
                      {"pages_matched", s.pages_matched},
                      {"pages_carried_over", s.pages_carried_over},
                      {"pages_flagged", s.pages_flagged},
                      {"candidates_offered", s.candidates_offered},
                      {"candidates_fetched", s.candidates_fetched},
                      {"discovered", s.discovered}};
  } else {
    out["crawler"] = nullptr;
  }
  done(Json(200, out));
}

}  // namespace linkwatch::daemon::api
