#include <optional>
#include <utility>

#include "json_text.h"
#include "ops.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

struct FirstReport {
  std::string agency;
  TimeMs at = 0;
};

Result<std::string> AgencyName(Db& db, int64_t agency_id) {
  auto stmt = db.Prepare("SELECT name FROM agency WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, agency_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return Status::InvalidArgument("the actor's agency id " + std::to_string(agency_id) +
                                   " does not exist");
  }
  return stmt->Text(0);
}

Result<int64_t> FindLinkId(Db& db, const std::string& canonical_url) {
  auto stmt = db.Prepare("SELECT id FROM link WHERE canonical_url = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, canonical_url).Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("link " + canonical_url + " vanished inside a transaction");
  return stmt->Int(0);
}

// The link's id and whether this call created it. Inserting first and looking
// up only on conflict saves a lookup in the common case of a new link.
Result<std::pair<int64_t, bool>> InsertOrFindLink(Db& db, const Submission& s, TimeMs now) {
  auto stmt = db.Prepare(
      "INSERT INTO link (canonical_url, submitted_url, host, origin, review_state, category, "
      "status, next_check_at, created_at) "
      "VALUES (?1, ?2, ?3, 'registered', 'confirmed', ?4, 'pending', ?5, ?5) "
      "ON CONFLICT (canonical_url) DO NOTHING");
  if (!stmt.ok()) return stmt.status();
  const std::string& submitted = s.submitted_url.empty() ? s.canonical_url : s.submitted_url;
  stmt->Bind(1, s.canonical_url).Bind(2, submitted).Bind(3, s.host).Bind(4, s.category);
  if (auto st = stmt->Bind(5, now).Run(); !st.ok()) return st;
  if (db.Changes() == 1) return std::make_pair(db.LastInsertId(), true);
  auto existing = FindLinkId(db, s.canonical_url);
  if (!existing.ok()) return existing.status();
  return std::make_pair(*existing, false);
}

// The agency's earlier report of the link with the same basis and category, if any.
Result<std::optional<int64_t>> FindSameReport(Db& db, const Actor& actor, int64_t link_id,
                                              const Submission& s) {
  auto stmt = db.Prepare(
      "SELECT id FROM report WHERE link_id = ?1 AND agency_id = ?2 AND legal_basis = ?3 "
      "AND category = ?4 ORDER BY id LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, link_id).Bind(2, actor.agency_id).Bind(3, s.legal_basis).Bind(4, s.category);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->Int(0));
}

Result<int64_t> InsertReport(Db& db, const Actor& actor, int64_t link_id, const Submission& s,
                             TimeMs now, bool duplicate) {
  auto stmt = db.Prepare(
      "INSERT INTO report (link_id, agency_id, token_id, reported_at, legal_basis, category, "
      "note, duplicate) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!stmt.ok()) return stmt.status();
  const std::optional<int64_t> token =
      actor.token_id == 0 ? std::nullopt : std::optional<int64_t>(actor.token_id);
  stmt->Bind(1, link_id).Bind(2, actor.agency_id).Bind(3, token).Bind(4, now);
  stmt->Bind(5, s.legal_basis).Bind(6, s.category).Bind(7, s.note);
  if (auto st = stmt->Bind(8, int64_t{duplicate ? 1 : 0}).Run(); !st.ok()) return st;
  return db.LastInsertId();
}

// The report that first named the link: the earliest recorded one.
Result<FirstReport> LoadFirstReport(Db& db, int64_t link_id) {
  auto stmt = db.Prepare(
      "SELECT a.name, r.reported_at FROM report r JOIN agency a ON a.id = r.agency_id "
      "WHERE r.link_id = ?1 ORDER BY r.id LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, link_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("link " + std::to_string(link_id) + " has no report");
  return FirstReport{stmt->Text(0), stmt->Int(1)};
}

Status AuditRegistration(WriteContext& ctx, const Actor& actor, const Submission& s,
                         const SubmissionResult& r) {
  nlohmann::json detail = {{"url", s.canonical_url},
                           {"basis", s.legal_basis},
                           {"category", s.category},
                           {"report", r.report_id}};
  if (!r.confirmed_finding.empty()) detail["confirms_finding"] = r.confirmed_finding;
  const char* action = r.repeated    ? "link.register.repeat"
                       : r.duplicate ? "link.register.duplicate"
                                     : "link.register";
  return AppendAuditRow(ctx, actor, action, "link:" + std::to_string(r.link_id), JsonText(detail))
      .status();
}

Result<SubmissionResult> RegisterOne(WriteContext& ctx, const Actor& actor,
                                     const std::string& agency_name, const Submission& s) {
  const TimeMs now = ctx.clock.Now();
  auto link = InsertOrFindLink(ctx.db, s, now);
  if (!link.ok()) return link.status();
  SubmissionResult r;
  r.link_id = link->first;
  r.duplicate = !link->second;
  if (r.duplicate) {
    // A machine finding no agency reported yet: this is its first report.
    auto finding = ctx.db.Prepare(
        "SELECT review_state FROM link WHERE id = ?1 AND review_state <> 'confirmed' "
        "AND NOT EXISTS (SELECT 1 FROM report WHERE link_id = ?1)");
    if (!finding.ok()) return finding.status();
    auto row = finding->Bind(1, r.link_id).Step();
    if (!row.ok()) return row.status();
    if (*row) {
      r.confirmed_finding = finding->Text(0);
      r.duplicate = false;
    }
  }
  if (!r.duplicate) {
    r.first_agency = agency_name;
    r.first_reported_at = now;
  }
  if (r.duplicate) {
    auto same = FindSameReport(ctx.db, actor, r.link_id, s);
    if (!same.ok()) return same.status();
    if (*same) {
      r.repeated = true;
      r.report_id = **same;
    }
  }
  if (!r.repeated) {
    auto report = InsertReport(ctx.db, actor, r.link_id, s, now, r.duplicate);
    if (!report.ok()) return report.status();
    r.report_id = *report;
  }
  if (!link->second && !r.repeated) {
    // An agency vouching for a discovered link confirms it (and a rejected one
    // is monitored again): a registration is a person's decision with a basis.
    // A rejection's reason stays in the audit log, not on a confirmed link.
    auto confirm = ctx.db.Prepare(
        "UPDATE link SET review_state = 'confirmed', reviewed_at = ?2, review_reason = NULL, "
        "next_check_at = coalesce(next_check_at, ?2) WHERE id = ?1 AND review_state <> 'confirmed'");
    if (!confirm.ok()) return confirm.status();
    if (auto st = confirm->Bind(1, r.link_id).Bind(2, now).Run(); !st.ok()) return st;
  }
  if (r.duplicate) {
    // After our own insert: a link found by the crawler may have had no report yet.
    auto first = LoadFirstReport(ctx.db, r.link_id);
    if (!first.ok()) return first.status();
    r.first_agency = std::move(first->agency);
    r.first_reported_at = first->at;
  }
  if (auto st = AuditRegistration(ctx, actor, s, r); !st.ok()) return st;
  return r;
}

}  // namespace

Result<std::vector<SubmissionResult>> RegisterAll(WriteContext& ctx, const Actor& actor,
                                                  const std::vector<Submission>& submissions) {
  auto agency_name = AgencyName(ctx.db, actor.agency_id);
  if (!agency_name.ok()) return agency_name.status();
  std::vector<SubmissionResult> results;
  results.reserve(submissions.size());
  for (const Submission& s : submissions) {
    auto r = RegisterOne(ctx, actor, *agency_name, s);
    if (!r.ok()) return r.status();
    results.push_back(std::move(*r));
  }
  return results;
}

}  // namespace linkwatch::storage
