// linkwatch's persistent store: SQLite in WAL mode, the only code that speaks SQL.
//
// Store is thread-safe. Writes go through one writer connection owned by a
// writer thread that commits queued work in batches (group commit): many
// concurrent Register() calls share one transaction and one fsync. Reads use a
// small pool of read-only connections and never wait for the writer (WAL).
//
// Every write action appends a row to the audit log in the same transaction;
// each audit row carries the SHA-256 of the previous row's hash and its own
// content, so that any edit to a past row breaks the chain (VerifyAudit).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/base/status.h"
#include "linkwatch/base/time.h"
#include "linkwatch/storage/report.h"

namespace linkwatch::storage {

enum class Role { kOperator, kReviewer, kAdmin };
const char* RoleName(Role role);                       // "operator", "reviewer", "admin"
std::optional<Role> ParseRole(std::string_view name);  // nullopt for anything else
// True when `have` may do what `need` may do (admin > reviewer > operator).
bool RoleAtLeast(Role have, Role need);

struct Options {
  // How long a connection waits for a lock held by another process.
  int busy_timeout_ms = 5000;
  // Create the database file (and run migrations) when it does not exist.
  bool create_if_missing = true;
  // Read-only connections kept for concurrent readers.
  int read_connections = 4;
  // PRAGMA synchronous=FULL: an acknowledged write survives power loss, not
  // only a process crash. Group commit keeps the cost to one fsync per batch.
  bool durable = true;
  // Most write jobs committed in one transaction.
  int max_batch_jobs = 512;
  // A transaction takes no further job once its jobs hold this many rows
  // (submissions, check outcomes, leased links): what a job queued first
  // (a lease) may wait for is bounded.
  int max_batch_rows = 512;
};

// Who performs an action; recorded in the audit log. token_id 0 means the
// local bootstrap (linkwatch init, the daemon's first start).
struct Actor {
  int64_t token_id = 0;
  int64_t agency_id = 0;
  std::string agency;
  Role role = Role::kAdmin;
};

struct Agency {
  int64_t id = 0;
  std::string name;
  TimeMs created_at = 0;
};

struct TokenInfo {
  int64_t id = 0;
  int64_t agency_id = 0;
  std::string agency;
  Role role = Role::kOperator;
  std::string label;
  TimeMs created_at = 0;
  bool revoked = false;
};

// One registration, already validated and canonicalized by the caller.
struct Submission {
  std::string canonical_url;  // unique key of a link
  std::string submitted_url;  // the form the operator typed
  std::string host;           // canonical host, for per-host statistics
  std::string legal_basis;    // court decision or order reference; non-empty
  std::string category;       // non-empty
  std::string note;           // may be empty
};

// Why the store would refuse one submission (a text over its limit, empty,
// or not UTF-8), named by the API field it came from: "url" (the canonical
// or submitted URL, or its host), "basis", "category" or "note". Callers
// check each row first, so that one bad row does not fail a whole batch.
struct SubmissionProblem {
  std::string field;
  std::string message;
};
std::optional<SubmissionProblem> CheckSubmission(const Submission& s);

struct SubmissionResult {
  int64_t link_id = 0;
  int64_t report_id = 0;
  bool duplicate = false;       // the link existed before this submission
  // The agency had reported the link already, with this basis and category:
  // that report stands (report_id) and no new one is recorded. A retried
  // import does not count the same work twice.
  bool repeated = false;
  std::string first_agency;     // agency of the link's first report
  TimeMs first_reported_at = 0; // time of the link's first report
  // The link was a machine finding ("pending" review, or "rejected") that no
  // agency had reported: this registration, a person's decision with a legal
  // basis, confirms it (and is its first report, not a duplicate). "" else.
  std::string confirmed_finding;
};

struct Report {
  int64_t id = 0;
  std::string agency;
  std::string legal_basis;
  std::string category;
  std::string note;
  TimeMs reported_at = 0;
  bool duplicate = false;
};

struct Link {
  int64_t id = 0;
  std::string canonical_url;
  std::string submitted_url;  // first submitted form
  std::string host;
  std::string origin;         // "registered" | "discovered"
  std::string review_state;   // "confirmed" | "pending" | "rejected"
  std::string category;
  std::string status;         // "pending" | "alive" | "removed" | "blocked" | "unreachable"
  bool flagged = false;
  std::optional<TimeMs> last_checked_at;
  std::optional<TimeMs> next_check_at;
  std::optional<int> http_status;  // of the last check; a 304 keeps the page's (the status it confirmed)
  std::string final_url;
  std::optional<int64_t> views;
  std::optional<int64_t> shares;
  std::optional<TimeMs> removed_since;
  std::optional<TimeMs> reappeared_at;  // last time a removed link was seen alive again
  std::string matches = "[]";           // JSON array: hits of the last judged content
  std::string rules_version;            // rule set that judged it; "" before any judgement
  std::optional<TimeMs> flagged_at;     // first check that flagged the page
  std::optional<TimeMs> last_flagged_at;
  int64_t evidence_count = 0;           // snapshots kept (GetLink* only; 0 in ListLinks)
  std::optional<int64_t> likes, comments;
  std::optional<int64_t> cluster_id;    // content cluster of its flagged page
  int64_t repost_count = 0;             // other links in the cluster (rejected ones left out)
  std::optional<int64_t> found_from;    // discovered links: the page that led here
  std::string found_from_url;
  std::string found_reason;             // why: "rules: r1, r2" or "cluster: KEY"
  int depth = 0;                        // 0 registered; n: n links away from a registered one
  std::optional<TimeMs> reviewed_at;
  std::string review_reason;
  std::optional<int64_t> views_growth;     // latest views minus the first recorded (GetLink*)
  std::optional<int64_t> views_growth_7d;  // latest minus the last seen 7 days ago or earlier (GetLink*)
  TimeMs created_at = 0;
  std::string first_agency;
  std::vector<Report> reports;  // filled by GetLink*, empty in ListLinks
};

struct LinkFilter {
  std::optional<std::string> status;
  std::optional<std::string> agency;    // links with at least one report by this agency
  std::optional<std::string> category;
  std::optional<std::string> origin;
  std::optional<bool> flagged;          // the last judged content was (not) flagged
  std::optional<std::string> text;      // substring of the canonical URL or of a report note
                                        // (ASCII letters match case-insensitively)
  int limit = 50;                       // 1..1000
  int64_t after_id = 0;                 // keyset paging: links with id > after_id
};

struct LinkPage {
  std::vector<Link> links;   // ordered by id
  int64_t next_after_id = 0; // 0 when there is no further page
};

struct AuditEntry {
  int64_t id = 0;
  TimeMs at = 0;
  int64_t token_id = 0;
  std::string agency;
  std::string action;   // e.g. "link.register", "agency.create", "token.revoke"
  std::string target;   // e.g. "link:42"
  std::string detail;   // JSON text
  std::string prev_hash;
  std::string hash;
};

struct AuditVerdict {
  bool ok = true;
  int64_t rows_checked = 0;
  int64_t first_broken_id = 0;  // 0 when ok
  std::string reason;           // why that row is broken; empty when ok
  // The newest row that verified, and its hash: kept outside the database
  // (a ticket, a printout), it lets a later verify prove that no row up to it
  // was removed from the end or rewritten. 0 and "" for an empty log.
  int64_t head_id = 0;
  std::string head_hash;
};

// A head kept from an earlier verify ("ID:HASH").
struct AuditHead {
  int64_t id = 0;
  std::string hash;
};
// "42:3fa9…" (64 lower-case hex digits after the colon); kInvalidArgument else.
Result<AuditHead> ParseAuditHead(std::string_view text);

// The scheduler's view of one link while it is leased for a check.
struct DueLink {
  int64_t id = 0;
  int64_t lease_id = 0;            // fresh per lease; RecordChecks only applies while it is current
  std::string submitted_url;       // what to fetch (the daemon canonicalizes it)
  std::string canonical_url;
  std::string host;
  std::string origin;              // registered | discovered
  std::string review_state = "confirmed";  // confirmed | pending (a discovered link not yet reviewed)
  std::string status;              // current confirmed status
  std::string candidate_status;    // status seen by the latest checks but not yet confirmed ("" none)
  int candidate_count = 0;         // consecutive checks that agreed on candidate_status
  int backoff_step = 0;            // how many times the interval was doubled
  std::string etag, last_modified, content_hash;  // from the last check with a body
  std::optional<int> http_status;
  std::optional<TimeMs> removed_since;
  std::optional<TimeMs> last_checked_at;  // none: never checked
  // The rule judgement of content_hash: carried over when the body is unchanged.
  bool flagged = false;
  std::string matches = "[]";      // JSON array text
  std::string rules_version;       // "" when never judged
  std::optional<TimeMs> flagged_at;  // set once the page was ever flagged
  std::string flagged_sha256;        // the body of the newest evidence ("" none)
};

// A snapshot of a flagged page, kept as evidence with its check.
struct EvidenceSnapshot {
  std::string sha256;     // lower-case hex SHA-256 of the uncompressed body
  std::string body_zstd;  // the body as one zstd frame
  int64_t body_bytes = 0; // uncompressed size
  std::string headers;    // JSON array [[name, value], ...] of the response; "" = []
  std::string matches;    // JSON array of the hits with excerpts; "" = []
};

// What a check saw of a page's reach and content identity. Counters are
// recorded when `counters_seen` (the page was read); an unreadable or absent
// counter is nullopt, never 0. The link keeps its latest known counters.
struct CheckReach {
  bool counters_seen = false;
  std::optional<int64_t> views, shares, likes, comments;
  // Set for a flagged page whose content was read: its fingerprint and
  // SimHash, and the fingerprint that names its cluster (its own, for a new one).
  std::string fingerprint;
  std::optional<uint64_t> simhash;
  std::string cluster_key;
};

// One finished check of a leased link and the link's new state.
struct CheckOutcome {
  int64_t link_id = 0, lease_id = 0;
  // The check row.
  TimeMs checked_at = 0;
  std::optional<int> http_status;
  std::string observed;          // alive | removed | blocked | unreachable (what this check saw)
  std::string final_url;
  std::string redirect_chain;    // JSON array text [{"url":..,"status":..}]; "" = []
  int64_t elapsed_ms = 0, bytes = 0;
  bool truncated = false, not_modified = false;
  std::string content_hash, etag, last_modified;  // empty = keep the link's previous value
  std::string error;
  // The rule judgement. When `judged` (a body was matched, or an unchanged
  // one carried over) the link takes flagged/matches/rules_version; when not
  // (no usable body) the link keeps its previous judgement.
  bool judged = false;
  bool flagged = false;
  std::string matches;           // JSON array text with excerpts (link and evidence); "" = []
  std::string matched_rules;     // JSON array of the hit rule ids (the check row); "" = []
  std::string rules_version;     // version of the rule set that judged; "" when not judged
  std::string reason;            // why the status, when the HTTP status does not say ("" none)
  std::optional<EvidenceSnapshot> evidence;  // stored with the check when set
  CheckReach reach;
  // The link's new state, computed by the daemon.
  std::string status, candidate_status;
  int candidate_count = 0, backoff_step = 0;
  TimeMs next_check_at = 0;
  // Set when the link becomes removed; kept while removed (nullopt while the
  // new status is removed keeps the stored value; otherwise nullopt clears it).
  std::optional<TimeMs> removed_since;
  // Set when a removed link is alive again; nullopt keeps the stored value.
  std::optional<TimeMs> reappeared_at;
};

// One stored check, as History returns it.
struct CheckRow {
  int64_t id = 0;
  TimeMs checked_at = 0;
  std::optional<int> http_status;
  std::string status;  // what the check observed: alive | removed | blocked | unreachable
  std::string final_url;
  std::string redirect_chain;  // JSON array text
  int64_t elapsed_ms = 0;
  int64_t bytes = 0;
  bool truncated = false;
  bool not_modified = false;
  std::string error;
  std::optional<bool> flagged;  // nullopt when the check judged nothing
  std::string matched_rules;    // JSON array of rule ids
  std::string rules_version;
  std::string reason;
};

// One stored evidence snapshot (its body is fetched by sha256).
struct EvidenceInfo {
  int64_t id = 0;
  int64_t link_id = 0;
  int64_t check_id = 0;
  std::string sha256;
  int64_t body_bytes = 0;
  int64_t stored_bytes = 0;  // compressed
  TimeMs fetched_at = 0;
  std::string final_url;
  std::optional<int> http_status;
  std::string headers;  // JSON array text
  std::string matches;  // JSON array text
  std::string rules_version;
};

// Which links Rescan makes due: exactly one of the three.
struct RescanTarget {
  std::optional<int64_t> link_id;
  std::optional<std::string> status;
  bool all = false;
};

struct QueueStats {
  int64_t links = 0;
  int64_t due_now = 0;   // next_check_at <= now and not under a current lease
  int64_t leased = 0;    // under a current lease (lease_until >= now)
  std::map<std::string, int64_t> by_status;  // only statuses some link has
  std::optional<TimeMs> next_due;            // earliest next_check_at of links not leased
  int64_t checks_last_hour = 0;              // checks with checked_at in (now - 1 h, now]
};

// An outlink of a flagged page, offered for discovery (canonicalized by the caller).
struct CandidateOffer {
  std::string key;   // the registry's key (as Submission::canonical_url)
  std::string url;   // canonical href to fetch
  std::string host;
  bool allow_listed = false;  // its host is on the discovery allow-list
};

struct OfferLimits {
  int max_depth = 2;            // a link `max_depth` away from a registered one offers nothing
  int max_per_day = 1000;       // candidates queued in the last 24 h, all pages
  int max_per_page = 20;        // outlinks queued from one page, in page order
};

// A queued candidate, leased for its fetch.
struct DueCandidate {
  std::string key, url, host;
  int64_t found_from = 0;
  int depth = 0;
};

// What a candidate's fetch showed.
struct CandidateVerdict {
  std::string key;
  bool discovered = false;    // it matched rules or joined a known cluster
  std::string reason;         // for the audit: "rules: cd-001", "cluster: <key>"
  std::string category;       // of the new link (the rule's, else found_from's)
  TimeMs checked_at = 0;
  int64_t remember_ms = 0;    // not discovered: not fetched again before checked_at + this
};

// A discovered link waiting for (or past) review.
struct ReviewDecision {
  int64_t link_id = 0;
  bool accept = false;
  std::string legal_basis;  // accept: required
  std::string reason;       // reject: required
};

struct ClusterMember {
  int64_t link_id = 0;
  std::string canonical_url;
  std::string status;
  std::string origin, review_state;
  std::optional<int64_t> views;
  bool flagged = false;
};

struct ClusterInfo {
  int64_t id = 0;
  std::string fingerprint;
  TimeMs created_at = 0;
  std::vector<ClusterMember> members;  // rejected links left out, by id
  std::optional<int64_t> reach;        // sum of the members' known views; none known: nullopt
};

// One indexed page of a cluster, to rebuild the daemon's near-duplicate index.
struct ClusterEntry {
  std::string fingerprint;   // the page's
  uint64_t simhash = 0;
  std::string cluster_key;   // the cluster's fingerprint
};

// A webhook notification, queued and delivered at least once.
struct Notification {
  int64_t id = 0;
  std::string event;
  std::optional<int64_t> link_id;
  std::string webhook;   // URL
  std::string payload;   // JSON text
  std::string state;     // pending | delivered | failed
  int attempts = 0;
  TimeMs created_at = 0;
  std::optional<TimeMs> next_at;
  std::string last_error;
  std::optional<TimeMs> finished_at;
};

// The result of one delivery attempt.
struct DeliveryResult {
  int64_t id = 0;
  bool delivered = false;
  std::string error;              // when not delivered
  std::optional<TimeMs> retry_at; // not delivered: the next attempt, or nullopt = failed for good
};

class Store {
 public:
  // The scheduling types are reachable as Store::DueLink etc. as well.
  using DueLink = storage::DueLink;
  using CheckOutcome = storage::CheckOutcome;
  using CheckRow = storage::CheckRow;
  using RescanTarget = storage::RescanTarget;
  using QueueStats = storage::QueueStats;
  using EvidenceInfo = storage::EvidenceInfo;

