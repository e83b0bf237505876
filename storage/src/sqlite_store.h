// The SQLite implementation of Store.
#pragma once

#include <atomic>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "checkpointer.h"
#include "linkwatch/storage/store.h"
#include "read_pool.h"
#include "sqlite_db.h"
#include "writer.h"

namespace linkwatch::storage {

// Thread-safe, as Store promises. Owns every connection: connections_[0] is
// the writer's (and, for ":memory:", the only one, lent to readers through
// the pool); the others are read-only and lent through the pool.
class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& path, const Options& options,
                                             const Clock& clock);
  ~SqliteStore() override;

  int SchemaVersion() const override { return schema_version_; }

  Result<Agency> CreateAgency(const Actor& actor, std::string_view name) override;
  Result<std::vector<Agency>> ListAgencies() override;
  Result<Agency> FindAgency(std::string_view name) override;

  Result<TokenInfo> CreateToken(const Actor& actor, std::string_view agency, Role role,
                                std::string_view label, std::string_view token_hash) override;
  Result<std::vector<TokenInfo>> ListTokens() override;
  Status RevokeToken(const Actor& actor, int64_t token_id) override;
  Result<TokenInfo> Authenticate(std::string_view token_hash) override;
  Result<int64_t> CountTokens() override;

  void RegisterAsync(const Actor& actor, std::vector<Submission> submissions,
                     RegisterCallback done) override;
  Result<std::vector<SubmissionResult>> Register(const Actor& actor,
                                                 std::vector<Submission> submissions) override;

  Result<Link> GetLink(int64_t id) override;
  Result<Link> GetLinkByUrl(std::string_view canonical_url) override;
  Result<LinkPage> ListLinks(const LinkFilter& filter) override;

  Result<std::vector<DueLink>> LeaseDue(TimeMs now, int limit, int64_t lease_ms) override;
  void LeaseDueAsync(TimeMs now, int limit, int64_t lease_ms, LeaseCallback done) override;
  Result<int64_t> ReleaseAllLeases() override;
  void RecordChecksAsync(std::vector<CheckOutcome> outcomes, RecordCallback done) override;
  Result<std::vector<bool>> RecordChecks(std::vector<CheckOutcome> outcomes) override;
  Result<std::vector<CheckRow>> History(int64_t link_id, int limit, int64_t before_id) override;
  Result<int64_t> Rescan(const Actor& actor, const RescanTarget& target) override;
  Result<QueueStats> Queue(TimeMs now) override;
  Result<ClusterInfo> GetCluster(int64_t link_id) override;
  Result<std::vector<ClusterEntry>> ListClusterEntries() override;
  Result<int> OfferCandidates(int64_t found_from, std::vector<CandidateOffer> offers,
                              const OfferLimits& limits, TimeMs now) override;
  Result<std::vector<DueCandidate>> LeaseCandidates(TimeMs now, int limit, int64_t lease_ms) override;
  Result<std::vector<int64_t>> RecordCandidates(std::vector<CandidateVerdict> verdicts) override;
  Result<LinkPage> ListReview(const std::string& review_state, int limit, int64_t after_id) override;
  Result<Link> Review(const Actor& actor, const ReviewDecision& decision) override;
  Result<ReportData> Report(const ReportQuery& query) override;
  Result<std::vector<int64_t>> QueueNotifications(std::vector<Notification> items) override;
  Result<std::vector<Notification>> LeaseNotifications(TimeMs now, int limit, int64_t lease_ms) override;
  Status RecordDeliveries(std::vector<DeliveryResult> results) override;
  Result<std::vector<Notification>> ListNotifications(const std::string& state, int limit) override;
  Result<int64_t> RetryNotifications(const Actor& actor, std::optional<int64_t> id) override;
  Result<int64_t> PostponeLeased(std::vector<Postponed> links) override;
  Result<int64_t> FailNotificationsExcept(std::vector<std::string> webhooks, std::string error) override;
  Result<std::vector<EvidenceInfo>> ListEvidence(int64_t link_id) override;
  Result<std::string> EvidenceBody(std::string_view sha256) override;

  Status AppendAudit(const Actor& actor, std::string_view action, std::string_view target,
                     std::string_view detail_json) override;
  Result<std::vector<AuditEntry>> ListAudit(int64_t after_id, int limit) override;
  using Store::VerifyAudit;
  Result<AuditVerdict> VerifyAudit(const std::optional<AuditHead>& expect) override;

  void Close() override;

 private:
  SqliteStore(std::vector<std::unique_ptr<Db>> connections, int schema_version, bool memory);
  static Result<std::unique_ptr<Store>> OpenOrFail(const std::string& path,
                                                   const Options& options, const Clock& clock);
  void Start(ChainHead head, const Clock& clock, const Options& options);

  // Starts an asynchronous write, `start(done)`, and waits for its result.
  template <typename T, typename Start>
  Result<T> Await(Start start, const char* what) {
    if (closed_) return Status::Unavailable("the store is closed");
    try {
      auto promise = std::make_shared<std::promise<Result<T>>>();
      auto future = promise->get_future();
      start([promise](Result<T> r) { promise->set_value(std::move(r)); });
      return future.get();
    } catch (const std::exception& e) {
      return Status::Internal(std::string(what) + " failed: " + e.what());
    }
  }

  // Queues `body` on the writer and waits until its batch is committed.
  template <typename T>
  Result<T> WriteSync(typename FunctionJob<T>::Body body) {
    return Await<T>(
        [&](typename FunctionJob<T>::Done done) {
          writer_->Submit(std::make_unique<FunctionJob<T>>(std::move(body), std::move(done)));
        },
        "write");
  }

  // Runs `read(Db&)` on a leased read connection.
  template <typename F>
  auto Read(F read) -> decltype(read(std::declval<Db&>())) {
    if (closed_) return Status::Unavailable("the store is closed");
    try {
      auto lease = pool_->Acquire();
      if (!lease) return Status::Unavailable("the store is closed");
      return read(lease->db());
    } catch (const std::exception& e) {
      return Status::Internal(std::string("read failed: ") + e.what());
    }
  }

  const Clock* clock_ = nullptr;  // set by Start
  const int schema_version_;
  const bool memory_;
  std::vector<std::unique_ptr<Db>> connections_;  // destroyed only after Close()
  std::unique_ptr<ReadPool> pool_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Checkpointer> checkpointer_;  // file databases only
  std::atomic<bool> closed_{false};
  std::once_flag close_once_;
};

}  // namespace linkwatch::storage
