#include "schema.h"

#include <string>
#include <vector>

#include "sqlite_db.h"

namespace linkwatch::storage {
namespace {

struct Migration {
  int version;
  const char* sql;               // run first; may be empty
  Status (*code)(Db&) = nullptr;  // then this, when set
};

// Version 1: every fact of the data model (DESIGN.md), even those that later
// components fill. Times are INTEGER milliseconds since the Unix epoch.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE agency (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
);

CREATE TABLE token (
  id          INTEGER PRIMARY KEY,
  agency_id   INTEGER NOT NULL REFERENCES agency(id),
  role        TEXT    NOT NULL CHECK (role IN ('operator', 'reviewer', 'admin')),
  token_hash  TEXT    NOT NULL UNIQUE,   -- hex SHA-256 of the secret
  label       TEXT    NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER                    -- NULL while the token is live
);
CREATE INDEX token_agency ON token(agency_id);

-- Pages that carry the same (or near-same) content; size = repost count.
CREATE TABLE cluster (
  id          INTEGER PRIMARY KEY,
  fingerprint TEXT    NOT NULL UNIQUE,   -- content hash that names the cluster
  simhash     INTEGER,
  created_at  INTEGER NOT NULL
);
CREATE INDEX cluster_simhash ON cluster(simhash);

CREATE TABLE link (
  id              INTEGER PRIMARY KEY,
  canonical_url   TEXT    NOT NULL UNIQUE,
  submitted_url   TEXT    NOT NULL,        -- first submitted form
  host            TEXT    NOT NULL,
  origin          TEXT    NOT NULL CHECK (origin IN ('registered', 'discovered')),
  review_state    TEXT    NOT NULL CHECK (review_state IN ('confirmed', 'pending', 'rejected')),
  category        TEXT    NOT NULL DEFAULT '',
  status          TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'alive', 'removed', 'blocked', 'unreachable')),
  flagged         INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
  last_checked_at INTEGER,
  next_check_at   INTEGER,
  http_status     INTEGER,
  final_url       TEXT,
  cluster_id      INTEGER REFERENCES cluster(id),
  views           INTEGER,
  shares          INTEGER,
  removed_since   INTEGER,                 -- first time seen removed (this removal)
  created_at      INTEGER NOT NULL,
  found_from      INTEGER REFERENCES link(id),  -- discovered links: the page that led here
  lease_until     INTEGER,                 -- scheduler lease: a check is in flight until then
  lease_owner     TEXT
);
-- Due links: the scheduler asks per status (five values), so no index on
-- next_check_at alone. Partial indexes cost nothing for the many NULL rows.
CREATE INDEX link_status_next ON link(status, next_check_at);
CREATE INDEX link_host        ON link(host);
CREATE INDEX link_category    ON link(category);
CREATE INDEX link_cluster     ON link(cluster_id) WHERE cluster_id IS NOT NULL;
CREATE INDEX link_found_from  ON link(found_from) WHERE found_from IS NOT NULL;
CREATE INDEX link_leased      ON link(lease_until) WHERE lease_until IS NOT NULL;

CREATE TABLE report (
  id           INTEGER PRIMARY KEY,
  link_id      INTEGER NOT NULL REFERENCES link(id),
  agency_id    INTEGER NOT NULL REFERENCES agency(id),
  token_id     INTEGER REFERENCES token(id),  -- NULL for the local bootstrap actor
  reported_at  INTEGER NOT NULL,
  legal_basis  TEXT    NOT NULL,
  category     TEXT    NOT NULL,
  note         TEXT    NOT NULL DEFAULT '',
  duplicate    INTEGER NOT NULL CHECK (duplicate IN (0, 1))
);
CREATE INDEX report_link        ON report(link_id, reported_at);
CREATE INDEX report_agency_time ON report(agency_id, reported_at);
CREATE INDEX report_time        ON report(reported_at);

