// submit, show, list.
#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>
#include <vector>

#include "commands.h"
#include "exit_codes.h"
#include "format.h"

namespace linkwatch::cli {
namespace {

using nlohmann::json;
using QueryParams = std::vector<std::pair<std::string, std::string>>;

constexpr int kMaxPageSize = 1000;  // the API's limit on `limit`

struct SubmitOptions {
  std::string url;
  std::string basis;
  std::string category;
  std::string note;
};

struct ShowOptions {
  std::string target;  // a link id, or a URL (canonicalized by the daemon)
};

struct ListOptions {
  std::string status, agency, category, origin, text, flagged;
  int limit = 0;  // 0: the daemon's default
  int64_t after = 0;
  bool all = false;  // follow next_after to the end
};

void PrintSubmitResult(std::ostream& out, const json& r) {
  if (Member(r, "repeated") == true) {
    out << "your agency already reported link #" << FieldText(r, "link_id")
        << " with this basis (report #" << FieldText(r, "report_id")
        << "); nothing new was recorded\n";
  } else if (Member(r, "duplicate") == true) {
    out << "already registered by " << FieldText(r, "first_agency") << " on "
        << FieldText(r, "first_reported_at") << " (link #" << FieldText(r, "link_id")
        << "); your report was recorded\n";
  } else if (const json& finding = Member(r, "confirmed_finding"); finding.is_string()) {
    out << "link #" << FieldText(r, "link_id") << " (" << FieldText(r, "canonical_url")
        << ") was found by the crawler and "
        << (finding == "rejected" ? "rejected in review" : "is pending review")
        << "; your registration confirms it and is its first report\n";
  } else {
    out << "new link #" << FieldText(r, "link_id") << ": " << FieldText(r, "canonical_url") << '\n';
  }
}

// Label and key of each line `show` prints about a link.
constexpr JsonColumn kLinkFields[] = {
    {"submitted", "submitted_url"},
    {"host", "host"},
    {"status", "status"},
    {"http status", "http_status"},
    {"flagged", "flagged"},
    {"category", "category"},
    {"origin", "origin"},
    {"review", "review_state"},
    {"first agency", "first_agency"},
    {"created", "created_at"},
    {"last check", "last_checked_at"},
    {"next check", "next_check_at"},
    {"final url", "final_url"},
    {"views", "views"},
    {"views growth", "views_growth"},
    {"views, 7 days", "views_growth_7d"},
    {"shares", "shares"},
    {"likes", "likes"},
    {"cluster", "cluster_id"},
    {"reposts", "repost_count"},
    {"removed since", "removed_since"},
    {"reappeared", "reappeared_at"},
    {"flagged since", "flagged_at"},
    {"last flagged", "last_flagged_at"},
    {"evidence", "evidence_count"},
};

void PrintLink(std::ostream& out, const json& link) {
  out << "link #" << FieldText(link, "id") << "  " << FieldText(link, "canonical_url") << '\n';
  std::vector<std::vector<std::string>> rows;
  for (const JsonColumn& field : kLinkFields) {
    rows.push_back({std::string("  ") + field.title, FieldText(link, field.key)});
  }
  PrintTable(out, {}, rows);
  PrintMatches(out, Member(link, "matches"));
  const json& reports = Member(link, "reports");
  out << "\nreports (" << (reports.is_array() ? reports.size() : 0) << "):\n";
  PrintJsonTable(out,
                 {{"ID", "id"},
                  {"AGENCY", "agency"},
                  {"REPORTED", "reported_at"},
                  {"DUPLICATE", "duplicate"},
                  {"CATEGORY", "category"},
                  {"BASIS", "basis"},
                  {"NOTE", "note"}},
                 reports);
}

QueryParams ListQuery(const ListOptions& o, int64_t after) {
  QueryParams params;
  const std::pair<const char*, const std::string*> filters[] = {{"status", &o.status},
                                                                {"agency", &o.agency},
                                                                {"category", &o.category},
                                                                {"origin", &o.origin},
                                                                {"flagged", &o.flagged},
                                                                {"q", &o.text}};
  for (const auto& [key, value] : filters) {
    if (!value->empty()) params.emplace_back(key, *value);
  }
  if (o.limit > 0) params.emplace_back("limit", std::to_string(o.limit));
  if (after > 0) params.emplace_back("after", std::to_string(after));
  return params;
}

constexpr JsonColumn kListColumns[] = {
    {"ID", "id"},         {"STATUS", "status"},       {"CATEGORY", "category"},
    {"ORIGIN", "origin"}, {"AGENCY", "first_agency"}, {"URL", "canonical_url"}};

// Fetches one page, or (with --all) every page, into {"links","next_after"}.
Result<json> FetchLinks(ApiClient& api, const ListOptions& o) {
  json merged = {{"links", json::array()}, {"next_after", nullptr}};
  int64_t after = o.after;
  do {
    Result<json> page = BodyOf(api.Get("/v1/links?" + BuildQuery(ListQuery(o, after))));
    if (!page.ok()) return page.status();
    for (const json& link : Member(*page, "links")) merged["links"].push_back(link);
    merged["next_after"] = Member(*page, "next_after");
    after = merged["next_after"].is_number_integer() ? merged["next_after"].get<int64_t>() : 0;
  } while (o.all && after > 0);
  return merged;
}

void PrintLinks(std::ostream& out, std::ostream& err, const json& result) {
  PrintJsonTable(out, {std::begin(kListColumns), std::end(kListColumns)}, result["links"]);
  const json& next = result["next_after"];
  if (!next.is_null()) err << "more links: --after " << CellText(next) << ", or --all\n";
}

int RunList(Context& ctx, const ListOptions& o) {
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return Fail(ctx, api.status());
  Result<json> links = FetchLinks(**api, o);
  if (!links.ok()) return Fail(ctx, links.status());
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, *links);
  } else {
    PrintLinks(ctx.io.out, ctx.io.err, *links);
  }
  return kExitOk;
}

}  // namespace

