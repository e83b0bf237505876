#include "sqlite_store.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include <nlohmann/json.hpp>

#include "connect.h"
#include "ops.h"
#include "schema.h"
#include "validate.h"

namespace linkwatch::storage {
namespace {

// How often the background checkpointer copies the WAL into the database.
// Long enough for pages that several batches touch to be copied once.
constexpr std::chrono::milliseconds kCheckpointPeriod{250};
// The writer checkpoints by itself only when the WAL grows past this many
// pages (80 MiB): a backstop should the background checkpointer fall behind.
constexpr int kWriterAutocheckpointPages = 20'000;

// The checkpointer's connection, and the writer's backstop.
Result<std::unique_ptr<Checkpointer>> StartCheckpointer(Db& writer, const std::string& path,
                                                        const Options& options) {
  if (auto st = writer.Exec("PRAGMA wal_autocheckpoint = " +
                            std::to_string(kWriterAutocheckpointPages));
      !st.ok()) {
    return st;
  }
  auto db = OpenWriterDb(path, options);
  if (!db.ok()) return db.status();
  if (auto st = (*db)->Exec("PRAGMA wal_autocheckpoint = 0"); !st.ok()) return st;
  return std::make_unique<Checkpointer>(std::move(*db), kCheckpointPeriod);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

// ---- opening and closing ----------------------------------------------------

SqliteStore::SqliteStore(std::vector<std::unique_ptr<Db>> connections, int schema_version,
                         bool memory)
    : schema_version_(schema_version), memory_(memory), connections_(std::move(connections)) {}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Start(ChainHead head, const Clock& clock, const Options& options) {
  clock_ = &clock;
  std::vector<Db*> lent;
  // A :memory: database exists only inside its one connection: readers share it.
  const size_t first_reader = memory_ ? 0 : 1;
  for (size_t i = first_reader; i < connections_.size(); ++i) lent.push_back(connections_[i].get());
  pool_ = std::make_unique<ReadPool>(std::move(lent));
  writer_ = std::make_unique<Writer>(*connections_[0], std::move(head), clock,
                                     options.max_batch_jobs, options.max_batch_rows,
                                     memory_ ? pool_.get() : nullptr);
}

Result<std::unique_ptr<Store>> SqliteStore::Open(const std::string& path, const Options& options,
                                                 const Clock& clock) {
  try {
    return OpenOrFail(path, options, clock);
  } catch (const std::exception& e) {
    return Status::Internal("opening database " + path + ": " + e.what());
  }
}

Result<std::unique_ptr<Store>> SqliteStore::OpenOrFail(const std::string& path,
                                                       const Options& options,
                                                       const Clock& clock) {
  if (path.empty()) return Status::InvalidArgument("the database path is empty");
  if (auto st = ValidateOptions(options); !st.ok()) return st;
  auto writer = OpenWriterDb(path, options);
  if (!writer.ok()) return writer.status();
  auto version = Migrate(**writer);
  if (!version.ok()) return version.status();
  auto head = LoadChainHead(**writer);
  if (!head.ok()) return head.status();

  const bool memory = path == kMemoryPath;
  std::vector<std::unique_ptr<Db>> connections;
  connections.push_back(std::move(*writer));
  if (!memory) {
    auto readers = OpenReaderDbs(path, options, options.read_connections);
    if (!readers.ok()) return readers.status();
    for (auto& r : *readers) connections.push_back(std::move(r));
  }
  std::unique_ptr<Checkpointer> checkpointer;
  if (!memory) {
    auto started = StartCheckpointer(*connections[0], path, options);
    if (!started.ok()) return started.status();
    checkpointer = std::move(*started);
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(connections), *version, memory));
  store->checkpointer_ = std::move(checkpointer);
  store->Start(std::move(*head), clock, options);
  return std::unique_ptr<Store>(std::move(store));
}

void SqliteStore::Close() {
  std::call_once(close_once_, [this] {
    closed_ = true;
    if (writer_) writer_->Close();   // drains queued writes
    if (pool_) pool_->Shutdown();    // waits for reads in flight
    if (checkpointer_) checkpointer_->Stop();
    connections_.clear();
  });
}

// ---- agencies and tokens ------------------------------------------------------

Result<Agency> SqliteStore::CreateAgency(const Actor& actor, std::string_view name) {
  if (auto st = ValidateAgencyName(name); !st.ok()) return st;
  return WriteSync<Agency>([actor, name = std::string(name)](WriteContext& ctx) {
    return InsertAgency(ctx, actor, name);
  });
}

Result<std::vector<Agency>> SqliteStore::ListAgencies() {
  return Read([](Db& db) { return QueryAgencies(db); });
}

Result<Agency> SqliteStore::FindAgency(std::string_view name) {
  return Read([name](Db& db) { return QueryAgency(db, name); });
}

Result<TokenInfo> SqliteStore::CreateToken(const Actor& actor, std::string_view agency, Role role,
                                           std::string_view label,
                                           std::string_view token_hash) {
  if (auto st = ValidateTokenHash(token_hash); !st.ok()) return st;
  if (auto st = ValidateTokenLabel(label); !st.ok()) return st;
  return WriteSync<TokenInfo>([actor, agency = std::string(agency), role,
                               label = std::string(label),
                               hash = Lower(token_hash)](WriteContext& ctx) {
    return InsertToken(ctx, actor, agency, role, label, hash);
  });
}

Result<std::vector<TokenInfo>> SqliteStore::ListTokens() {
  return Read([](Db& db) { return QueryTokens(db); });
}

Status SqliteStore::RevokeToken(const Actor& actor, int64_t token_id) {
  return WriteSync<bool>([actor, token_id](WriteContext& ctx) {
           return RevokeTokenRow(ctx, actor, token_id);
         })
      .status();
}

Result<TokenInfo> SqliteStore::Authenticate(std::string_view token_hash) {
  if (!ValidateTokenHash(token_hash).ok()) {
    return Status::Unauthenticated("unknown or revoked token");
  }
  return Read([hash = Lower(token_hash)](Db& db) { return QueryLiveToken(db, hash); });
}

Result<int64_t> SqliteStore::CountTokens() {
  return Read([](Db& db) { return QueryTokenCount(db); });
}

// ---- links ----------------------------------------------------------------------

void SqliteStore::RegisterAsync(const Actor& actor, std::vector<Submission> submissions,
                                RegisterCallback done) {
  using Results = std::vector<SubmissionResult>;
  const size_t rows = submissions.size();
  // Invalid input still completes on the writer thread, as the contract says.
  FunctionJob<Results>::Body body;
  if (Status invalid = ValidateSubmissions(submissions); !invalid.ok()) {
    body = [invalid](WriteContext&) -> Result<Results> { return invalid; };
  } else {
    body = [actor, subs = std::move(submissions)](WriteContext& ctx) {
      return RegisterAll(ctx, actor, subs);
    };
  }
  writer_->Submit(std::make_unique<FunctionJob<Results>>(std::move(body), std::move(done), rows));
}

Result<std::vector<SubmissionResult>> SqliteStore::Register(const Actor& actor,
                                                            std::vector<Submission> submissions) {
  return Await<std::vector<SubmissionResult>>(
      [&](RegisterCallback done) { RegisterAsync(actor, std::move(submissions), std::move(done)); },
      "register");
}

Result<Link> SqliteStore::GetLink(int64_t id) {
  return Read([this, id](Db& db) { return QueryLink(db, id, clock_->Now()); });
}

Result<Link> SqliteStore::GetLinkByUrl(std::string_view canonical_url) {
  return Read([this, canonical_url](Db& db) {
    return QueryLinkByUrl(db, canonical_url, clock_->Now());
  });
}

Result<LinkPage> SqliteStore::ListLinks(const LinkFilter& filter) {
  if (auto st = ValidateLimit(filter.limit); !st.ok()) return st;
  return Read([&filter](Db& db) { return QueryLinks(db, filter); });
}

// ---- scheduling and checks ----------------------------------------------------

Result<std::vector<DueLink>> SqliteStore::LeaseDue(TimeMs now, int limit, int64_t lease_ms) {
  return Await<std::vector<DueLink>>(
      [&](LeaseCallback done) { LeaseDueAsync(now, limit, lease_ms, std::move(done)); }, "leasing");
}

void SqliteStore::LeaseDueAsync(TimeMs now, int limit, int64_t lease_ms, LeaseCallback done) {
  using Leased = std::vector<DueLink>;
  FunctionJob<Leased>::Body body;
  if (Status invalid = ValidateLease(limit, lease_ms); !invalid.ok()) {
    body = [invalid](WriteContext&) -> Result<Leased> { return invalid; };
  } else {
    body = [now, limit, lease_ms](WriteContext& ctx) { return LeaseDueLinks(ctx, now, limit, lease_ms); };
  }
  const size_t rows = limit > 0 ? static_cast<size_t>(limit) : 1;  // a refused lease writes none
  writer_->Submit(std::make_unique<FunctionJob<Leased>>(std::move(body), std::move(done), rows),
                  Writer::Order::kFirst);
}

Result<int64_t> SqliteStore::ReleaseAllLeases() {
  return WriteSync<int64_t>([](WriteContext& ctx) { return ReleaseLeases(ctx); });
}

Result<int64_t> SqliteStore::PostponeLeased(std::vector<Postponed> links) {
  return WriteSync<int64_t>([links = std::move(links)](WriteContext& ctx) { return PostponeLeases(ctx, links); });
}

void SqliteStore::RecordChecksAsync(std::vector<CheckOutcome> outcomes, RecordCallback done) {
  using Applied = std::vector<bool>;
  const size_t rows = outcomes.size();
  // Invalid input still completes on the writer thread, as RegisterAsync's does.
  FunctionJob<Applied>::Body body;
  CleanOutcomes(outcomes);
  if (Status invalid = ValidateOutcomes(outcomes); !invalid.ok()) {
    body = [invalid](WriteContext&) -> Result<Applied> { return invalid; };
  } else {
    body = [outcomes = std::move(outcomes)](WriteContext& ctx) {
      return ApplyOutcomes(ctx, outcomes);
    };
  }
  writer_->Submit(std::make_unique<FunctionJob<Applied>>(std::move(body), std::move(done), rows));
}

Result<std::vector<bool>> SqliteStore::RecordChecks(std::vector<CheckOutcome> outcomes) {
  return Await<std::vector<bool>>(
      [&](RecordCallback done) { RecordChecksAsync(std::move(outcomes), std::move(done)); },
      "recording checks");
}

Result<std::vector<CheckRow>> SqliteStore::History(int64_t link_id, int limit,
                                                   int64_t before_id) {
  if (auto st = ValidateLimit(limit); !st.ok()) return st;
  return Read([link_id, limit, before_id](Db& db) {
    return QueryHistory(db, link_id, limit, before_id);
  });
}

Result<int64_t> SqliteStore::Rescan(const Actor& actor, const RescanTarget& target) {
  if (auto st = ValidateRescan(target); !st.ok()) return st;
  return WriteSync<int64_t>(
      [actor, target](WriteContext& ctx) { return RescanLinks(ctx, actor, target); });
}

Result<QueueStats> SqliteStore::Queue(TimeMs now) {
  return Read([now](Db& db) { return QueryQueue(db, now); });
}

Result<ClusterInfo> SqliteStore::GetCluster(int64_t link_id) {
  return Read([link_id](Db& db) { return QueryCluster(db, link_id); });
}

Result<std::vector<ClusterEntry>> SqliteStore::ListClusterEntries() {
  return Read([](Db& db) { return QueryClusterEntries(db); });
}

Result<int> SqliteStore::OfferCandidates(int64_t found_from, std::vector<CandidateOffer> offers,
                                         const OfferLimits& limits, TimeMs now) {
  if (auto st = ValidateOffers(offers, limits); !st.ok()) return st;
  return WriteSync<int>([found_from, offers = std::move(offers), limits, now](WriteContext& ctx) {
    return OfferCandidateRows(ctx, found_from, offers, limits, now);
  });
}

Result<std::vector<DueCandidate>> SqliteStore::LeaseCandidates(TimeMs now, int limit,
                                                               int64_t lease_ms) {
  if (auto st = ValidateLease(limit, lease_ms); !st.ok()) return st;
  return WriteSync<std::vector<DueCandidate>>([now, limit, lease_ms](WriteContext& ctx) {
    return LeaseCandidateRows(ctx, now, limit, lease_ms);
  });
}

Result<std::vector<int64_t>> SqliteStore::RecordCandidates(std::vector<CandidateVerdict> verdicts) {
  return WriteSync<std::vector<int64_t>>([verdicts = std::move(verdicts)](WriteContext& ctx) {
    return RecordCandidateRows(ctx, verdicts);
  });
}

Result<LinkPage> SqliteStore::ListReview(const std::string& review_state, int limit, int64_t after_id) {
  if (auto st = ValidateLimit(limit); !st.ok()) return st;
  if (review_state != "pending" && review_state != "confirmed" && review_state != "rejected") {
    return Status::InvalidArgument("review state must be pending, confirmed or rejected");
  }
  return Read([review_state, limit, after_id](Db& db) {
    return QueryReview(db, review_state, limit, after_id);
  });
}

Result<Link> SqliteStore::Review(const Actor& actor, const ReviewDecision& decision) {
  if (auto st = ValidateReview(decision); !st.ok()) return st;
  auto done = WriteSync<int64_t>([actor, decision](WriteContext& ctx) -> Result<int64_t> {
    if (auto st = ReviewLink(ctx, actor, decision); !st.ok()) return st;
    return decision.link_id;
  });
  if (!done.ok()) return done.status();
  return GetLink(decision.link_id);
}

Result<std::vector<int64_t>> SqliteStore::QueueNotifications(std::vector<Notification> items) {
  for (const Notification& n : items) {
    if (n.event.empty() || n.webhook.empty() || !nlohmann::json::accept(n.payload)) {
      return Status::InvalidArgument("a notification needs an event, a webhook and a JSON payload");
    }
  }
  return WriteSync<std::vector<int64_t>>(
      [items = std::move(items)](WriteContext& ctx) { return InsertNotifications(ctx, items); });
}

Result<std::vector<Notification>> SqliteStore::LeaseNotifications(TimeMs now, int limit, int64_t lease_ms) {
  if (auto st = ValidateLease(limit, lease_ms); !st.ok()) return st;
  return WriteSync<std::vector<Notification>>([now, limit, lease_ms](WriteContext& ctx) {
    return LeaseNotificationRows(ctx, now, limit, lease_ms);
  });
}

Status SqliteStore::RecordDeliveries(std::vector<DeliveryResult> results) {
  return WriteSync<int>([results = std::move(results)](WriteContext& ctx) -> Result<int> {
           if (auto st = RecordDeliveryRows(ctx, results); !st.ok()) return st;
           return 0;
         })
      .status();
}

Result<std::vector<Notification>> SqliteStore::ListNotifications(const std::string& state, int limit) {
  if (auto st = ValidateLimit(limit); !st.ok()) return st;
  if (state != "pending" && state != "delivered" && state != "failed") {
    return Status::InvalidArgument("notification state must be pending, delivered or failed");
  }
  return Read([state, limit](Db& db) { return QueryNotifications(db, state, limit); });
}

Result<int64_t> SqliteStore::RetryNotifications(const Actor& actor, std::optional<int64_t> id) {
  if (id && *id <= 0) return Status::InvalidArgument("a notification id is a whole number from 1");
  return WriteSync<int64_t>([actor, id](WriteContext& ctx) { return RetryNotificationRows(ctx, actor, id); });
}

Result<int64_t> SqliteStore::FailNotificationsExcept(std::vector<std::string> webhooks, std::string error) {
  return WriteSync<int64_t>([webhooks = std::move(webhooks), error = std::move(error)](WriteContext& ctx) {
    return FailNotificationRowsExcept(ctx, webhooks, error);
  });
}

Result<ReportData> SqliteStore::Report(const ReportQuery& query) {
  if (auto st = ValidateReportQuery(query); !st.ok()) return st;
  return Read([this, &query](Db& db) { return QueryReport(db, query, clock_->Now()); });
}

Result<std::vector<EvidenceInfo>> SqliteStore::ListEvidence(int64_t link_id) {
  return Read([link_id](Db& db) { return QueryEvidence(db, link_id); });
}

Result<std::string> SqliteStore::EvidenceBody(std::string_view sha256) {
  return Read([sha = std::string(sha256)](Db& db) { return QueryEvidenceBody(db, sha); });
}

// ---- audit ----------------------------------------------------------------------

Status SqliteStore::AppendAudit(const Actor& actor, std::string_view action,
                                std::string_view target, std::string_view detail_json) {
  if (auto st = ValidateAudit(action, target, detail_json); !st.ok()) return st;
  return WriteSync<int64_t>([actor, action = std::string(action), target = std::string(target),
                             detail = std::string(detail_json)](WriteContext& ctx) {
           return AppendAuditRow(ctx, actor, action, target, detail);
         })
      .status();
}

Result<std::vector<AuditEntry>> SqliteStore::ListAudit(int64_t after_id, int limit) {
  if (auto st = ValidateLimit(limit); !st.ok()) return st;
  return Read([after_id, limit](Db& db) { return QueryAudit(db, after_id, limit); });
}

Result<AuditVerdict> SqliteStore::VerifyAudit(const std::optional<AuditHead>& expect) {
  if (expect && (expect->id <= 0 || expect->hash.size() != 64 ||
                 expect->hash.find_first_not_of("0123456789abcdef") != std::string::npos)) {
    return Status::InvalidArgument("an audit head is ID:HASH, a row id from 1 and its 64 lower-case hex digits");
  }
  return Read([&expect](Db& db) { return WalkAudit(db, expect); });
}

}  // namespace linkwatch::storage