-- "check" is an SQL keyword, hence link_check.
CREATE TABLE link_check (
  id             INTEGER PRIMARY KEY,
  link_id        INTEGER NOT NULL REFERENCES link(id),
  checked_at     INTEGER NOT NULL,
  http_status    INTEGER,
  status_class   TEXT    NOT NULL
                 CHECK (status_class IN ('alive', 'removed', 'blocked', 'unreachable')),
  final_url      TEXT,
  redirect_chain TEXT    NOT NULL DEFAULT '[]',  -- JSON array of URLs
  elapsed_ms     INTEGER,
  bytes          INTEGER,
  content_hash   TEXT,
  simhash        INTEGER,
  matched_rules  TEXT    NOT NULL DEFAULT '[]',  -- JSON array
  views          INTEGER,
  shares         INTEGER,
  error          TEXT,
  etag           TEXT,
  last_modified  TEXT,
  rules_version  TEXT
);
CREATE INDEX link_check_link_time ON link_check(link_id, checked_at);
CREATE INDEX link_check_time      ON link_check(checked_at);

-- Content-addressed snapshots, kept when a link is first flagged and when its content changes.
CREATE TABLE evidence (
  sha256      TEXT    PRIMARY KEY,         -- of the uncompressed body
  link_id     INTEGER NOT NULL REFERENCES link(id),
  fetched_at  INTEGER NOT NULL,
  final_url   TEXT    NOT NULL,
  headers     TEXT    NOT NULL DEFAULT '{}',  -- JSON
  body_zstd   BLOB    NOT NULL,
  body_bytes  INTEGER NOT NULL,            -- uncompressed size
  matches     TEXT    NOT NULL DEFAULT '[]'   -- JSON: rule hits with excerpts
);  -- a rowid table: WITHOUT ROWID suits small rows, not bodies of many KiB
CREATE INDEX evidence_link ON evidence(link_id, fetched_at);

-- Hash-chained log of every action; ids are consecutive (a gap is a deleted row).
CREATE TABLE audit (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  token_id   INTEGER NOT NULL,   -- 0: local bootstrap
  agency     TEXT    NOT NULL,
  action     TEXT    NOT NULL,
  target     TEXT    NOT NULL,
  detail     TEXT    NOT NULL,   -- JSON
  prev_hash  TEXT    NOT NULL,
  hash       TEXT    NOT NULL
);
)sql";

// Version 2: the scheduler and status classification (issue 3). Confirmation
// of a status change (candidate_*), backoff, conditional-request validators,
// reappearance, and leases that name their holder (lease_id) so a late or
// repeated result is never recorded twice.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE link ADD COLUMN candidate_status TEXT NOT NULL DEFAULT ''
  CHECK (candidate_status IN ('', 'alive', 'removed', 'blocked', 'unreachable'));
ALTER TABLE link ADD COLUMN candidate_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE link ADD COLUMN backoff_step    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE link ADD COLUMN etag            TEXT;   -- of the last check with a body
ALTER TABLE link ADD COLUMN last_modified   TEXT;
ALTER TABLE link ADD COLUMN content_hash    TEXT;
ALTER TABLE link ADD COLUMN reappeared_at   INTEGER; -- last time a removed link was alive again
ALTER TABLE link ADD COLUMN lease_id        INTEGER; -- set with lease_until; NULL when free

ALTER TABLE link_check ADD COLUMN truncated    INTEGER NOT NULL DEFAULT 0
  CHECK (truncated IN (0, 1));
ALTER TABLE link_check ADD COLUMN not_modified INTEGER NOT NULL DEFAULT 0
  CHECK (not_modified IN (0, 1));

-- Due links that nobody holds, in the order the scheduler takes them
-- (registered before discovered, earliest first). Leased links leave this
-- index; expired leases are found through link_leased.
CREATE INDEX link_due ON link(origin, next_check_at) WHERE lease_until IS NULL;

-- Named counters; 'lease' is the last lease id handed out.
CREATE TABLE counter (
  name   TEXT    PRIMARY KEY,
  value  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counter (name, value) VALUES ('lease', 0);
)sql";

// Version 3: rule judgements and evidence (issue 4). The link keeps the hits
// of the content it last judged (so an unchanged body is not matched again)
// and when it was first and last flagged; a check row says whether it was
// flagged and why its status was what it was. v1's evidence table was a
// placeholder that nothing wrote: a snapshot belongs to one link and check,
// while its bytes are content-addressed and shared (the same page reposted
// under many URLs is stored once).
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE link ADD COLUMN matches         TEXT NOT NULL DEFAULT '[]';  -- JSON: hits of the last judged content
ALTER TABLE link ADD COLUMN rules_version   TEXT;     -- rule set that judged content_hash
ALTER TABLE link ADD COLUMN flagged_at      INTEGER;  -- first check that flagged the page
ALTER TABLE link ADD COLUMN last_flagged_at INTEGER;  -- latest check that flagged it

