// Handlers for rule sets and evidence: list, reload, test a page; snapshots.
#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "linkwatch/base/base64.h"
#include "linkwatch/crawler/page.h"
#include "linkwatch/matcher/match_json.h"

namespace linkwatch::daemon::api {
namespace {

json RuleJson(const matcher::Rule& r) {
  return {{"id", r.id},
          {"category", r.category},
          {"severity", r.severity},
          {"description", r.description},
          {"legal_basis", r.legal_basis},
          {"patterns", r.patterns.size()},
          {"min_hits", r.min_hits},
          {"exclude", r.exclude.size()},
          {"file", r.file},
          {"line", r.line}};
}

json LoadErrorJson(const matcher::LoadError& e) {
  return {{"file", e.file},
          {"line", e.line},
          {"rule_id", e.rule_id.empty() ? json(nullptr) : json(e.rule_id)},
          {"message", e.message},
          {"text", e.ToString()}};
}

ApiResponse NoRules() {
  return Error(503, "unavailable", "this daemon runs without a rule source");
}

json PageJson(const crawler::Page& p) {
  return {{"title", p.title},
          {"charset", p.charset},
          {"charset_source", p.charset_source},
          {"repaired", p.repaired},
          {"html", p.html},
          {"text_bytes", p.text.size()},
          {"outlinks", p.outlinks.size()},
          {"canonical_url", p.canonical_url.empty() ? json(nullptr) : json(p.canonical_url)}};
}

// The verdict of the rules in force on one body.
json Verdict(const matcher::RuleSet& rules, std::string_view body, std::string_view content_type,
             std::string_view url) {
  const crawler::Page page = crawler::ExtractPage(body, content_type, url);
  const matcher::MatchResult result = rules.Match(page.MatchText(), body);
  return {{"flagged", result.flagged},
          {"matches", json::parse(matcher::MatchesJson(result))},
          {"rules_version", rules.version()},
          {"page", PageJson(page)}};
}

void TestFetched(const Context& ctx, const crawler::FetchResult& r, const Done& done) {
  json fetch = {{"url", r.url},
                {"final_url", r.final_url},
                {"http_status", r.http_status > 0 ? json(r.http_status) : json(nullptr)},
                {"error", r.error == crawler::FetchError::kNone
                              ? json(nullptr)
                              : json(std::string(crawler::FetchErrorName(r.error)) + ": " + r.error_text)}};
  if (r.error != crawler::FetchError::kNone || r.http_status < 200 || r.http_status >= 300) {
    return done(Json(200, {{"flagged", false},
                           {"matches", json::array()},
                           {"rules_version", ctx.options.hooks.rules->Current()->version()},
                           {"page", nullptr},
                           {"fetch", fetch}}));
  }
  json out = Verdict(*ctx.options.hooks.rules->Current(), r.body, r.Header("content-type"),
                     r.final_url.empty() ? r.url : r.final_url);
  out["fetch"] = fetch;
  done(Json(200, out));
}

bool IsSha256Hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

json EvidenceJson(const storage::EvidenceInfo& e) {
  return {{"id", e.id},
          {"check_id", e.check_id},
          {"sha256", e.sha256},
          {"bytes", e.body_bytes},
          {"stored_bytes", e.stored_bytes},
          {"fetched_at", FormatIso8601(e.fetched_at)},
          {"final_url", e.final_url},
          {"http_status", e.http_status ? json(*e.http_status) : json(nullptr)},
          {"headers", JsonArrayOrEmpty(e.headers)},
          {"matches", JsonArrayOrEmpty(e.matches)},
          {"rules_version", e.rules_version}};
}

}  // namespace

void ListRules(const Context& ctx, const Call&, Done done) {
  if (ctx.options.hooks.rules == nullptr) return done(NoRules());
  const auto set = ctx.options.hooks.rules->Current();
  json rules = json::array();
  for (const auto& r : set->rules()) rules.push_back(RuleJson(r));
  const TimeMs loaded = ctx.options.hooks.rules->loaded_at();
  done(Json(200, {{"version", set->version()},
                  {"loaded_at", loaded > 0 ? json(FormatIso8601(loaded)) : json(nullptr)},
                  {"paths", ctx.options.hooks.rules->paths()},
                  {"rules", rules},
                  {"hash_entries", set->hash_entries().size()},
                  {"set_fallbacks", set->set_fallbacks()}}));
}

void ReloadRules(const Context& ctx, const Call& call, Done done) {
  if (ctx.options.hooks.rules == nullptr) return done(NoRules());
  // A refused reload is on the record too: someone tried to change the rules.
  const ReloadOutcome r =
      ReloadAndAudit(*ctx.options.hooks.rules, ctx.store, call.actor,
                     "by agency " + call.actor.agency + " (token " + std::to_string(call.actor.token_id) + ")");
  const auto& loaded = r.loaded;
  const std::string& previous = r.previous;
  if (!loaded.ok() && loaded.status().code() == Status::Code::kUnavailable) {
    return done(FromStatus(loaded.status()));  // another reload is running: nothing was tried
  }
  if (!r.audited.ok()) return done(FromStatus(r.audited));
  if (!loaded.ok()) {
    json list = json::array();
    for (const auto& e : r.errors) list.push_back(LoadErrorJson(e));
    if (list.empty()) list.push_back({{"text", loaded.status().message()}});
    return done(Json(422, {{"error",
                            {{"code", "invalid_argument"},
                             {"message", "the rule set was refused; the running set (" + previous +
                                             ") stays in force"}}},
                           {"errors", list}}));
  }
  done(Json(200, {{"version", (*loaded)->version()},
                  {"previous_version", previous},
                  {"rules", (*loaded)->rules().size()},
                  {"hash_entries", (*loaded)->hash_entries().size()}}));
}

void TestRules(const Context& ctx, const Call& call, Done done) {
  if (ctx.options.hooks.rules == nullptr) return done(NoRules());
  auto parsed = ParseObject(call.body);
  if (auto* err = std::get_if<ApiResponse>(&parsed)) return done(*err);
  const json& body = std::get<json>(parsed);
  if (auto unknown = NotKnown(body, {"url", "html", "body_base64", "content_type"})) return done(*unknown);
  if (auto wrong = NotAString(body, {"url", "html", "body_base64", "content_type"})) return done(*wrong);
  if (body.contains("html") && body.contains("body_base64")) {
    return done(Error(400, "invalid_argument", "give the page as html or as body_base64, not both", "body_base64"));
  }
  const auto url = StringField(body, "url");
  std::optional<std::string> page = StringField(body, "html");
  if (const auto encoded = StringField(body, "body_base64")) {
    // A page in a legacy charset is not JSON text: it comes as base64.
    auto decoded = Base64Decode(*encoded);
    if (!decoded.ok()) return done(FromStatus(decoded.status(), "body_base64"));
    page = std::move(*decoded);
  }
  if (page) {
    return done(Json(200, Verdict(*ctx.options.hooks.rules->Current(), *page,
                                  StringField(body, "content_type").value_or("text/html"),
                                  url.value_or("http://localhost/"))));
  }
  if (!url) return done(Error(400, "invalid_argument", "name a url or give html", "url"));
  auto canon = crawler::Canonicalize(*url, {}, ctx.options.canon);
  if (!canon.ok()) return done(FromStatus(canon.status(), "url"));
  if (!ctx.options.hooks.fetch) return done(Error(503, "unavailable", "this daemon does not fetch"));
  ctx.options.hooks.fetch(crawler::FetchRequest{canon->href, {}, {}},
                          [&ctx, done](crawler::FetchResult r) {
                            // Extraction and matching belong on a worker, not the fetcher's thread.
                            ctx.run([&ctx, done, r = std::move(r)] { TestFetched(ctx, r, done); });
                          });
}

void ListEvidence(const Context& ctx, const Call& call, Done done) {
  const auto id = ParseId(call.params.at(0));
  if (!id) return done(Error(404, "not_found", "no link " + call.params.at(0)));
  auto link = ctx.store.GetLink(*id);
  if (!link.ok()) return done(FromStatus(link.status()));
  auto snapshots = ctx.store.ListEvidence(*id);
  if (!snapshots.ok()) return done(FromStatus(snapshots.status()));
  json list = json::array();
  for (const auto& e : *snapshots) list.push_back(EvidenceJson(e));
  json bases = json::array();
  for (const auto& r : link->reports) {
    bases.push_back({{"agency", r.agency}, {"basis", r.legal_basis}, {"reported_at", FormatIso8601(r.reported_at)}});
  }
  done(Json(200, {{"link_id", link->id},
                  {"canonical_url", link->canonical_url},
                  {"status", link->status},
                  {"flagged", link->flagged},
                  {"reports", bases},
                  {"evidence", list}}));
}

void EvidenceBody(const Context& ctx, const Call& call, Done done) {
  const std::string& sha = call.params.at(0);
  if (!IsSha256Hex(sha)) {
    return done(Error(400, "invalid_argument", "an evidence id is 64 lower-case hex digits", "sha256"));
  }
  auto body = ctx.store.EvidenceBody(sha);
  if (!body.ok()) return done(FromStatus(body.status()));
  done(ApiResponse{200, std::move(*body), "application/octet-stream"});
}

}  // namespace linkwatch::daemon::api
