// evidence: a link's snapshots, listed or exported for a third party.
//
// An export directory holds each snapshot's body as fetched, manifest.json
// (link, legal bases, and per snapshot its SHA-256, size, fetch time, final
// URL, HTTP status, response headers, rule set version and matched rules with
// excerpts) and SHA256SUMS, so that `sha256sum -c SHA256SUMS` checks every
// file without linkwatch.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "format.h"
#include "linkwatch/base/sha256.h"
#include "linkwatch/base/time.h"

namespace linkwatch::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kManifest[] = "manifest.json";
constexpr char kSums[] = "SHA256SUMS";

struct EvidenceOptions {
  std::string target;  // link id or URL
  std::string export_dir;
};

// "html" for an HTML response, "txt" for text, "bin" otherwise.
std::string Extension(const json& headers) {
  for (const auto& h : headers) {
    if (!h.is_array() || h.size() != 2 || !h[0].is_string() || !h[1].is_string()) continue;
    std::string name = h[0].get<std::string>();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name != "content-type") continue;
    const std::string v = h[1].get<std::string>();
    if (v.find("html") != std::string::npos) return "html";
    if (v.find("text/") != std::string::npos) return "txt";
  }
  return "bin";
}

// An export directory is new or empty: never mix two exports.
Status PrepareDir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return Status::InvalidArgument("export directory " + dir + " is a file, not a directory");
  }
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return Status::InvalidArgument("export directory " + dir + " is not empty");
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  return Status::Ok();
}

Status WriteFile(const fs::path& path, const std::string& bytes) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    return Status::IOError("cannot write " + path.string() + ": " +
                           (errno != 0 ? std::strerror(errno) : "write failed"));
  }
  return Status::Ok();
}

// Downloads each body, checks its digest, writes it; returns the manifest entries.
Result<json> ExportBodies(ApiClient& api, const json& snapshots, const fs::path& dir,
                          std::string& sums) {
  json entries = json::array();
  int n = 0;
  for (json s : snapshots) {
    const std::string sha = FieldText(s, "sha256");
    Result<std::string> body = api.Download("/v1/evidence/" + sha);
    if (!body.ok()) return body.status();
    if (Sha256Hex(*body) != sha) {
      return Status::Corruption("the daemon's body for evidence " + sha + " does not match its SHA-256");
    }
    const std::string name = "snapshot-" + std::to_string(++n) + "-" + sha.substr(0, 16) + "." +
                             Extension(Member(s, "headers"));
    if (auto st = WriteFile(dir / name, *body); !st.ok()) return st;
    sums += sha + "  " + name + "\n";
    s["file"] = name;
    entries.push_back(std::move(s));
  }
  return entries;
}

int RunExport(Context& ctx, ApiClient& api, const json& listing, const std::string& dir) {
  if (auto st = PrepareDir(dir); !st.ok()) return Fail(ctx, st);
  std::string sums;
  Result<json> entries = ExportBodies(api, Member(listing, "evidence"), dir, sums);
  if (!entries.ok()) return Fail(ctx, entries.status());
  json manifest = {{"format", "linkwatch evidence export 1"},
                   {"exported_at", FormatIso8601(SystemClock::Instance().Now())},
                   {"link_id", Member(listing, "link_id")},
                   {"canonical_url", Member(listing, "canonical_url")},
                   {"status", Member(listing, "status")},
                   {"reports", Member(listing, "reports")},
                   {"snapshots", *entries},
                   {"verify", "sha256sum -c SHA256SUMS"}};
  const std::string text = manifest.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  if (auto st = WriteFile(fs::path(dir) / kManifest, text); !st.ok()) return Fail(ctx, st);
  sums += Sha256Hex(text) + "  " + kManifest + "\n";
  if (auto st = WriteFile(fs::path(dir) / kSums, sums); !st.ok()) return Fail(ctx, st);
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, manifest);
  } else {
    ctx.io.out << "exported " << entries->size() << " snapshot(s) of link #"
               << FieldText(listing, "link_id") << " to " << dir << "\n"
               << "verify: (cd " << dir << " && sha256sum -c " << kSums << ")\n";
  }
  return kExitOk;
}

void PrintListing(std::ostream& out, const json& listing) {
  out << "link #" << FieldText(listing, "link_id") << "  " << FieldText(listing, "canonical_url")
      << "  (" << Member(listing, "evidence").size() << " snapshots)\n";
  PrintJsonTable(out,
                 {{"ID", "id"},
                  {"FETCHED", "fetched_at"},
                  {"HTTP", "http_status"},
                  {"BYTES", "bytes"},
                  {"STORED", "stored_bytes"},
                  {"SHA-256", "sha256"},
                  {"FINAL URL", "final_url"}},
                 Member(listing, "evidence"));
}

int RunEvidence(Context& ctx, const EvidenceOptions& o) {
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return Fail(ctx, api.status());
  Result<int64_t> id = ResolveLinkId(**api, o.target);
  if (!id.ok()) return Fail(ctx, id.status());
  Result<json> listing = BodyOf((*api)->Get("/v1/links/" + std::to_string(*id) + "/evidence"));
  if (!listing.ok()) return Fail(ctx, listing.status());
  if (!o.export_dir.empty()) return RunExport(ctx, **api, *listing, o.export_dir);
  if (ctx.flags.json) {
    PrintJson(ctx.io.out, *listing);
  } else {
    PrintListing(ctx.io.out, *listing);
  }
  return kExitOk;
}

}  // namespace

Handler SetupEvidence(CLI::App& command) {
  auto o = std::make_shared<EvidenceOptions>();
  command.add_option("LINK", o->target, "link id, or a URL")
      ->required()
      ->type_name("URL|ID")
      ->check(LinkArgument());
  command.add_option("--export", o->export_dir,
                     "write the snapshots, manifest.json and SHA256SUMS into this new directory");
  return [o](Context& ctx) { return RunEvidence(ctx, *o); };
}

}  // namespace linkwatch::cli