ALTER TABLE link_check ADD COLUMN flagged INTEGER CHECK (flagged IN (0, 1));  -- NULL: not judged
ALTER TABLE link_check ADD COLUMN reason  TEXT;  -- why the status, when the HTTP status does not say

DROP TABLE evidence;
CREATE TABLE blob (
  sha256  TEXT    PRIMARY KEY,   -- of the uncompressed bytes
  bytes   INTEGER NOT NULL,      -- uncompressed size
  zstd    BLOB    NOT NULL
);
CREATE TABLE evidence (
  id            INTEGER PRIMARY KEY,
  link_id       INTEGER NOT NULL REFERENCES link(id),
  check_id      INTEGER NOT NULL REFERENCES link_check(id),
  sha256        TEXT    NOT NULL REFERENCES blob(sha256),
  fetched_at    INTEGER NOT NULL,
  final_url     TEXT    NOT NULL,
  http_status   INTEGER,
  headers       TEXT    NOT NULL DEFAULT '[]',  -- JSON [[name, value], ...] of the response
  matches       TEXT    NOT NULL DEFAULT '[]',  -- JSON: rule and hash hits with excerpts
  rules_version TEXT    NOT NULL
);
CREATE INDEX evidence_link ON evidence(link_id, fetched_at);
)sql";

// Version 4: reach and spread (issue 5). Counters per check and the latest on
// the link; the content fingerprint and SimHash of a flagged page and the
// cluster it belongs to; discovery depth; review decisions; candidates found
// on flagged pages, remembered so that nothing is fetched twice too soon and a
// rejected link never again.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE link ADD COLUMN likes         INTEGER;
ALTER TABLE link ADD COLUMN comments      INTEGER;
ALTER TABLE link ADD COLUMN fingerprint   TEXT;     -- SHA-256 of the normalized main text (flagged pages)
ALTER TABLE link ADD COLUMN simhash       INTEGER;  -- its SimHash, the 64 bits as a signed integer
ALTER TABLE link ADD COLUMN depth         INTEGER NOT NULL DEFAULT 0;  -- links followed from a registered one
ALTER TABLE link ADD COLUMN reviewed_at   INTEGER;
ALTER TABLE link ADD COLUMN review_reason TEXT;     -- why a reviewer rejected it

ALTER TABLE link_check ADD COLUMN likes       INTEGER;
ALTER TABLE link_check ADD COLUMN comments    INTEGER;
ALTER TABLE link_check ADD COLUMN fingerprint TEXT;

CREATE INDEX link_review ON link(review_state, id) WHERE origin = 'discovered';
CREATE INDEX link_check_views ON link_check(link_id, checked_at) WHERE views IS NOT NULL;

-- Outlinks of flagged pages, considered for discovery. state: queued (to fetch),
-- nothing (fetched, matched nothing: not fetched again before next_at),
-- discovered (became link_id, or was a link already), rejected (a reviewer said no).
CREATE TABLE candidate (
  key          TEXT    PRIMARY KEY,      -- canonical key, as link.canonical_url
  url          TEXT    NOT NULL,         -- canonical URL to fetch
  host         TEXT    NOT NULL,
  found_from   INTEGER NOT NULL REFERENCES link(id),
  depth        INTEGER NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('queued', 'nothing', 'discovered', 'rejected')),
  created_at   INTEGER NOT NULL,
  checked_at   INTEGER,
  next_at      INTEGER,
  lease_until  INTEGER,
  link_id      INTEGER REFERENCES link(id)
) WITHOUT ROWID;
CREATE INDEX candidate_due ON candidate(next_at) WHERE state = 'queued';
CREATE INDEX candidate_created ON candidate(created_at);
)sql";