  // Opens (and, with create_if_missing, creates) the database at `path`
  // (":memory:" is allowed for tests) and applies pending migrations in one
  // transaction. Fails with:
  //   kCorruption   the file is not a SQLite database;
  //   kIOError      the file or its folder cannot be opened or written (read-only);
  //   kInvalidArgument the schema is newer than this binary knows (the message
  //                 names both versions).
  static Result<std::unique_ptr<Store>> Open(const std::string& path, const Options& options,
                                             const Clock& clock = SystemClock::Instance());
  virtual ~Store() = default;

  static int LatestSchemaVersion();
  virtual int SchemaVersion() const = 0;

  // Agencies. Names are unique (kAlreadyExists) and 1..100 printable characters.
  virtual Result<Agency> CreateAgency(const Actor& actor, std::string_view name) = 0;
  virtual Result<std::vector<Agency>> ListAgencies() = 0;
  virtual Result<Agency> FindAgency(std::string_view name) = 0;  // kNotFound

  // Tokens. The store keeps only `token_hash` (hex SHA-256 of the secret).
  virtual Result<TokenInfo> CreateToken(const Actor& actor, std::string_view agency,
                                        Role role, std::string_view label,
                                        std::string_view token_hash) = 0;
  virtual Result<std::vector<TokenInfo>> ListTokens() = 0;
  // kNotFound; revoking a revoked token is ok and changes (and logs) nothing.
  virtual Status RevokeToken(const Actor& actor, int64_t token_id) = 0;
  // The live token with this hash; kUnauthenticated when unknown or revoked.
  virtual Result<TokenInfo> Authenticate(std::string_view token_hash) = 0;
  // Every token ever created, revoked ones included.
  virtual Result<int64_t> CountTokens() = 0;

