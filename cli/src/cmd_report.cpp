// report: the weekly report, rendered by the daemon (GET /v1/report), printed
// or written to a file.
#include <cerrno>
#include <cstring>
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

Status CannotWrite(const std::string& path, const std::string& why) {
  return Status::IOError("cannot write " + path + ": " + why);
}

// Writes `body` straight into `path`; "" or why it failed.
std::string WriteBytes(const std::filesystem::path& path, const std::string& body) {
  errno = 0;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) f.write(body.data(), static_cast<std::streamsize>(body.size()));
  if (f) f.close();
  if (f) return {};
  return errno != 0 ? std::strerror(errno) : "write failed";
}

// A regular file (or a new one) is written beside itself and renamed into
// place, so a reader never sees half a report; a symbolic link is followed to
// the file it names. A directory is refused; a device or a pipe is written to.
Status WriteReport(const std::string& out, const std::string& body) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path path = fs::weakly_canonical(fs::path(out), ec);
  if (ec) return CannotWrite(out, ec.message());
  const fs::file_status st = fs::status(path, ec);
  if (fs::is_directory(st)) return CannotWrite(out, "it is a directory");
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    const std::string why = WriteBytes(path, body);
    return why.empty() ? Status::Ok() : CannotWrite(out, why);
  }
  fs::path tmp = path;
  tmp += ".tmp";
  std::string why = WriteBytes(tmp, body);
  if (why.empty()) {
    fs::rename(tmp, path, ec);
    if (ec) why = ec.message();
  }
  if (why.empty()) return Status::Ok();
  fs::remove(tmp, ec);
  return CannotWrite(out, why);
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
  if (auto st = WriteReport(o.out, *body); !st.ok()) return Fail(ctx, st);
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
