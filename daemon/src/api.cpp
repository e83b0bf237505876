// Routing and authentication. Handlers live in api_links.cpp and api_admin.cpp.
#include "linkwatch/daemon/api.h"

#include <spdlog/spdlog.h>

#include "api_internal.h"
#include "linkwatch/crawler/query.h"
#include "linkwatch/storage/bootstrap.h"

namespace linkwatch::daemon {
namespace {

using api::Call;
using api::Context;
using Handler = void (*)(const Context&, const Call&, Api::Done);
using storage::Role;

struct Route {
  const char* method;
  const char* pattern;  // "{}" matches one path segment, captured into Call::params
  Role role;
  Handler handler;
};

// The whole API surface; docs/API.md documents each row.
constexpr Route kRoutes[] = {
    {"GET", "/v1/whoami", Role::kOperator, api::Whoami},
    {"GET", "/v1/categories", Role::kOperator, api::Categories},
    {"GET", "/v1/agencies", Role::kOperator, api::ListAgencies},
    {"POST", "/v1/agencies", Role::kAdmin, api::CreateAgency},
    {"GET", "/v1/tokens", Role::kAdmin, api::ListTokens},
    {"POST", "/v1/tokens", Role::kAdmin, api::CreateToken},
    {"POST", "/v1/tokens/{}/revoke", Role::kAdmin, api::RevokeToken},
    {"GET", "/v1/audit/verify", Role::kAdmin, api::VerifyAudit},
    {"POST", "/v1/links", Role::kOperator, api::SubmitLink},
    {"POST", "/v1/links/batch", Role::kOperator, api::SubmitBatch},
    {"GET", "/v1/links", Role::kOperator, api::ListLinks},
    {"GET", "/v1/links/lookup", Role::kOperator, api::LookupLink},
    {"GET", "/v1/links/{}", Role::kOperator, api::GetLink},
    {"GET", "/v1/links/{}/history", Role::kOperator, api::History},
    {"POST", "/v1/rescan", Role::kOperator, api::Rescan},
    {"GET", "/v1/status", Role::kOperator, api::CrawlStatus},
    {"GET", "/v1/rules", Role::kOperator, api::ListRules},
    {"POST", "/v1/rules/reload", Role::kAdmin, api::ReloadRules},
    {"POST", "/v1/rules/test", Role::kOperator, api::TestRules},
    {"GET", "/v1/links/{}/evidence", Role::kOperator, api::ListEvidence},
    {"GET", "/v1/evidence/{}", Role::kOperator, api::EvidenceBody},
    {"GET", "/v1/links/{}/cluster", Role::kOperator, api::GetCluster},
    {"GET", "/v1/notifications", Role::kOperator, api::ListNotifications},
    {"POST", "/v1/notifications/retry", Role::kOperator, api::RetryNotifications},
    {"GET", "/v1/review", Role::kOperator, api::ListReview},
    {"GET", "/v1/review/{}", Role::kOperator, api::ShowReview},
    {"POST", "/v1/review/{}/accept", Role::kReviewer, api::AcceptReview},
    {"POST", "/v1/review/{}/reject", Role::kReviewer, api::RejectReview},
    {"GET", "/v1/report", Role::kOperator, api::GetReport},
};

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return out;
}

// True when `path` fits `pattern`; the {} segments are appended to `params`.
bool Matches(std::string_view pattern, std::string_view path, std::vector<std::string>* params) {
  const auto want = Segments(pattern);
  const auto have = Segments(path);
  if (want.size() != have.size()) return false;
  std::vector<std::string> captured;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "{}") {
      captured.emplace_back(have[i]);
    } else if (want[i] != have[i]) {
      return false;
    }
  }
  *params = std::move(captured);
  return true;
}