  // Registers every submission in one transaction (order kept). A submission
  // whose canonical_url already names a link (or an earlier row of the same
  // batch) adds a duplicate report to that link and creates no link. The
  // callback runs on the writer thread after the commit is durable (invalid
  // input, too, fails there); it must be quick (post elsewhere for real work)
  // and must not call Close(). After Close() it runs at once with kUnavailable.
  using RegisterCallback = std::function<void(Result<std::vector<SubmissionResult>>)>;
  virtual void RegisterAsync(const Actor& actor, std::vector<Submission> submissions,
                             RegisterCallback done) = 0;
  // Blocking form of RegisterAsync.
  virtual Result<std::vector<SubmissionResult>> Register(const Actor& actor,
                                                         std::vector<Submission> submissions) = 0;

  virtual Result<Link> GetLink(int64_t id) = 0;                         // kNotFound
  virtual Result<Link> GetLinkByUrl(std::string_view canonical_url) = 0;  // kNotFound
  virtual Result<LinkPage> ListLinks(const LinkFilter& filter) = 0;

  // ---- scheduling and checks ----
  // Leases up to `limit` (1..10000) links with next_check_at <= now whose
  // lease is free or expired (lease_until < now): registered links before
  // discovered ones, then earliest due first (then by id). Sets lease_until
  // = now + lease_ms (1 ms..7 days) and a new lease_id (a counter kept in
  // the database, so ids never repeat, across restarts too). A link whose
  // next_check_at is NULL is never due (set it so for links not to check,
  // e.g. rejected ones). A write: it runs on the writer.
  virtual Result<std::vector<DueLink>> LeaseDue(TimeMs now, int limit, int64_t lease_ms) = 0;
  // LeaseDue without waiting: the lease goes before every queued write, into
  // the writer's next transaction, and `done` runs on the writer thread once
  // it is durable (it must not call the store's blocking writes).
  using LeaseCallback = std::function<void(Result<std::vector<DueLink>>)>;
  virtual void LeaseDueAsync(TimeMs now, int limit, int64_t lease_ms, LeaseCallback done) = 0;
  // Startup recovery: frees every lease so those links are due again at once
  // (next_check_at is moved to now when it was later). Returns how many.
  virtual Result<int64_t> ReleaseAllLeases() = 0;
  // Gives leased links back unfetched, due at a later time: the scheduler's
  // answer to a host that already has all the work it can take (its links
  // wait in the database, not in fetch slots other hosts need). Only a link
  // whose lease is still `lease_id` is changed. Returns how many were.
  struct Postponed {
    int64_t link_id = 0;
    int64_t lease_id = 0;
    TimeMs next_check_at = 0;
  };
  virtual Result<int64_t> PostponeLeased(std::vector<Postponed> links) = 0;

