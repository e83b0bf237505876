// init: creates the store and the first admin token directly (no daemon).
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "linkwatch/storage/bootstrap.h"
#include "linkwatch/storage/paths.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::cli {
namespace {

constexpr char kDefaultAgency[] = "admin";

struct InitOptions {
  std::string data_dir;
  std::string agency = kDefaultAgency;
  bool quiet = false;  // print only the token
};

// Creates `dir` (owner-only: it will hold the database) unless it exists.
Status MakeDataDir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::Ok();
  if (!std::filesystem::create_directories(dir, ec) && ec) {
    return Status::IOError("cannot create " + dir + ": " + ec.message());
  }
  ::chmod(dir.c_str(), S_IRWXU);
  return Status::Ok();
}

// The new admin token's secret; kAlreadyExists when the store has tokens.
Result<std::string> Bootstrap(const std::string& db_path, const std::string& agency) {
  Result<std::unique_ptr<storage::Store>> store = storage::Store::Open(db_path, {});
  if (!store.ok()) return Status(store.status());
  Result<std::optional<std::string>> secret = storage::BootstrapAdmin(**store, agency);
  (*store)->Close();
  if (!secret.ok()) return secret.status();
  if (!secret->has_value()) {
    return Status::AlreadyExists("already initialized: " + db_path +
                                 " has tokens; create more with `linkwatch token create`");
  }
  return std::move(**secret);
}

void PrintToken(std::ostream& out, const InitOptions& o, const std::string& db_path,
                const std::string& secret) {
  if (o.quiet) {
    out << secret << '\n';
    return;
  }
  out << "Initialized " << db_path << ".\n"
      << "First admin token, for agency '" << o.agency << "' (shown only now; keep it safe):\n\n"
      << "  " << secret << "\n\n"
      << "Pass it with --token, set LINKWATCH_TOKEN, or put token = \"...\" in\n"
      << "~/.config/linkwatch/cli.toml. Create tokens for operators with `linkwatch token "
         "create`.\n";
}

int RunInit(Context& ctx, const InitOptions& o) {
  if (Status made = MakeDataDir(o.data_dir); !made.ok()) return Fail(ctx, made);
  const std::string db_path = storage::DatabasePath(o.data_dir);
  Result<std::string> secret = Bootstrap(db_path, o.agency);
  if (!secret.ok()) return Fail(ctx, secret.status());
  PrintToken(ctx.io.out, o, db_path, *secret);
  return kExitOk;
}

}  // namespace

Handler SetupInit(CLI::App& command) {
  auto o = std::make_shared<InitOptions>();
  command.add_option("--data-dir", o->data_dir, "data directory (created if missing)")->required();
  command.add_option("--agency", o->agency, "agency of the first admin (default \"admin\")");
  command.add_flag("--quiet,-q", o->quiet, "print only the token");
  return [o](Context& ctx) { return RunInit(ctx, *o); };
}

}  // namespace linkwatch::cli
