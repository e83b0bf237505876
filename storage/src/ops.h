// The SQL behind each Store call. Read operations take any connection; write
// operations take the writer's context and run inside its transaction. None
// is thread-safe by itself: the caller holds the connection exclusively.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/storage/store.h"
#include "writer.h"

namespace linkwatch::storage {

class Db;

// ---- agencies and tokens (agency_ops.cpp) ----
Result<Agency> InsertAgency(WriteContext& ctx, const Actor& actor, const std::string& name);
Result<std::vector<Agency>> QueryAgencies(Db& db);
Result<Agency> QueryAgency(Db& db, std::string_view name);  // kNotFound

// REQUIRES: `hash` is lower-case hex.
Result<TokenInfo> InsertToken(WriteContext& ctx, const Actor& actor, const std::string& agency,
                              Role role, const std::string& label, const std::string& hash);
// True when the token was live and is now revoked, false when it already was.
Result<bool> RevokeTokenRow(WriteContext& ctx, const Actor& actor, int64_t token_id);
Result<std::vector<TokenInfo>> QueryTokens(Db& db);
Result<TokenInfo> QueryLiveToken(Db& db, const std::string& hash);  // kUnauthenticated
Result<int64_t> QueryTokenCount(Db& db);

// ---- links and reports (link_write.cpp, link_read.cpp) ----
Result<std::vector<SubmissionResult>> RegisterAll(WriteContext& ctx, const Actor& actor,
                                                  const std::vector<Submission>& submissions);
// `now` dates the views growth of the last 7 days.
Result<Link> QueryLink(Db& db, int64_t id, TimeMs now);                        // kNotFound
Result<Link> QueryLinkByUrl(Db& db, std::string_view canonical_url, TimeMs now);  // kNotFound
// Discovered links in one review state, by id (as QueryLinks pages).
Result<LinkPage> QueryReview(Db& db, const std::string& review_state, int limit, int64_t after_id);
// REQUIRES: filter.limit was validated.
Result<LinkPage> QueryLinks(Db& db, const LinkFilter& filter);

// ---- scheduling and checks (check_write.cpp, check_read.cpp) ----
// REQUIRES: limit and lease_ms were validated.
Result<int64_t> PostponeLeases(WriteContext& ctx, const std::vector<Store::Postponed>& links);
Result<std::vector<DueLink>> LeaseDueLinks(WriteContext& ctx, TimeMs now, int limit,
                                           int64_t lease_ms);
// Frees every lease; links whose next check was later become due at ctx.clock.Now().
Result<int64_t> ReleaseLeases(WriteContext& ctx);
// REQUIRES: the outcomes were validated.
Result<std::vector<bool>> ApplyOutcomes(WriteContext& ctx,
                                        const std::vector<CheckOutcome>& outcomes);
// REQUIRES: the target was validated.
Result<int64_t> RescanLinks(WriteContext& ctx, const Actor& actor, const RescanTarget& target);
// REQUIRES: limit was validated.
Result<std::vector<CheckRow>> QueryHistory(Db& db, int64_t link_id, int limit,
                                           int64_t before_id);
Result<QueueStats> QueryQueue(Db& db, TimeMs now);
Status CheckLinkExists(Db& db, int64_t link_id);  // kNotFound

// The due-link queries (parameters :origin, :now, :limit), exposed so that
// tests can check their query plans.
extern const std::string kDueFreeSql;     // free links of one origin
extern const std::string kDueExpiredSql;  // links whose lease expired

// ---- reach and discovery (reach_write.cpp, reach_read.cpp, discovery_ops.cpp) ----
// Counters and cluster of a recorded check (`check_id` its row).
Status ApplyReach(WriteContext& ctx, const CheckOutcome& o, int64_t check_id);
Result<ClusterInfo> QueryCluster(Db& db, int64_t link_id);
Result<std::vector<ClusterEntry>> QueryClusterEntries(Db& db);
// A one-link read's repost count and views growth.
Status FillReach(Db& db, TimeMs now, Link& link);
Result<int> OfferCandidateRows(WriteContext& ctx, int64_t found_from,
                               const std::vector<CandidateOffer>& offers, const OfferLimits& limits,
                               TimeMs now);
Result<std::vector<DueCandidate>> LeaseCandidateRows(WriteContext& ctx, TimeMs now, int limit,
                                                     int64_t lease_ms);
Result<std::vector<int64_t>> RecordCandidateRows(WriteContext& ctx,
                                                 const std::vector<CandidateVerdict>& verdicts);
Status ReviewLink(WriteContext& ctx, const Actor& actor, const ReviewDecision& decision);

// ---- notifications (notification_ops.cpp) ----
Result<std::vector<int64_t>> InsertNotifications(WriteContext& ctx, const std::vector<Notification>& items);
Result<std::vector<Notification>> LeaseNotificationRows(WriteContext& ctx, TimeMs now, int limit,
                                                        int64_t lease_ms);
Status RecordDeliveryRows(WriteContext& ctx, const std::vector<DeliveryResult>& results);
Result<std::vector<Notification>> QueryNotifications(Db& db, const std::string& state, int limit);
Result<int64_t> RetryNotificationRows(WriteContext& ctx, const Actor& actor, std::optional<int64_t> id);
Result<int64_t> FailNotificationRowsExcept(WriteContext& ctx, const std::vector<std::string>& webhooks,
                                           const std::string& error);

// ---- the weekly report (report_read.cpp) ----
// REQUIRES: the query was validated. `now` is the report's generation time.
Result<ReportData> QueryReport(Db& db, const ReportQuery& query, TimeMs now);

// ---- evidence (evidence_read.cpp) ----
Result<std::vector<EvidenceInfo>> QueryEvidence(Db& db, int64_t link_id);  // kNotFound
// kNotFound; kCorruption when the stored frame does not give back the digest.
Result<std::string> QueryEvidenceBody(Db& db, std::string_view sha256);

// ---- audit (audit_ops.cpp) ----
// Appends one chained row and advances ctx.chain; returns the row's id.
Result<int64_t> AppendAuditRow(WriteContext& ctx, const Actor& actor, std::string_view action,
                               std::string_view target, std::string_view detail_json);
Result<std::vector<AuditEntry>> QueryAudit(Db& db, int64_t after_id, int limit);
// Streams every row in id order through an AuditVerifier.
Result<AuditVerdict> WalkAudit(Db& db, const std::optional<AuditHead>& expect);

}  // namespace linkwatch::storage
