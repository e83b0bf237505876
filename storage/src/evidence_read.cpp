// Evidence snapshots and their content-addressed bodies.
#include "linkwatch/base/sha256.h"
#include "linkwatch/base/zstd.h"
#include "ops.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

// A stored body is never larger than the fetcher's cap; this bounds a corrupt row.
constexpr size_t kMaxEvidenceBodyBytes = size_t{64} << 20;

EvidenceInfo ReadEvidence(const Stmt& s) {
  EvidenceInfo e;
  e.id = s.Int(0);
  e.link_id = s.Int(1);
  e.check_id = s.Int(2);
  e.sha256 = s.Text(3);
  e.fetched_at = s.Int(4);
  e.final_url = s.Text(5);
  if (auto http = s.OptInt(6)) e.http_status = static_cast<int>(*http);
  e.headers = s.Text(7);
  e.matches = s.Text(8);
  e.rules_version = s.Text(9);
  e.body_bytes = s.Int(10);
  e.stored_bytes = s.Int(11);
  return e;
}

}  // namespace

Result<std::vector<EvidenceInfo>> QueryEvidence(Db& db, int64_t link_id) {
  if (auto st = CheckLinkExists(db, link_id); !st.ok()) return st;
  auto stmt = db.Prepare(
      "SELECT e.id, e.link_id, e.check_id, e.sha256, e.fetched_at, e.final_url, e.http_status, "
      "e.headers, e.matches, e.rules_version, b.bytes, length(b.zstd) "
      "FROM evidence e JOIN blob b ON b.sha256 = e.sha256 "
      "WHERE e.link_id = ?1 ORDER BY e.fetched_at, e.id");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, link_id);
  std::vector<EvidenceInfo> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadEvidence(*stmt));
  }
}

Result<std::string> QueryEvidenceBody(Db& db, std::string_view sha256) {
  auto stmt = db.Prepare("SELECT bytes, zstd FROM blob WHERE sha256 = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, sha256).Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no evidence body with SHA-256 " + std::string(sha256));
  const auto declared = static_cast<size_t>(stmt->Int(0));
  auto body = ZstdDecompress(stmt->Blob(1), std::min(declared, kMaxEvidenceBodyBytes));
  if (!body.ok()) {
    return Status::Corruption("evidence body " + std::string(sha256) +
                              " does not decode: " + body.status().message());
  }
  if (Sha256Hex(*body) != sha256) {
    return Status::Corruption("evidence body " + std::string(sha256) +
                              " does not match its SHA-256");
  }
  return body;
}

}  // namespace linkwatch::storage