  // Applies the outcomes in the writer's batched transaction: inserts the
  // check rows, updates the links, clears their leases. An outcome whose
  // lease is no longer current (expired and re-leased, released at restart,
  // already recorded) or whose link does not exist is skipped: its element in
  // the result is false. A status change appends an audit row "link.status"
  // (target "link:<id>", detail {"from","to","http_status","reason"}) by the
  // system actor (token 0, agency "linkwatchd"); a link whose page becomes
  // flagged appends "link.flagged" (detail {"rules","evidence"}). An outcome's
  // evidence is stored with its check: the body once per digest (shared by
  // every link with the same bytes), the snapshot per check. Invalid input (kInvalidArgument,
  // naming the outcome) fails the whole call; text that servers control
  // (final_url, etag, last_modified, error) never does: it is stored as
  // valid UTF-8 (a malformed byte becomes U+FFFD), cut to its cap (64 KiB,
  // 1 KiB, 1 KiB, 4 KiB). At most 10000 outcomes a call.
  // The callback runs on the writer thread, as RegisterAsync's does.
  using RecordCallback = std::function<void(Result<std::vector<bool>>)>;
  virtual void RecordChecksAsync(std::vector<CheckOutcome> outcomes, RecordCallback done) = 0;
  // Blocking form of RecordChecksAsync.
  virtual Result<std::vector<bool>> RecordChecks(std::vector<CheckOutcome> outcomes) = 0;

