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

constexpr char kAuditHelp[] =
    "Exit status 0 when the chain is intact, 6 when it is broken. Keep the head it prints\n"
    "(ID:HASH) outside the database; --head ID:HASH later also proves that no row up to it\n"
    "was deleted from the end or rewritten.";

struct AuditVerifyOptions {
  std::string data_dir;  // empty: ask the daemon
  std::string head;      // ID:HASH kept from an earlier verify
};

// The verdict in the API's shape (GET /v1/audit/verify).
json VerdictJson(const storage::AuditVerdict& v) {
  return {{"ok", v.ok},
          {"rows_checked", v.rows_checked},
          {"first_broken_id", v.ok ? json() : json(v.first_broken_id)},
          {"reason", v.ok ? json() : json(v.reason)},
          {"head", v.head_id == 0 ? json() : json{{"id", v.head_id}, {"hash", v.head_hash}}}};
}

Result<json> VerifyOffline(const std::string& data_dir, const std::optional<storage::AuditHead>& expect) {
  storage::Options options;
  options.create_if_missing = false;
  Result<std::unique_ptr<storage::Store>> store =
      storage::Store::Open(storage::DatabasePath(data_dir), options);
  if (!store.ok()) return store.status();
  Result<storage::AuditVerdict> verdict = (*store)->VerifyAudit(expect);
  (*store)->Close();
  if (!verdict.ok()) return verdict.status();
  return VerdictJson(*verdict);
}

Result<json> VerifyOnline(const Context& ctx, const std::string& head) {
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return api.status();
  return BodyOf((*api)->Get(head.empty() ? "/v1/audit/verify" : "/v1/audit/verify?" + BuildQuery({{"head", head}})));
}

int PrintVerdict(Context& ctx, const json& verdict) {
  const bool intact = Member(verdict, "ok") == true;
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, verdict);
  } else if (intact) {
    ctx.io.out << "audit chain intact: " << FieldText(verdict, "rows_checked") << " rows";
    if (const json& head = Member(verdict, "head"); head.is_object()) {
      ctx.io.out << "; head " << FieldText(head, "id") << ":" << FieldText(head, "hash")
                 << " (keep it elsewhere; --head checks it later)";
    }
    ctx.io.out << '\n';
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
  command.add_option("--head", o->head, "a head ID:HASH printed by an earlier verify, to check too")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            auto head = storage::ParseAuditHead(text);
            return head.ok() ? std::string() : head.status().message();
          },
          "ID:HASH"));
  command.footer(kAuditHelp);
  return [o](Context& ctx) {
    std::optional<storage::AuditHead> expect;
    if (!o->head.empty()) expect = *storage::ParseAuditHead(o->head);
    Result<json> verdict = o->data_dir.empty() ? VerifyOnline(ctx, o->head) : VerifyOffline(o->data_dir, expect);
    if (!verdict.ok()) return Fail(ctx, verdict.status());
    return PrintVerdict(ctx, *verdict);
  };
}

}  // namespace linkwatch::cli