// Version 5: the weekly report (issue 6). Status transitions by time (so no
// report scans audit or link_check), a per-link weekly views rollup (views
// history and growth without reading link_check), and a covering index for
// the report's one pass over the links. Both tables are backfilled: the
// transitions from the audit rows "link.status", the views from link_check.
// A week is named by its Monday 00:00 UTC in ms (1970-01-05 was a Monday).
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE link_transition (
  id            INTEGER PRIMARY KEY,
  link_id       INTEGER NOT NULL REFERENCES link(id),
  at            INTEGER NOT NULL,    -- the check that confirmed the new status
  from_status   TEXT    NOT NULL,
  to_status     TEXT    NOT NULL,
  host          TEXT    NOT NULL,    -- the link's, for per-host figures
  removed_since INTEGER,             -- to removed: first seen removed (else at)
  first_removal INTEGER NOT NULL DEFAULT 0 CHECK (first_removal IN (0, 1))
);
CREATE INDEX link_transition_at ON link_transition(
  at, link_id, from_status, to_status, first_removal, removed_since, host);
CREATE INDEX link_transition_link ON link_transition(link_id, at);

INSERT INTO link_transition (link_id, at, from_status, to_status, host, removed_since)
SELECT l.id, a.at, json_extract(a.detail, '$.from'), json_extract(a.detail, '$.to'), l.host,
       CASE WHEN json_extract(a.detail, '$.to') = 'removed' THEN a.at END
FROM audit a JOIN link l ON l.id = CAST(substr(a.target, 6) AS INTEGER)
WHERE a.action = 'link.status' AND a.target LIKE 'link:%'
ORDER BY a.id;
-- The removal a link is still in knows when it was first seen removed.
UPDATE link_transition SET removed_since = (SELECT l.removed_since FROM link l WHERE l.id = link_id)
WHERE to_status = 'removed'
  AND id = (SELECT max(t.id) FROM link_transition t WHERE t.link_id = link_transition.link_id)
  AND (SELECT l.status = 'removed' AND l.removed_since <= link_transition.at FROM link l
       WHERE l.id = link_id);
UPDATE link_transition SET first_removal = 1
WHERE to_status = 'removed' AND NOT EXISTS (
  SELECT 1 FROM link_transition p WHERE p.link_id = link_transition.link_id
    AND p.to_status = 'removed' AND p.id < link_transition.id);

-- Per link and week: the first and the latest views seen in the week, and
-- the latest seen before it (prev_views, NULL when none).
CREATE TABLE link_views_week (
  week        INTEGER NOT NULL,
  link_id     INTEGER NOT NULL REFERENCES link(id),
  first_at    INTEGER NOT NULL,
  first_views INTEGER NOT NULL,
  at          INTEGER NOT NULL,
  views       INTEGER NOT NULL,
  prev_views  INTEGER,
  PRIMARY KEY (week, link_id)
) WITHOUT ROWID;
CREATE INDEX link_views_week_link ON link_views_week(link_id, week, views);

INSERT INTO link_views_week (week, link_id, first_at, first_views, at, views)
SELECT (checked_at - 345600000) / 604800000 * 604800000 + 345600000 AS w, link_id,
       min(checked_at), 0, max(checked_at), 0
FROM link_check WHERE views IS NOT NULL GROUP BY link_id, w;
UPDATE link_views_week SET
  first_views = (SELECT c.views FROM link_check c WHERE c.link_id = link_views_week.link_id
                 AND c.views IS NOT NULL AND c.checked_at = link_views_week.first_at
                 ORDER BY c.id LIMIT 1),
  views = (SELECT c.views FROM link_check c WHERE c.link_id = link_views_week.link_id
           AND c.views IS NOT NULL AND c.checked_at = link_views_week.at
           ORDER BY c.id DESC LIMIT 1);
UPDATE link_views_week SET prev_views = (
  SELECT p.views FROM link_views_week p WHERE p.link_id = link_views_week.link_id
    AND p.week < link_views_week.week ORDER BY p.week DESC LIMIT 1);

-- Links with a report by one agency (the report's agency filter).
CREATE INDEX report_agency_link ON report(agency_id, link_id);

-- The report's pass over every link reads this index, not the table.
CREATE INDEX link_report ON link(
  status, review_state, origin, category, created_at, reviewed_at, views, cluster_id);
)sql";