  // Checks of a link, newest first (checked_at, then id); `limit` 1..1000;
  // before_id 0 = from the newest, else the checks after that one in this
  // order (keyset paging: pass the last row's id). kNotFound for an unknown
  // link; kInvalidArgument when before_id is not a check of this link.
  virtual Result<std::vector<CheckRow>> History(int64_t link_id, int limit,
                                                int64_t before_id) = 0;

  // Makes matching links due now (next_check_at = now, or kept when already
  // earlier; leased links are left alone). Returns how many were queued.
  // Audit "link.rescan". kNotFound for an unknown link id; kInvalidArgument
  // unless exactly one target field is set or for an unknown status.
  virtual Result<int64_t> Rescan(const Actor& actor, const RescanTarget& target) = 0;

  // The scheduler's queue as of `now`.
  virtual Result<QueueStats> Queue(TimeMs now) = 0;

  // ---- reach and discovery ----
  // The cluster `link_id` belongs to. kNotFound for an unknown link or one in no cluster.
  virtual Result<ClusterInfo> GetCluster(int64_t link_id) = 0;
  // Every clustered page (distinct fingerprints), for the daemon's index at start.
  virtual Result<std::vector<ClusterEntry>> ListClusterEntries() = 0;
  // Queues the offers that are new: not a link already, not a candidate that
  // is queued, discovered or rejected, nor one that matched nothing less than
  // its remember time ago; on the allow-list or on the host of a link in the
  // register; and while `found_from`'s depth is below limits.max_depth and the
  // day's budget lasts. Returns how many were queued. A write.
  virtual Result<int> OfferCandidates(int64_t found_from, std::vector<CandidateOffer> offers,
                                      const OfferLimits& limits, TimeMs now) = 0;
  // Leases up to `limit` queued candidates due at `now` (oldest first) for `lease_ms`.
  virtual Result<std::vector<DueCandidate>> LeaseCandidates(TimeMs now, int limit,
                                                            int64_t lease_ms) = 0;
  // Records fetched candidates: a discovered one becomes a link (origin
  // discovered, review pending, found_from, depth, due for its first check
  // now) with an audit row "link.discover"; the others are remembered.
  // Returns the new link ids (0 for those not discovered or already links).
  virtual Result<std::vector<int64_t>> RecordCandidates(std::vector<CandidateVerdict> verdicts) = 0;
  // Discovered links in `review_state` (pending by default), by id.
  virtual Result<LinkPage> ListReview(const std::string& review_state, int limit,
                                      int64_t after_id) = 0;
  // A reviewer's decision on a pending discovered link. Accept: the link is
  // confirmed (its origin stays "discovered") with a report of the actor's
  // agency and basis, like a registration. Reject: it leaves every count, is never fetched again, and its
  // candidate is marked so. Audited ("link.accept", "link.reject").
  // kNotFound; kInvalidArgument when it is not a discovered link pending review
  // or the basis/reason is missing.
  virtual Result<Link> Review(const Actor& actor, const ReviewDecision& decision) = 0;

