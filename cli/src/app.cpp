#include "app.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>
#include <map>

#include "api_client.h"
#include "exit_codes.h"
#include "format.h"
#include "linkwatch/cli/cli.h"
#include "suggest.h"

namespace linkwatch::cli {
namespace {

constexpr char kDescription[] =
    "linkwatch: register links to court-designated material and follow their status\n"
    "through linkwatchd's HTTP API.";
constexpr char kVersion[] = "linkwatch 0.1.0";

// The global options as CLI11 sees them; Flags() says which were given.
struct GlobalOptions {
  std::string url, token, config;
  double timeout_seconds = 0;
  bool json = false;
  CLI::Option* url_option = nullptr;
  CLI::Option* token_option = nullptr;
  CLI::Option* config_option = nullptr;
  CLI::Option* timeout_option = nullptr;

  void Declare(CLI::App& app);
  GlobalFlags Flags() const;
};

// For --timeout: a finite number above 0 (CLI::PositiveNumber's message
// prints DBL_MAX in full, about 300 digits).
CLI::Validator PositiveSeconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double seconds = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
        const bool whole = ec == std::errc() && end == text.data() + text.size();
        if (whole && std::isfinite(seconds) && seconds > 0 && seconds <= kMaxTimeoutSeconds) return {};
        return std::string("must be a positive number of seconds up to 86400, not \"")
            .append(Printable(text))
            .append("\"");
      },
      "SECONDS");
}

void GlobalOptions::Declare(CLI::App& app) {
  url_option = app.add_option(
      "--url", url, "daemon URL (env LINKWATCH_URL; default " + std::string(kDefaultUrl) + ")");
  token_option = app.add_option("--token", token, "API token (env LINKWATCH_TOKEN)");
  config_option =
      app.add_option("--config", config,
                     "config file (env LINKWATCH_CONFIG; default ~/.config/linkwatch/cli.toml)");
  timeout_option =
      app.add_option("--timeout", timeout_seconds, "seconds to wait for the daemon (default 30)")
          ->check(PositiveSeconds());
  app.add_flag("--json", json, "print the API's JSON objects instead of text");
}

GlobalFlags GlobalOptions::Flags() const {
  GlobalFlags flags;
  if (url_option->count() > 0) flags.url = url;
  if (token_option->count() > 0) flags.token = token;
  if (config_option->count() > 0) flags.config = config;
  if (timeout_option->count() > 0) flags.timeout_seconds = timeout_seconds;
  flags.json = json;
  return flags;
}

// The CLI11 subcommands built from CommandTable(), and their handlers.
class CommandTree {
 public:
  explicit CommandTree(CLI::App& root);
  // nullptr for the root and for groups.
  const Handler* HandlerFor(const CLI::App* command) const;

 private:
  std::map<const CLI::App*, Handler> handlers_;
};

CommandTree::CommandTree(CLI::App& root) {
  for (const CommandSpec& spec : CommandTable()) {
    const std::string name = spec.name;
    const size_t space = name.rfind(' ');
    CLI::App* parent =
        space == std::string::npos ? &root : root.get_subcommand(name.substr(0, space));
    CLI::App* command = parent->add_subcommand(name.substr(space + 1), spec.help);
    // A group collects what it does not know, for "did you mean" (see Dispatch).
    command->allow_extras(spec.setup == nullptr);
    command->require_subcommand(0, 1);
    if (spec.setup != nullptr) handlers_[command] = spec.setup(*command);
  }
}

const Handler* CommandTree::HandlerFor(const CLI::App* command) const {
  const auto it = handlers_.find(command);
  return it == handlers_.end() ? nullptr : &it->second;
}

// "agency add" for the subcommand add of agency; "" for the root.
std::string CommandPath(const CLI::App& command) {
  std::string path;
  for (const CLI::App* app = &command; app->get_parent() != nullptr; app = app->get_parent()) {
    path = app->get_name() + (path.empty() ? "" : " " + path);
  }
  return path;
}