// A literal route wins over a {} route (so /v1/links/batch is not link "batch").
// `allowed` gathers the methods the path takes ("GET, HEAD, POST").
const Route* FindRoute(std::string_view method, std::string_view path, std::string* allowed,
                       std::vector<std::string>* params) {
  const Route* found = nullptr;
  for (const auto& r : kRoutes) {
    std::vector<std::string> p;
    if (!Matches(r.pattern, path, &p)) continue;
    const std::string m = std::string_view(r.method) == "GET" ? "GET, HEAD" : r.method;
    if (allowed->find(m) == std::string::npos) *allowed += (allowed->empty() ? "" : ", ") + m;
    // HEAD is GET without the body (the HTTP layer drops it).
    if (method != r.method && !(method == "HEAD" && std::string_view(r.method) == "GET")) continue;
    const bool literal = std::string_view(r.pattern).find("{}") == std::string_view::npos;
    if (found == nullptr || literal) {
      found = &r;
      *params = std::move(p);
    }
  }
  return found;
}

std::string BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return {};
    }
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return std::string(token);
}

}  // namespace

struct Api::Impl {
  Context ctx;
  Executor run;

  void Serve(ApiRequest req, Done done) const;
  std::optional<storage::Actor> Authenticate(const std::string& header) const;
};

std::optional<storage::Actor> Api::Impl::Authenticate(const std::string& header) const {
  const std::string secret = BearerToken(header);
  if (secret.empty()) return std::nullopt;
  auto token = ctx.store.Authenticate(storage::TokenHash(secret));
  if (!token.ok()) return std::nullopt;
  return storage::Actor{token->id, token->agency_id, token->agency, token->role};
}

void Api::Impl::Serve(ApiRequest req, Done done) const {
  const size_t q = req.target.find('?');
  const std::string path = req.target.substr(0, q);
  const auto not_allowed = [&](const std::string& allow) {
    ApiResponse r = api::Error(405, "method_not_allowed", req.method + " is not allowed on " + path);
    r.allow = allow;
    return r;
  };
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (path == "/healthz") {
    if (!get) return done(not_allowed("GET, HEAD"));
    return done(api::Json(200, {{"status", "ok"}}));
  }
  // Aggregate counts only (no URLs, no people): Prometheus scrapes without a token.
  if (path == "/metrics") {
    if (!get) return done(not_allowed("GET, HEAD"));
    if (!ctx.options.hooks.metrics) return done(api::Error(503, "unavailable", "metrics are not collected"));
    return done(ApiResponse{200, ctx.options.hooks.metrics(), "text/plain; version=0.0.4"});
  }

  // The token first: without one, no answer tells which endpoints exist.
  auto actor = Authenticate(req.authorization);
  // One message for missing, unknown and revoked tokens: nothing leaks.
  if (!actor) return done(api::Error(401, "unauthenticated", "a valid bearer token is required"));
  Call call;
  std::string allowed;
  const Route* route = FindRoute(req.method, path, &allowed, &call.params);
  if (route == nullptr) {
    if (!allowed.empty()) return done(not_allowed(allowed));
    return done(api::Error(404, "not_found", "no such endpoint: " + path));
  }
  if (!storage::RoleAtLeast(actor->role, route->role)) {
    return done(api::Error(403, "permission_denied",
                           std::string("this needs the ") + storage::RoleName(route->role) + " role"));
  }
  call.actor = std::move(*actor);
  if (q != std::string::npos) {
    for (auto& [k, v] : crawler::ParseQueryString(std::string_view(req.target).substr(q + 1))) {
      call.query[k] = std::move(v);
    }
  }
  call.body = std::move(req.body);
  route->handler(ctx, call, std::move(done));
}

Api::Api(ApiOptions options, storage::Store& store, Executor run)
    : impl_(std::make_unique<Impl>(Impl{Context{std::move(options), store, run}, run})) {}

Api::~Api() = default;

void Api::Handle(ApiRequest request, Done done) {
  impl_->run([impl = impl_.get(), req = std::move(request), done = std::move(done)]() mutable {
    const std::string what = req.method + " " + req.target.substr(0, req.target.find('?'));
    try {
      impl->Serve(std::move(req), done);
    } catch (const std::exception& e) {
      // A handler threw before answering: a bug. The log says what; the client gets no details.
      spdlog::error("{}: the handler failed: {}", what, e.what());
      done(api::Error(500, "internal", "internal error; see the daemon's log"));
    }
  });
}

}  // namespace linkwatch::daemon