  // ---- notifications ----
  // Queues notifications (state pending, due now). Returns their ids.
  virtual Result<std::vector<int64_t>> QueueNotifications(std::vector<Notification> items) = 0;
  // Leases up to `limit` pending notifications due at `now`: their next_at
  // moves to now + lease_ms, so a crash retries them then. Oldest first.
  virtual Result<std::vector<Notification>> LeaseNotifications(TimeMs now, int limit,
                                                               int64_t lease_ms) = 0;
  // Records attempts: delivered, retried at retry_at, or failed for good.
  virtual Status RecordDeliveries(std::vector<DeliveryResult> results) = 0;
  // Notifications in `state`, newest first.
  virtual Result<std::vector<Notification>> ListNotifications(const std::string& state,
                                                              int limit) = 0;
  // Sends failed notifications again (one by id, or every failed one when
  // `id` is empty): pending, due now, attempts from 0. Audited as
  // "notification.retry". Returns how many; kNotFound for an unknown id,
  // kInvalidArgument for one that has not failed.
  virtual Result<int64_t> RetryNotifications(const Actor& actor, std::optional<int64_t> id) = 0;
  // Fails for good, unsent, every pending notification whose webhook is not
  // in `webhooks` (one removed from the configuration), with `error` as its
  // last error. Returns how many.
  virtual Result<int64_t> FailNotificationsExcept(std::vector<std::string> webhooks,
                                                  std::string error) = 0;

