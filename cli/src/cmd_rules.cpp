// rules list | reload | check | test: rule sets, online and offline.
//
// `check` and `test --rules` load rule files here (the matcher library), so a
// rule author can try a file before the daemon ever sees it; the other forms
// ask the daemon about the set in force.
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>

#include "commands.h"
#include "linkwatch/base/base64.h"
#include "exit_codes.h"
#include "format.h"
#include "linkwatch/crawler/fetcher.h"
#include "linkwatch/crawler/page.h"
#include "linkwatch/crawler/url.h"
#include "linkwatch/matcher/match_json.h"
#include "linkwatch/matcher/rule_set.h"

namespace linkwatch::cli {
namespace {

using nlohmann::json;

// Largest local page `rules test` reads (the daemon keeps 5 MiB of a body).
constexpr std::streamsize kMaxTestFileBytes = 64 << 20;

struct LoadFlags {
  std::vector<std::string> rules;       // files or directories
  std::vector<std::string> hashes;      // hash lists
  std::vector<std::string> categories;  // besides extremist and terrorist
};

struct TestOptions {
  LoadFlags load;
  std::string target;        // a local file or an http(s) URL
  std::string content_type;  // of a local file; default from its name
  std::string page_url;      // base of a local file's links
};

void DeclareLoadFlags(CLI::App& command, LoadFlags& f, bool rules_required) {
  auto* rules = command.add_option("--rules,RULES", f.rules, "rule file or directory (repeatable)");
  if (rules_required) rules->required();
  command.add_option("--hashes", f.hashes, "hash list file or directory (repeatable)");
  command.add_option("--category", f.categories,
                     "a category allowed besides extremist and terrorist (repeatable)");
}

Result<std::shared_ptr<const matcher::RuleSet>> LoadLocal(const LoadFlags& f,
                                                          std::vector<matcher::LoadError>* errors) {
  matcher::LoadOptions options;
  options.extra_categories = f.categories;
  options.hash_paths = f.hashes;
  return matcher::RuleSet::Load(f.rules, options, errors);
}

int RunCheck(Context& ctx, const LoadFlags& f) {
  std::vector<matcher::LoadError> errors;
  auto set = LoadLocal(f, &errors);
  if (!set.ok()) {
    for (const auto& e : errors) ctx.io.err << e.ToString() << '\n';
    if (errors.empty()) ctx.io.err << "linkwatch: " << set.status().message() << '\n';
    ctx.io.err << "linkwatch: the rule set is refused";
    if (!errors.empty()) ctx.io.err << " (" << errors.size() << (errors.size() == 1 ? " error)" : " errors)");
    ctx.io.err << '\n';
    return kExitUsage;
  }
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, {{"ok", true},
                           {"rules", (*set)->rules().size()},
                           {"hash_entries", (*set)->hash_entries().size()},
                           {"version", (*set)->version()}});
  } else {
    const size_t rules = (*set)->rules().size(), hashes = (*set)->hash_entries().size();
    ctx.io.out << "ok: " << rules << (rules == 1 ? " rule, " : " rules, ") << hashes
               << (hashes == 1 ? " hash entry" : " hash entries") << ", version " << (*set)->version() << '\n';
  }
  return kExitOk;
}

bool IsHttpUrl(const std::string& target) {
  return target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0;
}

std::string GuessContentType(const std::string& file) {
  const auto dot = file.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : file.substr(dot + 1);
  return ext == "txt" ? "text/plain" : "text/html";
}

Result<std::string> ReadPage(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + file);
  std::string body;
  body.resize(static_cast<size_t>(kMaxTestFileBytes) + 1);
  in.read(body.data(), kMaxTestFileBytes + 1);
  body.resize(static_cast<size_t>(in.gcount()));
  if (body.size() > static_cast<size_t>(kMaxTestFileBytes)) {
    return Status::InvalidArgument(file + " is larger than " + std::to_string(kMaxTestFileBytes) +
                                   " bytes");
  }
  return body;
}

