// The subcommand table and what every handler shares.
//
// Each command is a row {name, help, setup}: `setup` declares the command's
// options on its CLI11 subcommand, bound to an options struct owned by the
// handler it returns. Handlers print their result on Io::out, errors as
// "linkwatch: <message>" on Io::err, and return the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "api_client.h"
#include "linkwatch/base/status.h"
#include "settings.h"

namespace linkwatch::cli {

// The process's streams and environment, replaced by tests.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool err_is_tty = false;  // draw progress bars on err
  EnvLookup env;
};

struct Context {
  Io io;
  GlobalFlags flags;
};

using Handler = std::function<int(Context&)>;
using Setup = Handler (*)(CLI::App& command);

struct CommandSpec {
  const char* name;  // "submit", or "agency add" for a command inside a group
  const char* help;  // one line
  Setup setup;       // nullptr for a group ("agency") that only holds commands
};

// Every command, groups before their members, in --help order.
const std::vector<CommandSpec>& CommandTable();

// Resolves url/token/timeout (flags > env > file) and opens a client. Fails
// with kUnauthenticated when no token is configured, or the config's error.
Result<std::unique_ptr<ApiClient>> Connect(const Context& ctx);

// True when `text` is an id: digits only, a whole number from 1 to 2^63-1.
bool IsLinkId(const std::string& text);
// For an ID argument or a paging cursor (--after, --before): a whole number
// from 1, as the API takes ("--after: must be a whole number from 1, not ...").
CLI::Validator IdNumber();
// For a URL|ID argument: refuses digits (perhaps after a '-') that are no id,
// which would otherwise be looked up as a relative URL.
CLI::Validator LinkArgument();
// The link a URL|ID argument names, as GET /v1/links/ID answers it; a
// target that is neither an id nor a URL says so.
Result<nlohmann::json> FetchLink(ApiClient& api, const std::string& target);
// The link id a URL|ID argument names (asks the daemon to look a URL up).
Result<int64_t> ResolveLinkId(ApiClient& api, const std::string& target);

// Prints "linkwatch: <message>" on err; returns ExitCodeFor(status).
int Fail(const Context& ctx, const Status& status);

// Prints a successful answer for people (the --json form is generic).
using HumanPrinter = std::function<void(std::ostream& out, const nlohmann::json& body)>;

// GETs `path` (or POSTs `*body` to it) and prints the answer: with --json the
// API's object, otherwise through `human`. Returns the exit code.
int Request(Context& ctx, const std::string& path, const nlohmann::json* body,
            const HumanPrinter& human);

// Row handlers, one per table entry (cmd_*.cpp).
Handler SetupInit(CLI::App& command);
Handler SetupWhoami(CLI::App& command);
Handler SetupAgencyAdd(CLI::App& command);
Handler SetupAgencyList(CLI::App& command);
Handler SetupTokenCreate(CLI::App& command);
Handler SetupTokenList(CLI::App& command);
Handler SetupTokenRevoke(CLI::App& command);
Handler SetupSubmit(CLI::App& command);
Handler SetupImport(CLI::App& command);
Handler SetupShow(CLI::App& command);
Handler SetupList(CLI::App& command);
Handler SetupCanon(CLI::App& command);
Handler SetupAuditVerify(CLI::App& command);
Handler SetupRescan(CLI::App& command);
Handler SetupHistory(CLI::App& command);
Handler SetupStatus(CLI::App& command);
Handler SetupRulesList(CLI::App& command);
Handler SetupRulesReload(CLI::App& command);
Handler SetupRulesCheck(CLI::App& command);
Handler SetupRulesTest(CLI::App& command);
Handler SetupEvidence(CLI::App& command);
Handler SetupCluster(CLI::App& command);
Handler SetupNotificationsFailed(CLI::App& command);
Handler SetupNotificationsList(CLI::App& command);
Handler SetupNotificationsRetry(CLI::App& command);
Handler SetupReviewList(CLI::App& command);
Handler SetupReviewShow(CLI::App& command);
Handler SetupReviewAccept(CLI::App& command);
Handler SetupReviewReject(CLI::App& command);
Handler SetupReport(CLI::App& command);

}  // namespace linkwatch::cli