  // ---- the weekly report ----
  // Every figure of report.h for one ISO week. kInvalidArgument for a query
  // whose week is not [Monday 00:00 UTC, +7 days).
  virtual Result<ReportData> Report(const ReportQuery& query) = 0;

  // ---- evidence ----
  // Snapshots of a link, oldest first. kNotFound for an unknown link.
  virtual Result<std::vector<EvidenceInfo>> ListEvidence(int64_t link_id) = 0;
  // The stored body with this SHA-256 (lower-case hex), decompressed.
  // kNotFound when none is stored; kCorruption when the stored frame does not
  // decode to bytes with that digest.
  virtual Result<std::string> EvidenceBody(std::string_view sha256) = 0;

  // Appends an audit row for an action that has no table of its own
  // (e.g. "token.denied" is NOT logged; "audit.verify" is).
  virtual Status AppendAudit(const Actor& actor, std::string_view action,
                             std::string_view target, std::string_view detail_json) = 0;
  virtual Result<std::vector<AuditEntry>> ListAudit(int64_t after_id, int limit) = 0;
  // Walks the whole chain and names the first row whose hash or link to the
  // previous row does not hold. With `expect`, also that row `expect.id` is
  // still there with that hash (rows deleted from the end, or a chain
  // rewritten from some row on, break it).
  virtual Result<AuditVerdict> VerifyAudit(const std::optional<AuditHead>& expect) = 0;
  Result<AuditVerdict> VerifyAudit() { return VerifyAudit(std::nullopt); }

  // Stops the writer after draining queued work. Called by the destructor too.
  virtual void Close() = 0;
};

}  // namespace linkwatch::storage