std::string Joined(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + " " + name;
}

Status UnknownCommand(const CLI::App& level, const std::string& typed) {
  std::vector<std::string> names;
  for (const CLI::App* sub : level.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  const std::string prefix = CommandPath(level);
  std::string message = "unknown command '" + Joined(prefix, typed) + "'";
  if (auto best = SuggestName(typed, names)) {
    return Status::InvalidArgument(message + "; did you mean '" + Joined(prefix, *best) + "'?");
  }
  return Status::InvalidArgument(message + "; see 'linkwatch " + Joined(prefix, "--help'"));
}

// The chosen command: the root, a group, or a command with a handler.
CLI::App* Chosen(CLI::App& root) {
  CLI::App* level = &root;
  while (!level->get_subcommands().empty()) level = level->get_subcommands().front();
  return level;
}

// Arguments CLI11 left over anywhere (fallthrough sends them to the root).
// When no command with a handler was reached, a leftover word is a mistyped
// command name at the `chosen` level.
Status CheckLeftovers(const CLI::App& root, const CLI::App& chosen, bool is_command) {
  std::vector<std::string> rest = root.remaining(/*recurse=*/true);
  // CLI11 keeps the "--" end-of-options marker among the leftovers.
  rest.erase(std::remove(rest.begin(), rest.end(), "--"), rest.end());
  const auto word = std::find_if(rest.begin(), rest.end(), [](const std::string& arg) {
    return arg.empty() || arg[0] != '-';
  });
  if (!is_command && word != rest.end()) return UnknownCommand(chosen, *word);
  if (rest.empty()) return Status::Ok();
  const std::string& first = rest.front();
  if (!first.empty() && first[0] == '-')
    return Status::InvalidArgument("unknown option '" + first + "'");
  return Status::InvalidArgument("unexpected argument '" + first + "'");
}

int Dispatch(CLI::App& root, const CommandTree& tree, Context& ctx) {
  CLI::App* chosen = Chosen(root);
  const Handler* handler = tree.HandlerFor(chosen);
  if (Status status = CheckLeftovers(root, *chosen, handler != nullptr); !status.ok()) {
    return Fail(ctx, status);
  }
  if (handler != nullptr) return (*handler)(ctx);
  const CLI::App* parent = chosen->get_parent();
  ctx.io.err << chosen->help(parent == nullptr ? "" : Joined("linkwatch", CommandPath(*parent)));
  return kExitUsage;
}

int ParseFailure(const CLI::App& root, const CLI::ParseError& e, Io& io) {
  if (e.get_exit_code() == 0) return root.exit(e, io.out, io.err);  // --help, --version
  io.err << "linkwatch: " << e.what() << '\n';
  return kExitUsage;
}

void DeclareRoot(CLI::App& root) {
  root.set_version_flag("--version", kVersion);
  root.require_subcommand(0, 1);
  root.allow_extras(true);  // see CheckLeftovers
  root.fallthrough(true);   // inherited: global options work after the subcommand too
}

}  // namespace

int Run(const std::vector<std::string>& args, Io io) {
  CLI::App root(kDescription, "linkwatch");
  DeclareRoot(root);
  GlobalOptions globals;
  globals.Declare(root);
  CommandTree tree(root);
  root.footer(kExitCodesHelp);  // after the subcommands, which would inherit it
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  try {
    root.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return ParseFailure(root, e, io);
  }
  Context ctx{std::move(io), globals.Flags()};
  return Dispatch(root, tree, ctx);
}

int Main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  Io io{std::cin, std::cout, std::cerr, ::isatty(STDERR_FILENO) != 0, ProcessEnv()};
  const int code = Run(std::vector<std::string>(argv, argv + argc), std::move(io));
  std::cout.flush();
  return code;
}

}  // namespace linkwatch::cli
