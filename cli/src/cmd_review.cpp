// cluster, review list|show|accept|reject: reach and spread as operators and
// reviewers see it. Flagged material is never shown: excerpts only.
#include <algorithm>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "format.h"

namespace linkwatch::cli {
namespace {

using nlohmann::json;

struct ReviewListOptions {
  std::string state = "pending";
  int limit = 0;
  int64_t after = 0;
};

struct DecisionOptions {
  std::string id;
  std::string text;  // basis (accept) or reason (reject)
};

constexpr JsonColumn kMemberColumns[] = {{"ID", "id"},           {"STATUS", "status"},
                                         {"VIEWS", "views"},     {"ORIGIN", "origin"},
                                         {"REVIEW", "review_state"}, {"URL", "canonical_url"}};

void PrintCluster(std::ostream& out, const json& c) {
  const json& members = Member(c, "members");
  const size_t known = static_cast<size_t>(std::count_if(
      members.begin(), members.end(), [](const json& m) { return !Member(m, "views").is_null(); }));
  out << "cluster #" << FieldText(c, "cluster_id") << ": " << members.size()
      << " copies, repost count " << FieldText(c, "repost_count") << ", reach ";
  if (Member(c, "reach").is_null()) {
    out << "unknown (no copy shows its views)\n";
  } else if (known < members.size()) {
    out << FieldText(c, "reach") << " views (" << known << " of " << members.size()
        << " copies show their views)\n";
  } else {
    out << FieldText(c, "reach") << " views\n";
  }
  PrintJsonTable(out, {std::begin(kMemberColumns), std::end(kMemberColumns)}, Member(c, "members"));
}

int RunCluster(Context& ctx, const std::string& target) {
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return Fail(ctx, api.status());
  Result<int64_t> id = ResolveLinkId(**api, target);
  if (!id.ok()) return Fail(ctx, id.status());
  Result<json> cluster = BodyOf((*api)->Get("/v1/links/" + std::to_string(*id) + "/cluster"));
  if (!cluster.ok()) return Fail(ctx, cluster.status());
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, *cluster);
  } else {
    PrintCluster(ctx.io.out, *cluster);
  }
  return kExitOk;
}

void PrintQueue(std::ostream& out, const json& page) {
  const json& links = Member(page, "links");
  json rows = json::array();
  for (const auto& l : links) {
    json row = l;
    row["source"] = Member(Member(l, "found_from"), "url");
    rows.push_back(std::move(row));
  }
  PrintJsonTable(out,
                 {{"ID", "id"}, {"STATUS", "status"}, {"FLAGGED", "flagged"}, {"CATEGORY", "category"},
                  {"URL", "canonical_url"}, {"FOUND ON", "source"}},
                 rows);
}

int RunReviewList(Context& ctx, const ReviewListOptions& o) {
  std::vector<std::pair<std::string, std::string>> q = {{"state", o.state}};
  if (o.limit > 0) q.emplace_back("limit", std::to_string(o.limit));
  if (o.after > 0) q.emplace_back("after", std::to_string(o.after));
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return Fail(ctx, api.status());
  Result<json> page = BodyOf((*api)->Get("/v1/review?" + BuildQuery(q)));
  if (!page.ok()) return Fail(ctx, page.status());
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, Member(*page, "links"));
    return kExitOk;
  }
  PrintQueue(ctx.io.out, *page);
  if (!Member(*page, "next_after").is_null()) {
    ctx.io.err << "more: --after " << CellText(Member(*page, "next_after")) << '\n';
  }
  return kExitOk;
}

void PrintReviewed(std::ostream& out, const json& link) {
  out << "link #" << FieldText(link, "id") << "  " << FieldText(link, "canonical_url") << '\n'
      << "  found on     " << FieldText(Member(link, "found_from"), "url") << '\n'
      << "  found for    " << FieldText(Member(link, "found_from"), "reason") << '\n'
      << "  review       " << FieldText(link, "review_state") << '\n'
      << "  status       " << FieldText(link, "status") << "  flagged " << FieldText(link, "flagged") << '\n'
      << "  views        " << FieldText(link, "views") << "  reposts " << FieldText(link, "repost_count") << '\n'
      << "  evidence     " << FieldText(link, "evidence_count") << " snapshot(s)\n";
  if (!Member(link, "review_reason").is_null()) out << "  reason       " << FieldText(link, "review_reason") << '\n';
  PrintMatches(out, Member(link, "matches"));
}

int RunDecision(Context& ctx, const DecisionOptions& o, bool accept) {
  const json body = accept ? json{{"basis", o.text}} : json{{"reason", o.text}};
  return Request(ctx, "/v1/review/" + o.id + (accept ? "/accept" : "/reject"), &body, &PrintReviewed);
}

}  // namespace

Handler SetupCluster(CLI::App& command) {
  auto target = std::make_shared<std::string>();
  command.add_option("LINK", *target, "link id, or a URL")
      ->required()
      ->type_name("URL|ID")
      ->check(LinkArgument());
  return [target](Context& ctx) { return RunCluster(ctx, *target); };
}

Handler SetupReviewList(CLI::App& command) {
  auto o = std::make_shared<ReviewListOptions>();
  command.add_option("--state", o->state, "pending (default), confirmed or rejected")
      ->check(CLI::IsMember({"pending", "confirmed", "rejected"}));
  command.add_option("--limit", o->limit, "links per page (default 50)")->check(CLI::Range(1, 1000));
  command.add_option("--after", o->after, "start after this link id (paging)")->check(IdNumber());
  return [o](Context& ctx) { return RunReviewList(ctx, *o); };
}

Handler SetupReviewShow(CLI::App& command) {
  auto id = std::make_shared<std::string>();
  command.add_option("ID", *id, "discovered link id")->required()->check(IdNumber());
  return [id](Context& ctx) { return Request(ctx, "/v1/review/" + *id, nullptr, &PrintReviewed); };
}

Handler SetupReviewAccept(CLI::App& command) {
  auto o = std::make_shared<DecisionOptions>();
  command.add_option("ID", o->id, "discovered link id")->required()->check(IdNumber());
  command.add_option("--basis", o->text, "the court decision or order that covers it")->required();
  return [o](Context& ctx) { return RunDecision(ctx, *o, true); };
}

Handler SetupReviewReject(CLI::App& command) {
  auto o = std::make_shared<DecisionOptions>();
  command.add_option("ID", o->id, "discovered link id")->required()->check(IdNumber());
  command.add_option("--reason", o->text, "why it is not a finding")->required();
  return [o](Context& ctx) { return RunDecision(ctx, *o, false); };
}

}  // namespace linkwatch::cli
