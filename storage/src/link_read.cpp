#include "ops.h"
#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

const std::string kLinkSelect =
    "SELECT l.id, l.canonical_url, l.submitted_url, l.host, l.origin, l.review_state, "
    "l.category, l.status, l.flagged, l.last_checked_at, l.next_check_at, l.http_status, "
    "l.final_url, l.views, l.shares, l.removed_since, l.created_at, "
    "(SELECT a.name FROM report r JOIN agency a ON a.id = r.agency_id "
    " WHERE r.link_id = l.id ORDER BY r.id LIMIT 1), "
    "l.reappeared_at, l.matches, l.rules_version, l.flagged_at, l.last_flagged_at, "
    "l.likes, l.comments, l.cluster_id, l.found_from, "
    "(SELECT f.canonical_url FROM link f WHERE f.id = l.found_from), l.depth, l.reviewed_at, "
    "l.review_reason, l.found_reason "
    "FROM link l ";

std::optional<int> OptInt32(const Stmt& s, int col) {
  auto v = s.OptInt(col);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

Link ReadLink(const Stmt& s) {
  Link l;
  l.id = s.Int(0);
  l.canonical_url = s.Text(1);
  l.submitted_url = s.Text(2);
  l.host = s.Text(3);
  l.origin = s.Text(4);
  l.review_state = s.Text(5);
  l.category = s.Text(6);
  l.status = s.Text(7);
  l.flagged = s.Int(8) != 0;
  l.last_checked_at = s.OptInt(9);
  l.next_check_at = s.OptInt(10);
  l.http_status = OptInt32(s, 11);
  l.final_url = s.Text(12);
  l.views = s.OptInt(13);
  l.shares = s.OptInt(14);
  l.removed_since = s.OptInt(15);
  l.created_at = s.Int(16);
  l.first_agency = s.Text(17);
  l.reappeared_at = s.OptInt(18);
  l.matches = s.Text(19);
  l.rules_version = s.Text(20);
  l.flagged_at = s.OptInt(21);
  l.last_flagged_at = s.OptInt(22);
  l.likes = s.OptInt(23);
  l.comments = s.OptInt(24);
  l.cluster_id = s.OptInt(25);
  l.found_from = s.OptInt(26);
  l.found_from_url = s.Text(27);
  l.depth = static_cast<int>(s.Int(28));
  l.reviewed_at = s.OptInt(29);
  l.review_reason = s.Text(30);
  l.found_reason = s.Text(31);
  return l;
}

Report ReadReport(const Stmt& s) {
  Report r;
  r.id = s.Int(0);
  r.agency = s.Text(1);
  r.legal_basis = s.Text(2);
  r.category = s.Text(3);
  r.note = s.Text(4);
  r.reported_at = s.Int(5);
  r.duplicate = s.Int(6) != 0;
  return r;
}

Status FillReports(Db& db, Link& link) {
  auto stmt = db.Prepare(
      "SELECT r.id, a.name, r.legal_basis, r.category, r.note, r.reported_at, r.duplicate "
      "FROM report r JOIN agency a ON a.id = r.agency_id "
      "WHERE r.link_id = ?1 ORDER BY r.reported_at, r.id");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, link.id);
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    link.reports.push_back(ReadReport(*stmt));
  }
}

// Runs a one-link query whose only parameter is bound by `bind`, then adds the reports.
template <typename Binder>
Result<Link> QueryOneLink(Db& db, const std::string& where, Binder bind,
                          const std::string& missing, TimeMs now) {
  Link link;
  {
    auto stmt = db.Prepare(kLinkSelect + where);
    if (!stmt.ok()) return stmt.status();
    bind(*stmt);
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound(missing);
    link = ReadLink(*stmt);
  }
  if (auto st = FillReports(db, link); !st.ok()) return st;
  auto stmt = db.Prepare("SELECT count(*) FROM evidence WHERE link_id = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, link.id).Step();
  if (!row.ok()) return row.status();
  link.evidence_count = *row ? stmt->Int(0) : 0;
  if (auto st = FillReach(db, now, link); !st.ok()) return st;
  return link;
}

// A LIKE pattern matching `text` anywhere, with the wildcards in it escaped.
std::string ContainsPattern(std::string_view text) {
  std::string p = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') p += '\\';
    p += c;
  }
  return p + "%";
}

// One SQL text per combination of filter fields, so each is prepared once.
std::string ListSql(const LinkFilter& f) {
  std::string sql = kLinkSelect + "WHERE l.id > :after";
  if (f.status) sql += " AND l.status = :status";
  if (f.category) sql += " AND l.category = :category";
  if (f.origin) sql += " AND l.origin = :origin";
  if (f.flagged) sql += " AND l.flagged = :flagged";
  if (f.agency) {
    sql += " AND EXISTS (SELECT 1 FROM report r JOIN agency a ON a.id = r.agency_id"
           " WHERE r.link_id = l.id AND a.name = :agency)";
  }
  if (f.text) {
    sql += " AND (l.canonical_url LIKE :text ESCAPE '\\' OR EXISTS (SELECT 1 FROM report r"
           " WHERE r.link_id = l.id AND r.note LIKE :text ESCAPE '\\'))";
  }
  return sql + " ORDER BY l.id LIMIT :limit";
}

void BindFilter(Stmt& stmt, const LinkFilter& f) {
  stmt.Bind(":after", f.after_id).Bind(":limit", int64_t{f.limit} + 1);
  if (f.status) stmt.Bind(":status", *f.status);
  if (f.category) stmt.Bind(":category", *f.category);
  if (f.origin) stmt.Bind(":origin", *f.origin);
  if (f.flagged) stmt.Bind(":flagged", int64_t{*f.flagged ? 1 : 0});
  if (f.agency) stmt.Bind(":agency", *f.agency);
  if (f.text) stmt.Bind(":text", ContainsPattern(*f.text));
}

}  // namespace

Result<Link> QueryLink(Db& db, int64_t id, TimeMs now) {
  return QueryOneLink(
      db, "WHERE l.id = ?1", [id](Stmt& s) { s.Bind(1, id); },
      "no link with id " + std::to_string(id), now);
}

Result<Link> QueryLinkByUrl(Db& db, std::string_view canonical_url, TimeMs now) {
  return QueryOneLink(
      db, "WHERE l.canonical_url = ?1", [canonical_url](Stmt& s) { s.Bind(1, canonical_url); },
      "no link with URL " + std::string(canonical_url), now);
}

Result<LinkPage> QueryReview(Db& db, const std::string& review_state, int limit, int64_t after_id) {
  auto stmt = db.Prepare(kLinkSelect +
                         "WHERE l.origin = 'discovered' AND l.review_state = ?1 AND l.id > ?2 "
                         "ORDER BY l.id LIMIT ?3");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, review_state).Bind(2, after_id).Bind(3, int64_t{limit} + 1);
  LinkPage page;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return page;
    if (page.links.size() == static_cast<size_t>(limit)) {
      page.next_after_id = page.links.back().id;
      return page;
    }
    page.links.push_back(ReadLink(*stmt));
  }
}

Result<LinkPage> QueryLinks(Db& db, const LinkFilter& filter) {
  auto stmt = db.Prepare(ListSql(filter));
  if (!stmt.ok()) return stmt.status();
  BindFilter(*stmt, filter);
  LinkPage page;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (page.links.size() == static_cast<size_t>(filter.limit)) {
      page.next_after_id = page.links.back().id;  // a further row exists
      break;
    }
    page.links.push_back(ReadLink(*stmt));
  }
  return page;
}

}  // namespace linkwatch::storage
