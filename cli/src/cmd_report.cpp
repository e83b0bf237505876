// report: the weekly report, rendered by the daemon (GET /v1/report), printed
// or written to a file.
#include <filesystem>
#include <fstream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "linkwatch/base/iso_week.h"

namespace linkwatch::cli {
namespace {

struct ReportOptions {
  std::string week;  // empty: the daemon's default, the last complete week
  std::string agency;
  std::string category;
  std::string format;  // empty: md, or json with --json
  std::string out;     // empty: stdout
};

// Writes `body` to a temp file beside `path`, then renames it into place.
Status WriteFile(const std::string& path, const std::string& body) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(body.data(), static_cast<std::streamsize>(body.size()));
    if (!f.flush()) return Status::IOError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Status::IOError("cannot write " + path + ": " + ec.message());
  }
  return Status::Ok();
}

int RunReport(Context& ctx, const ReportOptions& o) {
  if (!o.week.empty()) {
    if (auto week = ParseIsoWeek(o.week); !week.ok()) return Fail(ctx, week.status());
  }
  const std::string format = !o.format.empty() ? o.format : ctx.flags.json ? "json" : "md";
  std::vector<std::pair<std::string, std::string>> query = {{"format", format}};
  if (!o.week.empty()) query.emplace_back("week", o.week);
  if (!o.agency.empty()) query.emplace_back("agency", o.agency);
  if (!o.category.empty()) query.emplace_back("category", o.category);
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return Fail(ctx, api.status());
  Result<std::string> body = (*api)->Download("/v1/report?" + BuildQuery(query));
  if (!body.ok()) return Fail(ctx, body.status());
  if (o.out.empty()) {
    ctx.io.out << *body;
    return kExitOk;
  }
  if (auto st = WriteFile(o.out, *body); !st.ok()) return Fail(ctx, st);
  ctx.io.err << "wrote " << o.out << " (" << body->size() << " bytes)\n";
  return kExitOk;
}

}  // namespace

Handler SetupReport(CLI::App& command) {
  auto o = std::make_shared<ReportOptions>();
  command.add_option("--week", o->week, "ISO week, e.g. 2026-W47 (default: the last complete week)")
      ->type_name("YYYY-Www");
  command.add_option("--agency", o->agency, "only links reported by this agency");
  command.add_option("--category", o->category, "only links of this category");
  command.add_option("--format", o->format, "md (default; json with --json), csv, json or html")
      ->check(CLI::IsMember({"md", "csv", "json", "html"}));
  command.add_option("--out", o->out, "write the report to this file instead of printing it")->type_name("FILE");
  return [o](Context& ctx) { return RunReport(ctx, *o); };
}

}  // namespace linkwatch::cli