// Version 6: webhook notifications (issue 6), queued durably so that a
// delivery survives a restart and a failure after the last retry stays visible.
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE notification (
  id           INTEGER PRIMARY KEY,
  event        TEXT    NOT NULL,           -- link.removed, link.reappeared, link.blocked, link.flagged, link.discovered
  link_id      INTEGER REFERENCES link(id),
  webhook      TEXT    NOT NULL,           -- the URL it goes to
  payload      TEXT    NOT NULL,           -- JSON body
  state        TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  next_at      INTEGER,                    -- pending: the next attempt (a lease while one runs)
  last_error   TEXT,
  finished_at  INTEGER
);
CREATE INDEX notification_due ON notification(next_at) WHERE state = 'pending';
CREATE INDEX notification_state ON notification(state, id);
)sql";

// Version 7: the report's registration figures read the week's reports from
// the index alone (it was a table lookup per report).
constexpr const char* kSchemaV7 = R"sql(
DROP INDEX report_time;
CREATE INDEX report_time ON report(reported_at, link_id, agency_id, duplicate);
)sql";

// Version 8: a check writes fewer index entries. link_status_next served
// nothing link_report (status first) and link_due do not; every check moved
// its entry (next_check_at changes each time).
constexpr const char* kSchemaV8 = R"sql(
DROP INDEX link_status_next;
)sql";

// Version 9: CHECK constraints a check evaluates cheaply. SQLite codes
// `x IN (a, b, c, ...)` of more than two values as a temporary b-tree built
// each time the constraint runs (an UPDATE of status, candidate_status or an
// INSERT of a check: about 3 us each, several per check); the same test
// written `x = a OR x = b OR ...` is a few comparisons. The constraints mean
// the same, so the tables' stored SQL is rewritten in place (SQLite's
// documented way to change constraints without rebuilding a table) instead
// of copying every row. The two-value text list of link.origin, cheap
// already, is rewritten too; the integer flags' IN (0, 1) are left as they are.
struct ValueCheck {
  const char* table;
  const char* column;
  std::vector<std::string> values;
};

const ValueCheck kValueChecks[] = {
    {"token", "role", {"operator", "reviewer", "admin"}},
    {"link", "origin", {"registered", "discovered"}},
    {"link", "review_state", {"confirmed", "pending", "rejected"}},
    {"link", "status", {"pending", "alive", "removed", "blocked", "unreachable"}},
    {"link", "candidate_status", {"", "alive", "removed", "blocked", "unreachable"}},
    {"link_check", "status_class", {"alive", "removed", "blocked", "unreachable"}},
    {"candidate", "state", {"queued", "nothing", "discovered", "rejected"}},
    {"notification", "state", {"pending", "delivered", "failed"}},
};

std::string Quoted(const std::string& value) { return "'" + value + "'"; }

// "CHECK (column IN ('a', 'b'))", as the earlier migrations wrote it.
std::string InListCheck(const ValueCheck& c) {
  std::string sql = "CHECK (" + std::string(c.column) + " IN (";
  for (size_t i = 0; i < c.values.size(); ++i) sql += (i ? ", " : "") + Quoted(c.values[i]);
  return sql + "))";
}

// "CHECK (column = 'a' OR column = 'b')": the same test, one expression
// inside the CHECK's parentheses.
std::string OrCheck(const ValueCheck& c) {
  std::string sql = "CHECK (";
  for (size_t i = 0; i < c.values.size(); ++i) {
    sql += (i ? " OR " : "") + std::string(c.column) + " = " + Quoted(c.values[i]);
  }
  return sql + ")";
}

// The stored CREATE TABLE of `table` ("" when there is none). The statement
// is done with before the caller writes sqlite_schema.
Result<std::string> TableSql(Db& db, const char* table) {
  auto read = db.Prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  if (!read.ok()) return read.status();
  auto row = read->Bind(1, std::string_view(table)).Step();
  if (!row.ok()) return row.status();
  return *row ? read->Text(0) : std::string();
}

// Replaces one IN-list CHECK in the stored SQL of its table.
Status RewriteValueCheck(Db& db, const ValueCheck& c) {
  auto stored = TableSql(db, c.table);
  if (!stored.ok()) return stored.status();
  std::string sql = std::move(*stored);
  const std::string from = InListCheck(c);
  const size_t at = sql.find(from);
  if (at == std::string::npos || sql.find(from, at + 1) != std::string::npos) {
    return Status::Corruption("table " + std::string(c.table) + " of " + db.path() +
                              " does not have the constraint " + from +
                              " that linkwatch created: its schema was changed by hand");
  }
  sql.replace(at, from.size(), OrCheck(c));
  auto write = db.Prepare("UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = ?2");
  if (!write.ok()) return write.status();
  return write->Bind(1, std::string_view(sql)).Bind(2, std::string_view(c.table)).Run();
}

