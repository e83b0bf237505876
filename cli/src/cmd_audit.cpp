// audit verify: through the daemon, or offline on a data directory.
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "format.h"
#include "linkwatch/storage/paths.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::cli {
namespace {

using nlohmann::json;

constexpr char kAuditHelp[] = "Exit status 0 when the chain is intact, 6 when it is broken.";

struct AuditVerifyOptions {
  std::string data_dir;  // empty: ask the daemon
};

// The verdict in the API's shape (GET /v1/audit/verify).
json VerdictJson(const storage::AuditVerdict& v) {
  return {{"ok", v.ok},
          {"rows_checked", v.rows_checked},
          {"first_broken_id", v.ok ? json() : json(v.first_broken_id)},
          {"reason", v.ok ? json() : json(v.reason)}};
}

Result<json> VerifyOffline(const std::string& data_dir) {
  storage::Options options;
  options.create_if_missing = false;
  Result<std::unique_ptr<storage::Store>> store =
      storage::Store::Open(storage::DatabasePath(data_dir), options);
  if (!store.ok()) return store.status();
  Result<storage::AuditVerdict> verdict = (*store)->VerifyAudit();
  (*store)->Close();
  if (!verdict.ok()) return verdict.status();
  return VerdictJson(*verdict);
}

Result<json> VerifyOnline(const Context& ctx) {
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return api.status();
  return BodyOf((*api)->Get("/v1/audit/verify"));
}

int PrintVerdict(Context& ctx, const json& verdict) {
  const bool intact = Member(verdict, "ok") == true;
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, verdict);
  } else if (intact) {
    ctx.io.out << "audit chain intact: " << FieldText(verdict, "rows_checked") << " rows\n";
  } else {
    ctx.io.out << "audit chain broken at row " << FieldText(verdict, "first_broken_id") << ": "
               << FieldText(verdict, "reason") << '\n';
  }
  return intact ? kExitOk : kExitAuditFailed;
}

}  // namespace

Handler SetupAuditVerify(CLI::App& command) {
  auto o = std::make_shared<AuditVerifyOptions>();
  command.add_option("--data-dir", o->data_dir,
                     "verify the database in this data directory directly, without the daemon");
  command.footer(kAuditHelp);
  return [o](Context& ctx) {
    Result<json> verdict = o->data_dir.empty() ? VerifyOnline(ctx) : VerifyOffline(o->data_dir);
    if (!verdict.ok()) return Fail(ctx, verdict.status());
    return PrintVerdict(ctx, *verdict);
  };
}

}  // namespace linkwatch::cli