// One fetch with the crawler's own fetcher (its defaults: TLS verified, caps, timeouts).
crawler::FetchResult FetchOnce(const std::string& url) {
  boost::asio::io_context io;
  crawler::FetchOptions options;
  options.per_host_delay_ms = 0;
  crawler::CurlFetcher fetcher(io, options);
  crawler::FetchResult result;
  fetcher.Fetch({url, {}, {}}, [&result](crawler::FetchResult r) { result = std::move(r); });
  io.run();
  return result;
}

void PrintVerdict(std::ostream& out, const json& v) {
  const json& fetch = Member(v, "fetch");
  if (fetch.is_object()) {
    out << "fetched " << FieldText(fetch, "final_url") << ": HTTP " << FieldText(fetch, "http_status");
    if (!Member(fetch, "error").is_null()) out << ", " << FieldText(fetch, "error");
    out << '\n';
  }
  const json& page = Member(v, "page");
  if (page.is_object()) {
    out << "page: " << FieldText(page, "text_bytes") << " bytes of text, charset "
        << FieldText(page, "charset") << " (" << FieldText(page, "charset_source") << ")"
        << (Member(page, "repaired") == true ? ", invalid bytes repaired" : "") << '\n';
  }
  out << (Member(v, "flagged") == true ? "FLAGGED" : "not flagged") << " (rules version "
      << FieldText(v, "rules_version").substr(0, 12) << ")\n";
  PrintMatches(out, Member(v, "matches"));
}

json LocalVerdict(const matcher::RuleSet& rules, const std::string& body,
                  const std::string& content_type, const std::string& url) {
  const crawler::Page page = crawler::ExtractPage(body, content_type, url);
  const matcher::MatchResult result = rules.Match(page.MatchText(), body);
  return {{"flagged", result.flagged},
          {"matches", json::parse(matcher::MatchesJson(result))},
          {"rules_version", rules.version()},
          {"page",
           {{"title", page.title},
            {"charset", page.charset},
            {"charset_source", page.charset_source},
            {"repaired", page.repaired},
            {"html", page.html},
            {"text_bytes", page.text.size()},
            {"outlinks", page.outlinks.size()}}}};
}

int Print(Context& ctx, const json& verdict) {
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, verdict);
  } else {
    PrintVerdict(ctx.io.out, verdict);
  }
  return kExitOk;
}

// --rules given: everything here, nothing registered, no daemon needed.
int TestOffline(Context& ctx, const TestOptions& o) {
  std::vector<matcher::LoadError> errors;
  auto set = LoadLocal(o.load, &errors);
  if (!set.ok()) {
    for (const auto& e : errors) ctx.io.err << e.ToString() << '\n';
    return Fail(ctx, Status::InvalidArgument("the rule set is refused"));
  }
  if (IsHttpUrl(o.target)) {
    auto canon = crawler::Canonicalize(o.target);
    if (!canon.ok()) return Fail(ctx, canon.status());
    const crawler::FetchResult r = FetchOnce(canon->href);
    json fetch = {{"url", r.url},
                  {"final_url", r.final_url},
                  {"http_status", r.http_status > 0 ? json(r.http_status) : json(nullptr)},
                  {"error", r.error == crawler::FetchError::kNone
                                ? json(nullptr)
                                : json(std::string(crawler::FetchErrorName(r.error)) + ": " + r.error_text)}};
    json verdict = LocalVerdict(**set, r.error == crawler::FetchError::kNone ? r.body : "",
                                r.Header("content-type"), r.final_url.empty() ? r.url : r.final_url);
    verdict["fetch"] = fetch;
    return Print(ctx, verdict);
  }
  auto body = ReadPage(o.target);
  if (!body.ok()) return Fail(ctx, body.status());
  const std::string type = o.content_type.empty() ? GuessContentType(o.target) : o.content_type;
  return Print(ctx, LocalVerdict(**set, *body, type, o.page_url));
}

