// rescan, history, status: the check loop as operators see it.
#include <memory>
#include <vector>

#include "commands.h"
#include "exit_codes.h"
#include "format.h"

namespace linkwatch::cli {
namespace {

using nlohmann::json;

struct RescanOptions {
  std::string target;  // link id or URL
  std::string status;
  bool all = false;
};

struct HistoryOptions {
  std::string target;
  int limit = 0;
  int64_t before = 0;
};

constexpr JsonColumn kCheckColumns[] = {
    {"CHECKED", "checked_at"}, {"HTTP", "http_status"}, {"STATUS", "status"},
    {"MS", "elapsed_ms"},      {"FINAL URL", "final_url"}, {"ERROR", "error"},
    {"REASON", "reason"}};  // why a 2xx page counts as removed

int RunHistory(Context& ctx, const HistoryOptions& o) {
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return Fail(ctx, api.status());
  Result<int64_t> id = ResolveLinkId(**api, o.target);
  if (!id.ok()) return Fail(ctx, id.status());
  std::vector<std::pair<std::string, std::string>> query;
  if (o.limit > 0) query.emplace_back("limit", std::to_string(o.limit));
  if (o.before > 0) query.emplace_back("before", std::to_string(o.before));
  Result<json> page =
      BodyOf((*api)->Get("/v1/links/" + std::to_string(*id) + "/history?" + BuildQuery(query)));
  if (!page.ok()) return Fail(ctx, page.status());
  const json& checks = Member(*page, "checks");
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, checks);  // a list of checks, newest first
    return kExitOk;
  }
  const bool more = !Member(*page, "next_before").is_null();
  ctx.io.out << "link #" << *id << "  " << FieldText(*page, "url") << "  ("
             << (more ? "the newest " : "") << checks.size() << " checks, newest first)\n";
  PrintJsonTable(ctx.io.out, {std::begin(kCheckColumns), std::end(kCheckColumns)}, checks);
  if (more) {
    ctx.io.err << "older checks: --before " << CellText(Member(*page, "next_before")) << '\n';
  }
  return kExitOk;
}

// The targets given, as the user spelled them: exactly one is allowed (as at the API).
std::vector<std::string> RescanTargets(const RescanOptions& o) {
  std::vector<std::string> given;
  if (!o.target.empty()) given.push_back(o.target);
  if (!o.status.empty()) given.push_back("--status " + o.status);
  if (o.all) given.push_back("--all");
  return given;
}

json RescanBody(const RescanOptions& o) {
  if (o.all) return {{"all", true}};
  if (!o.status.empty()) return {{"status", o.status}};
  if (IsLinkId(o.target)) return {{"link_id", std::stoll(o.target)}};
  return {{"url", o.target}};
}

int RunRescan(Context& ctx, const RescanOptions& o) {
  const std::vector<std::string> targets = RescanTargets(o);
  if (targets.size() != 1) {
    std::string message = "rescan takes one target: a link (URL or ID), --status S or --all";
    if (targets.size() > 1) message.append("; not both ").append(targets[0]).append(" and ").append(targets[1]);
    return Fail(ctx, Status::InvalidArgument(message));
  }
  const json body = RescanBody(o);
  return Request(ctx, "/v1/rescan", &body, [](std::ostream& out, const json& r) {
    out << FieldText(r, "queued") << " link(s) queued for a check now\n";
  });
}

void PrintStatus(std::ostream& out, const json& s) {
  out << "links          " << FieldText(s, "links") << '\n'
      << "due now        " << FieldText(s, "due_now") << '\n'
      << "being checked  " << FieldText(s, "leased") << '\n'
      << "next due       " << FieldText(s, "next_due") << '\n'
      << "checks (1 h)   " << FieldText(s, "checks_last_hour") << '\n';
  const json& by = Member(s, "by_status");
  out << "by status     ";
  for (auto it = by.begin(); it != by.end(); ++it) out << ' ' << it.key() << '=' << CellText(*it);
  out << '\n';
  const json& c = Member(s, "crawler");
  if (c.is_null()) {
    out << "crawler        not running (--no-checks)\n";
    return;
  }
  // The scheduler's in-flight count also holds fetches between attempts and
  // checks on their way to storage.
  const auto count = [&c](const char* name) {
    const json& v = Member(c, name);
    return v.is_number_integer() ? v.get<int64_t>() : int64_t{0};
  };
  const int64_t rest = count("in_flight") - count("fetch_running") - count("fetch_queued");
  out << "in flight      " << FieldText(c, "in_flight") << " (on the wire " << FieldText(c, "fetch_running")
      << ", waiting for a host slot " << FieldText(c, "fetch_queued");
  if (rest > 0) out << ", waiting to retry or being recorded " << rest;
  out << ")\n"
      << "postponed      " << FieldText(c, "links_postponed")
      << " due links given back unfetched to wait for a busy host or its Retry-After, since start\n"
      << "throughput     " << FieldText(c, "checks_per_minute") << " checks/min; "
      << FieldText(c, "checks_recorded") << " since start\n"
      << "pages judged   " << FieldText(c, "pages_matched") << " matched, "
      << FieldText(c, "pages_carried_over") << " unchanged (judgement carried over), "
      << FieldText(c, "pages_flagged") << " flagged\n";
}

}  // namespace

Handler SetupRescan(CLI::App& command) {
  auto o = std::make_shared<RescanOptions>();
  command.add_option("LINK", o->target, "link id, or a URL")
      ->type_name("URL|ID")
      ->check(LinkArgument());
  command.add_option("--status", o->status, "every link with this status")
      ->check(CLI::IsMember({"pending", "alive", "removed", "blocked", "unreachable"}));
  command.add_flag("--all", o->all, "every link");
  return [o](Context& ctx) { return RunRescan(ctx, *o); };
}

Handler SetupHistory(CLI::App& command) {
  auto o = std::make_shared<HistoryOptions>();
  command.add_option("LINK", o->target, "link id, or a URL")
      ->required()
      ->type_name("URL|ID")
      ->check(LinkArgument());
  command.add_option("--limit", o->limit, "checks to show (default 100)")->check(CLI::Range(1, 1000));
  command.add_option("--before", o->before, "older than this check id (paging)")->check(IdNumber());
  return [o](Context& ctx) { return RunHistory(ctx, *o); };
}

Handler SetupStatus(CLI::App& command) {
  (void)command;
  return [](Context& ctx) { return Request(ctx, "/v1/status", nullptr, &PrintStatus); };
}

}  // namespace linkwatch::cli
