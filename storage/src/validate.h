// Input checks done before any work reaches the writer, and the limits they
// enforce. All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "linkwatch/base/status.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::storage {

inline constexpr size_t kMaxAgencyNameChars = 100;
inline constexpr size_t kMaxUrlBytes = 8 * 1024;
inline constexpr size_t kMaxHostBytes = 255;
inline constexpr size_t kMaxLegalBasisBytes = 1024;
inline constexpr size_t kMaxCategoryBytes = 100;
inline constexpr size_t kMaxNoteBytes = 4 * 1024;
inline constexpr size_t kMaxTokenLabelBytes = 200;
inline constexpr size_t kTokenHashHexChars = 64;
inline constexpr size_t kMaxSubmissionsPerCall = 10'000;
inline constexpr size_t kMaxAuditActionBytes = 100;
inline constexpr size_t kMaxAuditTargetBytes = 1024;
inline constexpr size_t kMaxAuditDetailBytes = 64 * 1024;
inline constexpr int kMaxPageLimit = 1000;
inline constexpr int kMaxReadConnections = 64;
inline constexpr int kMaxLeasePerCall = 10'000;
inline constexpr int64_t kMaxLeaseMs = 7 * 24 * 3'600'000;  // a week
inline constexpr size_t kMaxOutcomesPerCall = 10'000;
// Caps of check results. Text that servers control (final URL, validators,
// error) is cleaned to fit (CleanOutcomes), so that no page can fail a batch;
// what the daemon computes itself is validated.
inline constexpr size_t kMaxFinalUrlBytes = 64 * 1024;
inline constexpr size_t kMaxCheckErrorBytes = 4 * 1024;
inline constexpr size_t kMaxValidatorBytes = 1024;  // ETag, Last-Modified
inline constexpr size_t kMaxRedirectChainBytes = 1024 * 1024;
inline constexpr size_t kMaxContentHashBytes = 128;
inline constexpr size_t kMaxRulesVersionBytes = 100;
inline constexpr size_t kMaxMatchesBytes = 1024 * 1024;         // hits with excerpts
inline constexpr size_t kMaxMatchedRulesBytes = 64 * 1024;      // rule ids
inline constexpr size_t kMaxReasonBytes = 1024;
inline constexpr size_t kMaxEvidenceHeadersBytes = 256 * 1024;
inline constexpr int64_t kMaxEvidenceBodyBytes = int64_t{64} << 20;

Status ValidateOptions(const Options& options);
// Offers: keys, URLs and hosts within the URL caps; limits not negative.
Status ValidateOffers(const std::vector<CandidateOffer>& offers, const OfferLimits& limits);
// A week of exactly 7 days starting on a Monday 00:00 UTC; top_n 1..1000; history_weeks 1..104.
Status ValidateReportQuery(const ReportQuery& query);
// A decision names a link and carries a basis (accept) or a reason (reject).
Status ValidateReview(const ReviewDecision& decision);
// 1..kMaxAgencyNameChars printable UTF-8 characters, no surrounding blanks.
Status ValidateAgencyName(std::string_view name);
// 64 lower- or upper-case hex digits.
Status ValidateTokenHash(std::string_view hash);
Status ValidateTokenLabel(std::string_view label);
Status ValidateSubmissions(const std::vector<Submission>& submissions);
// action and target non-empty; detail a JSON document.
Status ValidateAudit(std::string_view action, std::string_view target, std::string_view detail);
// A page size within 1..kMaxPageLimit.
Status ValidateLimit(int limit);

// pending | alive | removed | blocked | unreachable.
bool IsLinkStatus(std::string_view status);
// What one check can observe: a link status other than pending.
bool IsCheckStatus(std::string_view status);
// limit 1..kMaxLeasePerCall, lease_ms 1..kMaxLeaseMs.
Status ValidateLease(int limit, int64_t lease_ms);
// Makes the server-controlled text of every outcome (final_url, etag,
// last_modified, error) valid UTF-8 (a malformed byte becomes U+FFFD) cut to
// its cap on a character boundary.
void CleanOutcomes(std::vector<CheckOutcome>& outcomes);
// Every field of every outcome; the message names the outcome and the field.
Status ValidateOutcomes(const std::vector<CheckOutcome>& outcomes);
// Exactly one target; a positive link id or a known status.
Status ValidateRescan(const RescanTarget& target);

}  // namespace linkwatch::storage