Handler SetupSubmit(CLI::App& command) {
  auto o = std::make_shared<SubmitOptions>();
  command.add_option("URL", o->url, "the link as found")->required();
  command.add_option("--basis", o->basis, "legal basis: court decision or order reference")
      ->required();
  command.add_option("--category", o->category, "one of the configured categories")->required();
  command.add_option("--note", o->note, "free text for colleagues");
  return [o](Context& ctx) {
    json body = {{"url", o->url}, {"basis", o->basis}, {"category", o->category}};
    if (!o->note.empty()) body["note"] = o->note;
    return Request(ctx, "/v1/links", &body, &PrintSubmitResult);
  };
}

Handler SetupShow(CLI::App& command) {
  auto o = std::make_shared<ShowOptions>();
  command.add_option("LINK", o->target, "link id, or a URL in any form it was submitted in")
      ->required()
      ->type_name("URL|ID")
      ->check(LinkArgument());
  return [o](Context& ctx) {
    Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
    if (!api.ok()) return Fail(ctx, api.status());
    Result<json> link = FetchLink(**api, o->target);
    if (!link.ok()) return Fail(ctx, link.status());
    if (ctx.flags.json) {
      PrintJson(ctx.io.out, *link);
    } else {
      PrintLink(ctx.io.out, *link);
    }
    return static_cast<int>(kExitOk);
  };
}

Handler SetupList(CLI::App& command) {
  auto o = std::make_shared<ListOptions>();
  command.add_option("--status", o->status, "pending, alive, removed, blocked or unreachable")
      ->check(CLI::IsMember({"pending", "alive", "removed", "blocked", "unreachable"}));
  command.add_option("--agency", o->agency, "links reported by this agency");
  command.add_option("--category", o->category, "links of this category");
  command.add_option("--origin", o->origin, "registered or discovered")
      ->check(CLI::IsMember({"registered", "discovered"}));
  command.add_option("--text", o->text, "substring of the URL or of a report's note");
  command.add_option("--flagged", o->flagged, "true: pages that rules flagged; false: the others")
      ->check(CLI::IsMember({"true", "false"}));
  command.add_option("--limit", o->limit, "links per page (daemon default 50)")
      ->check(CLI::Range(1, kMaxPageSize));
  command.add_option("--after", o->after, "start after this link id (paging)")
      ->check(IdNumber());
  command.add_flag("--all", o->all, "fetch every page");
  return [o](Context& ctx) { return RunList(ctx, *o); };
}

}  // namespace linkwatch::cli