// No --rules: the daemon judges with the set in force (it fetches a URL itself).
int TestOnline(Context& ctx, const TestOptions& o) {
  json body;
  if (IsHttpUrl(o.target)) {
    body = {{"url", o.target}};
  } else {
    auto page = ReadPage(o.target);
    if (!page.ok()) return Fail(ctx, page.status());
    body = {{"body_base64", Base64Encode(*page)},
            {"content_type", o.content_type.empty() ? GuessContentType(o.target) : o.content_type}};
    if (!o.page_url.empty()) body["url"] = o.page_url;
  }
  return Request(ctx, "/v1/rules/test", &body, &PrintVerdict);
}

void PrintRules(std::ostream& out, const json& r) {
  out << "rules version " << FieldText(r, "version") << " (loaded " << FieldText(r, "loaded_at")
      << "; " << FieldText(r, "hash_entries") << " hash entries)\n";
  PrintJsonTable(out,
                 {{"ID", "id"},
                  {"CATEGORY", "category"},
                  {"SEV", "severity"},
                  {"PATTERNS", "patterns"},
                  {"BASIS", "legal_basis"},
                  {"DESCRIPTION", "description"}},
                 Member(r, "rules"));
}

int RunReload(Context& ctx) {
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return Fail(ctx, api.status());
  Result<ApiResponse> answer = (*api)->Post("/v1/rules/reload", json::object());
  if (!answer.ok()) return Fail(ctx, answer.status());
  if (answer->status == 422) {
    if (ctx.flags.json) {  // the refusal with every error, for a script to read
      PrintJson(ctx.io.out, answer->body);
      return kExitUsage;  // as without --json
    }
    // Each error of the refused set, as the daemon saw it.
    for (const auto& e : Member(answer->body, "errors")) ctx.io.err << FieldText(e, "text") << '\n';
  }
  Result<json> body = BodyOf(std::move(answer));
  if (!body.ok()) return Fail(ctx, body.status());
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, *body);
  } else {
    ctx.io.out << "rules reloaded: " << FieldText(*body, "rules") << " rules, "
               << FieldText(*body, "hash_entries") << " hash entries, version "
               << FieldText(*body, "version") << " (was " << FieldText(*body, "previous_version")
               << ")\n";
  }
  return kExitOk;
}

}  // namespace

Handler SetupRulesList(CLI::App& command) {
  (void)command;
  return [](Context& ctx) { return Request(ctx, "/v1/rules", nullptr, &PrintRules); };
}

Handler SetupRulesReload(CLI::App& command) {
  (void)command;
  return [](Context& ctx) { return RunReload(ctx); };
}

Handler SetupRulesCheck(CLI::App& command) {
  auto f = std::make_shared<LoadFlags>();
  DeclareLoadFlags(command, *f, /*rules_required=*/true);
  return [f](Context& ctx) { return RunCheck(ctx, *f); };
}

Handler SetupRulesTest(CLI::App& command) {
  auto o = std::make_shared<TestOptions>();
  command.add_option("PAGE", o->target, "a local HTML (or .txt) file, or an http(s) URL")
      ->required()
      ->type_name("FILE|URL");
  command.add_option("--rules", o->load.rules,
                     "test with these rule files/directories here, offline (repeatable); "
                     "without it the daemon's rules in force judge");
  command.add_option("--hashes", o->load.hashes, "hash list file or directory (with --rules)");
  command.add_option("--category", o->load.categories, "extra category (with --rules)");
  command.add_option("--content-type", o->content_type, "of a local file (default by its name)");
  command.add_option("--page-url", o->page_url, "URL a local file stands for (resolves its links)");
  return [o](Context& ctx) {
    return o->load.rules.empty() ? TestOnline(ctx, *o) : TestOffline(ctx, *o);
  };
}

}  // namespace linkwatch::cli
