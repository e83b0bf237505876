#include "commands.h"

#include <charconv>
#include <cstdint>
#include <limits>

#include "exit_codes.h"
#include "format.h"

namespace linkwatch::cli {

const std::vector<CommandSpec>& CommandTable() {
  static const std::vector<CommandSpec> kTable = {
      {"init", "create the database in a data directory and print the first admin token",
       &SetupInit},
      {"submit", "register one link with its legal basis", &SetupSubmit},
      {"import", "register many links from a CSV file or a plain list of URLs", &SetupImport},
      {"show", "show one link (by id or URL) with its reports", &SetupShow},
      {"list", "list links, filtered", &SetupList},
      {"history", "every check of one link: time, HTTP status, status, final URL, error, "
                  "reason (--json: the list of checks)",
       &SetupHistory},
      {"rescan", "check links now: one (URL or ID), --status S, or --all", &SetupRescan},
      {"status", "the daemon's queue, fetches in flight and throughput", &SetupStatus},
      {"evidence", "a link's evidence snapshots; --export DIR writes them with a manifest",
       &SetupEvidence},
      {"cluster", "every copy of a link's content: status, views, repost count and reach",
       &SetupCluster},
      {"report", "the weekly report (--week 2026-W47) as md, csv, json or html; --out FILE", &SetupReport},
      {"review", "discovered links waiting for a person", nullptr},
      {"review list", "discovered links pending review (or --state confirmed|rejected)",
       &SetupReviewList},
      {"review show", "one discovered link: where it was found, why, its excerpts", &SetupReviewShow},
      {"review accept", "confirm a discovered link with its legal basis (reviewer)", &SetupReviewAccept},
      {"review reject", "reject a discovered link: it leaves every count, never fetched again (reviewer)",
       &SetupReviewReject},
      {"notifications", "webhook deliveries", nullptr},
      {"notifications failed", "deliveries that failed after the last retry", &SetupNotificationsFailed},
      {"notifications list", "deliveries by state (--state pending|delivered|failed)",
       &SetupNotificationsList},
      {"notifications retry", "send failed deliveries again: one (ID) or --failed", &SetupNotificationsRetry},
      {"canon", "print the canonical form of URLs (offline)", &SetupCanon},
      {"rules", "rule sets that flag known content", nullptr},
      {"rules list", "the rules in force in the daemon", &SetupRulesList},
      {"rules reload", "load the daemon's rule files again (admin); a broken set is refused",
       &SetupRulesReload},
      {"rules check", "validate rule files offline; names each error with file, rule and line",
       &SetupRulesCheck},
      {"rules test", "which rules hit a page (local file or URL), with excerpts; registers nothing",
       &SetupRulesTest},
      {"agency", "manage agencies", nullptr},
      {"agency add", "create an agency (admin)", &SetupAgencyAdd},
      {"agency list", "list agencies", &SetupAgencyList},
      {"token", "manage API tokens", nullptr},
      {"token create", "create a token for an agency and print it once (admin)", &SetupTokenCreate},
      {"token list", "list tokens (admin)", &SetupTokenList},
      {"token revoke", "revoke a token by id (admin)", &SetupTokenRevoke},
      {"audit", "check the audit log", nullptr},
      {"audit verify", "verify the audit log's hash chain", &SetupAuditVerify},
      {"whoami", "show the agency and role of the current token", &SetupWhoami},
  };
  return kTable;
}

Result<std::unique_ptr<ApiClient>> Connect(const Context& ctx) {
  Result<ApiOptions> options = ResolveApiOptions(ctx.flags, ctx.io.env);
  if (!options.ok()) return options.status();
  if (options->token.empty()) {
    return Status::Unauthenticated(
        "no API token: pass --token, set LINKWATCH_TOKEN, or put token = \"...\" in " +
        (ctx.flags.config ? *ctx.flags.config : "~/.config/linkwatch/cli.toml"));
  }
  return std::make_unique<ApiClient>(std::move(*options));
}

bool IsLinkId(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  return ec == std::errc() && end == text.data() + text.size() && id > 0;
}

CLI::Validator IdNumber() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (IsLinkId(text)) return {};
        return std::string("must be a whole number from 1, not \"").append(Printable(text)).append("\"");
      },
      "ID");
}

CLI::Validator LinkArgument() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const size_t sign = text.rfind('-', 0) == 0 ? 1 : 0;
        const bool numeric = text.size() > sign &&
                             text.find_first_not_of("0123456789", sign) == std::string::npos;
        if (!numeric || IsLinkId(text)) return {};
        std::string message = "\"";
        message.append(Printable(text)).append("\" is not a valid link id (ids are whole numbers from 1 to ");
        return message.append(std::to_string(std::numeric_limits<int64_t>::max())).append(")");
      },
      "");
}

Result<nlohmann::json> FetchLink(ApiClient& api, const std::string& target) {
  if (IsLinkId(target)) return BodyOf(api.Get("/v1/links/" + std::to_string(std::stoll(target))));
  Result<nlohmann::json> link = BodyOf(api.Get("/v1/links/lookup?" + BuildQuery({{"url", target}})));
  if (!link.ok() && link.status().code() == Status::Code::kInvalidArgument) {
    // Neither an id nor a URL: say both, not only what is wrong with it as a URL.
    return Status::InvalidArgument("\"" + target + "\" is neither a link id (a whole number) nor a URL (" +
                                   link.status().message() + ")");
  }
  return link;
}

Result<int64_t> ResolveLinkId(ApiClient& api, const std::string& target) {
  if (IsLinkId(target)) return std::stoll(target);
  Result<nlohmann::json> link = FetchLink(api, target);
  if (!link.ok()) return link.status();
  return Member(*link, "id").get<int64_t>();
}

int Fail(const Context& ctx, const Status& status) {
  // Messages may quote what others typed: line by line, made printable.
  std::string_view rest = status.message();
  ctx.io.err << "linkwatch: ";
  for (size_t nl; (nl = rest.find('\n')) != std::string_view::npos; rest.remove_prefix(nl + 1)) {
    ctx.io.err << Printable(rest.substr(0, nl)) << '\n';
  }
  ctx.io.err << Printable(rest) << '\n';
  return ExitCodeFor(status);
}

int Request(Context& ctx, const std::string& path, const nlohmann::json* body,
            const HumanPrinter& human) {
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return Fail(ctx, api.status());
  Result<nlohmann::json> answer =
      BodyOf(body != nullptr ? (*api)->Post(path, *body) : (*api)->Get(path));
  if (!answer.ok()) return Fail(ctx, answer.status());
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, *answer);
  } else {
    human(ctx.io.out, *answer);
  }
  return kExitOk;
}

}  // namespace linkwatch::cli