Status RewriteValueChecks(Db& db) {
  auto version = db.QueryInt("PRAGMA schema_version");
  if (!version.ok()) return version.status();
  if (auto st = db.Exec("PRAGMA writable_schema = ON"); !st.ok()) return st;
  Status st = Status::Ok();
  for (const ValueCheck& c : kValueChecks) {
    st = RewriteValueCheck(db, c);
    if (!st.ok()) break;
  }
  // A new schema version makes every connection read the tables' SQL again.
  if (st.ok()) st = db.Exec("PRAGMA schema_version = " + std::to_string(*version + 1));
  const Status off = db.Exec("PRAGMA writable_schema = OFF");
  if (!st.ok()) return st;
  if (!off.ok()) return off;
  // Read the new schema now, inside the transaction: SQL that does not parse
  // fails the migration, which rolls back, instead of every later statement.
  return db.Exec("SELECT count(*) FROM sqlite_schema");
}

// Version 10: why a discovered link was found (the rules that flagged it, or
// the cluster it joined), on the link, as review shows it. Links found before
// take it from their audit row, which has always carried it.
constexpr const char* kSchemaV10 = R"sql(
ALTER TABLE link ADD COLUMN found_reason TEXT;
UPDATE link SET found_reason = (
  SELECT json_extract(a.detail, '$.reason') FROM audit a
  WHERE a.action = 'link.discover' AND a.target = 'link:' || link.id
  ORDER BY a.id DESC LIMIT 1)
WHERE origin = 'discovered';
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
    {4, kSchemaV4},
    {5, kSchemaV5},
    {6, kSchemaV6},
    {7, kSchemaV7},
    {8, kSchemaV8},
    {9, "", &RewriteValueChecks},
    {10, kSchemaV10},
};

Status CheckIsOurs(Db& db, int version) {
  if (version != 0) return Status::Ok();
  auto tables = db.QueryInt("SELECT count(*) FROM sqlite_schema");
  if (!tables.ok()) return tables.status();
  if (*tables == 0) return Status::Ok();
  return Status::Corruption(db.path() +
                            " is a SQLite database of another program, not a linkwatch database");
}

Status ApplyPending(Db& db, int from, int to) {
  for (const Migration& m : kMigrations) {
    if (m.version <= from || m.version > to) continue;
    if (auto st = db.Exec(m.sql); !st.ok()) return st;
    if (m.code != nullptr) {
      if (auto st = m.code(db); !st.ok()) return st;
    }
    if (auto st = db.Exec("PRAGMA user_version = " + std::to_string(m.version)); !st.ok()) {
      return st;
    }
  }
  return Status::Ok();
}

Status MigrateInTransaction(Db& db, int target) {
  auto version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version > LatestMigration()) {
    return Status::InvalidArgument("database " + db.path() + " has schema version " +
                                   std::to_string(*version) + ", newer than version " +
                                   std::to_string(LatestMigration()) +
                                   " that this linkwatch knows; upgrade linkwatch");
  }
  if (auto st = CheckIsOurs(db, static_cast<int>(*version)); !st.ok()) return st;
  return ApplyPending(db, static_cast<int>(*version), target);
}

}  // namespace

int LatestMigration() { return kMigrations[std::size(kMigrations) - 1].version; }

Result<int> Migrate(Db& db) { return MigrateTo(db, LatestMigration()); }

Result<int> MigrateTo(Db& db, int target) {
  if (target < 1 || target > LatestMigration()) {
    return Status::InvalidArgument("no schema version " + std::to_string(target));
  }
  if (auto st = db.Exec("BEGIN IMMEDIATE"); !st.ok()) return st;
  if (auto st = MigrateInTransaction(db, target); !st.ok()) {
    (void)db.Exec("ROLLBACK");
    return st;
  }
  if (auto st = db.Exec("COMMIT"); !st.ok()) {
    (void)db.Exec("ROLLBACK");
    return st;
  }
  auto version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  return static_cast<int>(*version);
}

}  // namespace linkwatch::storage
