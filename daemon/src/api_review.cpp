// Handlers for reach and spread: a link's content cluster, the review queue.
#include "api_internal.h"

namespace linkwatch::daemon::api {
namespace {

json MemberJson(const storage::ClusterMember& m) {
  return {{"id", m.link_id},
          {"canonical_url", m.canonical_url},
          {"status", m.status},
          {"origin", m.origin},
          {"review_state", m.review_state},
          {"views", m.views ? json(*m.views) : json(nullptr)},
          {"flagged", m.flagged}};
}

// A positive link id from the path, or the 404 to answer.
std::optional<int64_t> PathId(const Call& call, ApiResponse* error) {
  const auto id = ParseId(call.params.at(0));
  if (!id) *error = Error(404, "not_found", "no link " + call.params.at(0));
  return id;
}

void Decide(const Context& ctx, const Call& call, bool accept, Done done) {
  ApiResponse error;
  const auto id = PathId(call, &error);
  if (!id) return done(error);
  auto parsed = ParseObject(call.body);
  if (auto* err = std::get_if<ApiResponse>(&parsed)) return done(*err);
  const json& body = std::get<json>(parsed);
  storage::ReviewDecision d;
  d.link_id = *id;
  d.accept = accept;
  const char* field = accept ? "basis" : "reason";
  if (auto unknown = NotKnown(body, {field})) return done(*unknown);
  if (auto wrong = NotAString(body, {field})) return done(*wrong);
  const std::string text = Trim(StringField(body, field).value_or(""));
  if (text.empty()) {
    return done(Error(400, "invalid_argument",
                      accept ? "accepting needs the legal basis (court decision or order)"
                             : "rejecting needs a reason",
                      field));
  }
  // The same limit as a registration's basis: an accepted finding becomes a report.
  if (accept && Utf8Length(text) > kMaxBasisChars) {
    return done(Error(400, "invalid_argument", "basis is longer than " + std::to_string(kMaxBasisChars) + " characters",
                      field));
  }
  (accept ? d.legal_basis : d.reason) = text;
  auto link = ctx.store.Review(call.actor, d);
  if (!link.ok()) return done(FromStatus(link.status()));
  done(Json(200, LinkJson(*link, true)));
}

}  // namespace

void GetCluster(const Context& ctx, const Call& call, Done done) {
  ApiResponse error;
  const auto id = PathId(call, &error);
  if (!id) return done(error);
  auto cluster = ctx.store.GetCluster(*id);
  if (!cluster.ok()) return done(FromStatus(cluster.status()));
  json members = json::array();
  for (const auto& m : cluster->members) members.push_back(MemberJson(m));
  done(Json(200, {{"cluster_id", cluster->id},
                  {"fingerprint", cluster->fingerprint},
                  {"created_at", FormatIso8601(cluster->created_at)},
                  {"link_id", *id},
                  {"repost_count", cluster->members.empty() ? 0 : cluster->members.size() - 1},
                  {"reach", cluster->reach ? json(*cluster->reach) : json(nullptr)},
                  {"members", members}}));
}

void ListReview(const Context& ctx, const Call& call, Done done) {
  std::string state = "pending";
  if (const auto it = call.query.find("state"); it != call.query.end() && !it->second.empty()) {
    state = it->second;
  }
  int limit = 50;
  if (auto bad = ParseLimit(call, &limit)) return done(*bad);
  int64_t after = 0;
  if (const auto it = call.query.find("after"); it != call.query.end()) {
    const auto v = ParseId(it->second);
    if (!v) return done(Error(400, "invalid_argument", "after must be a link id", "after"));
    after = *v;
  }
  auto page = ctx.store.ListReview(state, limit, after);
  if (!page.ok()) return done(FromStatus(page.status(), "state"));
  json links = json::array();
  for (const auto& l : page->links) links.push_back(LinkJson(l, false));
  done(Json(200, {{"links", links},
                  {"next_after", page->next_after_id ? json(page->next_after_id) : json(nullptr)}}));
}

void ShowReview(const Context& ctx, const Call& call, Done done) {
  ApiResponse error;
  const auto id = PathId(call, &error);
  if (!id) return done(error);
  auto link = ctx.store.GetLink(*id);
  if (!link.ok()) return done(FromStatus(link.status()));
  if (link->origin != "discovered") {
    return done(Error(404, "not_found", "link " + std::to_string(*id) + " was not discovered"));
  }
  done(Json(200, LinkJson(*link, true)));
}

void AcceptReview(const Context& ctx, const Call& call, Done done) { Decide(ctx, call, true, std::move(done)); }

void RejectReview(const Context& ctx, const Call& call, Done done) { Decide(ctx, call, false, std::move(done)); }

}  // namespace linkwatch::daemon::api
