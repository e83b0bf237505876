#include "validate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

namespace linkwatch::storage {
namespace {

// Decodes the UTF-8 sequence at s[i] and advances i; nullopt when malformed
// (overlong forms, surrogates and values past U+10FFFF included).
std::optional<char32_t> NextCodePoint(std::string_view s, size_t& i) {
  const auto lead = static_cast<unsigned char>(s[i++]);
  if (lead < 0x80) return lead;
  int extra = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xe0) == 0xc0) {
    extra = 1, cp = lead & 0x1f, min = 0x80;
  } else if ((lead & 0xf0) == 0xe0) {
    extra = 2, cp = lead & 0x0f, min = 0x800;
  } else if ((lead & 0xf8) == 0xf0) {
    extra = 3, cp = lead & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  for (int k = 0; k < extra; ++k, ++i) {
    if (i >= s.size()) return std::nullopt;
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xc0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  return cp;
}

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

// Number of characters when `s` is valid UTF-8 free of control characters.
std::optional<size_t> PrintableLength(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    const auto cp = NextCodePoint(s, i);
    if (!cp || IsControl(*cp)) return std::nullopt;
  }
  return n;
}

bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;  // ASCII, the common case for URLs
    } else if (!NextCodePoint(s, i)) {
      return false;
    }
  }
  return true;
}

Status CheckText(std::string_view what, std::string_view value, size_t max_bytes,
                 bool required) {
  const std::string name(what);
  if (required && value.empty()) return Status::InvalidArgument(name + " is empty");
  if (value.size() > max_bytes) {
    return Status::InvalidArgument(name + " is longer than " + std::to_string(max_bytes) +
                                   " bytes");
  }
  if (!IsUtf8(value)) return Status::InvalidArgument(name + " is not valid UTF-8");
  return Status::Ok();
}

}  // namespace

std::optional<SubmissionProblem> CheckSubmission(const Submission& s) {
  struct Part {
    const char* field;
    const char* what;
    const std::string& value;
    size_t max_bytes;
    bool required;
  };
  const Part parts[] = {
      {"url", "the canonical URL", s.canonical_url, kMaxUrlBytes, true},
      {"url", "the URL", s.submitted_url, kMaxUrlBytes, false},
      {"url", "the URL's host", s.host, kMaxHostBytes, true},
      {"basis", "basis", s.legal_basis, kMaxLegalBasisBytes, true},
      {"category", "category", s.category, kMaxCategoryBytes, true},
      {"note", "note", s.note, kMaxNoteBytes, false},
  };
  for (const Part& p : parts) {
    if (Status st = CheckText(p.what, p.value, p.max_bytes, p.required); !st.ok()) {
      return SubmissionProblem{p.field, st.message()};
    }
  }
  return std::nullopt;
}

namespace {

constexpr std::string_view kLinkStatuses[] = {"pending", "alive", "removed", "blocked",
                                              "unreachable"};

// A JSON array, or "" (stored as []).
Status CheckJsonArray(std::string_view what, std::string_view value, size_t max_bytes) {
  if (auto st = CheckText(what, value, max_bytes, false); !st.ok()) return st;
  if (value.empty()) return Status::Ok();
  const size_t first = value.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || value[first] != '[' || !nlohmann::json::accept(value)) {
    return Status::InvalidArgument(std::string(what) + " is not a JSON array");
  }
  return Status::Ok();
}

Status CheckOutcomeStatuses(const CheckOutcome& o) {
  if (!IsCheckStatus(o.observed)) {
    return Status::InvalidArgument("observed \"" + o.observed +
                                   "\" is not alive, removed, blocked or unreachable");
  }
  if (!IsLinkStatus(o.status)) {
    return Status::InvalidArgument("status \"" + o.status + "\" is not a link status");
  }
  if (!o.candidate_status.empty() && !IsCheckStatus(o.candidate_status)) {
    return Status::InvalidArgument("candidate_status \"" + o.candidate_status +
                                   "\" is neither empty nor a check status");
  }
  return Status::Ok();
}

Status CheckOutcomeNumbers(const CheckOutcome& o) {
  if (o.link_id <= 0) return Status::InvalidArgument("link_id must be positive");
  if (o.lease_id <= 0) return Status::InvalidArgument("lease_id must be positive");
  if (o.http_status && (*o.http_status < 100 || *o.http_status > 999)) {
    return Status::InvalidArgument("http_status " + std::to_string(*o.http_status) +
                                   " is not 100..999");
  }
  if (o.elapsed_ms < 0) return Status::InvalidArgument("elapsed_ms is negative");
  if (o.bytes < 0) return Status::InvalidArgument("bytes is negative");
  if (o.candidate_count < 0) return Status::InvalidArgument("candidate_count is negative");
  if (o.backoff_step < 0) return Status::InvalidArgument("backoff_step is negative");
  return Status::Ok();
}

// `text` as valid UTF-8 of at most `max_bytes`; unchanged when it already is.
void CleanText(std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes && IsUtf8(text)) return;
  const std::string_view in = text;
  std::string out;
  out.reserve(std::min(in.size(), max_bytes));
  for (size_t i = 0; i < in.size();) {
    const size_t start = i;
    const bool valid = NextCodePoint(in, i).has_value();
    const std::string_view piece = valid ? in.substr(start, i - start) : "\xEF\xBF\xBD";
    if (!valid) i = start + 1;
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece);
  }
  text = std::move(out);
}

Status CheckOutcomeTexts(const CheckOutcome& o) {
  Status st = CheckText("final_url", o.final_url, kMaxFinalUrlBytes, false);
  if (st.ok()) st = CheckJsonArray("redirect_chain", o.redirect_chain, kMaxRedirectChainBytes);
  if (st.ok()) st = CheckText("content_hash", o.content_hash, kMaxContentHashBytes, false);
  if (st.ok()) st = CheckText("etag", o.etag, kMaxValidatorBytes, false);
  if (st.ok()) st = CheckText("last_modified", o.last_modified, kMaxValidatorBytes, false);
  if (st.ok()) st = CheckText("error", o.error, kMaxCheckErrorBytes, false);
  if (st.ok()) st = CheckText("rules_version", o.rules_version, kMaxRulesVersionBytes, false);
  if (st.ok()) st = CheckJsonArray("matches", o.matches, kMaxMatchesBytes);
  if (st.ok()) st = CheckJsonArray("matched_rules", o.matched_rules, kMaxMatchedRulesBytes);
  if (st.ok()) st = CheckText("reason", o.reason, kMaxReasonBytes, false);
  return st;
}

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Status CheckOutcomeReach(const CheckOutcome& o) {
  const CheckReach& r = o.reach;
  for (const auto* c : {&r.views, &r.shares, &r.likes, &r.comments}) {
    if (*c && **c < 0) return Status::InvalidArgument("a counter is negative");
  }
  if (r.fingerprint.empty()) {
    if (!r.cluster_key.empty()) return Status::InvalidArgument("cluster_key without a fingerprint");
    return Status::Ok();
  }
  if (!IsSha256Hex(r.fingerprint)) return Status::InvalidArgument("fingerprint is not 64 lower-case hex digits");
  if (!IsSha256Hex(r.cluster_key)) return Status::InvalidArgument("cluster_key is not 64 lower-case hex digits");
  return Status::Ok();
}

Status CheckEvidence(const CheckOutcome& o) {
  if (!o.evidence) return Status::Ok();
  const EvidenceSnapshot& e = *o.evidence;
  if (!o.judged || !o.flagged) return Status::InvalidArgument("evidence of a page that is not flagged");
  if (!IsSha256Hex(e.sha256)) return Status::InvalidArgument("evidence sha256 is not 64 lower-case hex digits");
  if (e.body_bytes < 0 || e.body_bytes > kMaxEvidenceBodyBytes) {
    return Status::InvalidArgument("evidence body_bytes is out of range");
  }
  if (e.body_zstd.empty()) return Status::InvalidArgument("evidence body_zstd is empty");
  if (o.rules_version.empty()) return Status::InvalidArgument("evidence without a rules_version");
  Status st = CheckJsonArray("evidence headers", e.headers, kMaxEvidenceHeadersBytes);
  if (st.ok()) st = CheckJsonArray("evidence matches", e.matches, kMaxMatchesBytes);
  return st;
}

}  // namespace

Status ValidateOffers(const std::vector<CandidateOffer>& offers, const OfferLimits& limits) {
  if (limits.max_depth < 0 || limits.max_per_day < 0 || limits.max_per_page < 0) {
    return Status::InvalidArgument("discovery limits must not be negative");
  }
  for (const CandidateOffer& o : offers) {
    Status st = CheckText("candidate key", o.key, kMaxUrlBytes, true);
    if (st.ok()) st = CheckText("candidate url", o.url, kMaxUrlBytes, true);
    if (st.ok()) st = CheckText("candidate host", o.host, kMaxHostBytes, true);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status ValidateReportQuery(const ReportQuery& q) {
  constexpr TimeMs kDay = 24 * 3600 * 1000LL;
  // 1970-01-01 was a Thursday: Mondays are 4 days after a multiple of 7 days.
  if (q.week_end - q.week_start != 7 * kDay || (q.week_start - 4 * kDay) % (7 * kDay) != 0) {
    return Status::InvalidArgument("a report week runs from a Monday 00:00 UTC for 7 days");
  }
  if (q.top_n < 1 || q.top_n > 1000) return Status::InvalidArgument("top_n must be 1..1000");
  if (q.history_weeks < 1 || q.history_weeks > 104) {
    return Status::InvalidArgument("history_weeks must be 1..104");
  }
  return Status::Ok();
}

Status ValidateReview(const ReviewDecision& d) {
  if (d.link_id <= 0) return Status::InvalidArgument("link_id must be positive");
  if (d.accept) return CheckText("basis", d.legal_basis, kMaxLegalBasisBytes, true);
  return CheckText("reason", d.reason, kMaxNoteBytes, true);
}

Status ValidateOptions(const Options& o) {
  if (o.busy_timeout_ms < 0) return Status::InvalidArgument("busy_timeout_ms is negative");
  if (o.read_connections < 1 || o.read_connections > kMaxReadConnections) {
    return Status::InvalidArgument("read_connections must be 1.." +
                                   std::to_string(kMaxReadConnections));
  }
  if (o.max_batch_jobs < 1) return Status::InvalidArgument("max_batch_jobs must be at least 1");
  if (o.max_batch_rows < 1) return Status::InvalidArgument("max_batch_rows must be at least 1");
  return Status::Ok();
}

Status ValidateAgencyName(std::string_view name) {
  const auto length = PrintableLength(name);
  if (!length || *length == 0 || *length > kMaxAgencyNameChars) {
    return Status::InvalidArgument("an agency name must be 1.." +
                                   std::to_string(kMaxAgencyNameChars) +
                                   " printable characters");
  }
  if (name.front() == ' ' || name.back() == ' ') {
    return Status::InvalidArgument("an agency name must not start or end with a space");
  }
  if (name.find("  ") != std::string_view::npos) {
    return Status::InvalidArgument("an agency name must not hold two spaces in a row");
  }
  // Characters that look like a plain space or like nothing, and combining
  // marks (write "é" as one character): a second agency could otherwise look
  // exactly like the first.
  for (size_t i = 0; i < name.size();) {
    const auto cp = NextCodePoint(name, i);
    const char32_t c = cp ? *cp : 0;
    const bool odd_space = c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
    const bool invisible = c == 0xAD || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
                           (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF;
    const bool combining = (c >= 0x300 && c <= 0x36F) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x20D0 && c <= 0x20FF);
    if (odd_space || invisible || combining) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(c));
      return Status::InvalidArgument(std::string("an agency name must not hold ") + hex +
                                     (odd_space   ? " (a space other than the plain one)"
                                      : invisible ? " (an invisible character)"
                                                  : " (a combining mark: write the accented letter as one character)"));
    }
  }
  return Status::Ok();
}

Status ValidateTokenHash(std::string_view hash) {
  if (hash.size() != kTokenHashHexChars ||
      hash.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
    return Status::InvalidArgument("a token hash must be 64 hex digits (SHA-256)");
  }
  return Status::Ok();
}

Status ValidateTokenLabel(std::string_view label) {
  return CheckText("token label", label, kMaxTokenLabelBytes, false);
}

Status ValidateSubmissions(const std::vector<Submission>& submissions) {
  if (submissions.size() > kMaxSubmissionsPerCall) {
    return Status::InvalidArgument("more than " + std::to_string(kMaxSubmissionsPerCall) +
                                   " submissions in one call");
  }
  for (size_t i = 0; i < submissions.size(); ++i) {
    if (auto problem = CheckSubmission(submissions[i])) {
      return Status::InvalidArgument("submission " + std::to_string(i) + ": " + problem->message);
    }
  }
  return Status::Ok();
}

Status ValidateAudit(std::string_view action, std::string_view target, std::string_view detail) {
  Status st = CheckText("audit action", action, kMaxAuditActionBytes, true);
  if (st.ok()) st = CheckText("audit target", target, kMaxAuditTargetBytes, true);
  if (st.ok()) st = CheckText("audit detail", detail, kMaxAuditDetailBytes, true);
  if (st.ok() && !nlohmann::json::accept(detail)) {
    st = Status::InvalidArgument("audit detail is not a JSON document");
  }
  return st;
}

Status ValidateLimit(int limit) {
  if (limit < 1 || limit > kMaxPageLimit) {
    return Status::InvalidArgument("limit must be 1.." + std::to_string(kMaxPageLimit));
  }
  return Status::Ok();
}

bool IsLinkStatus(std::string_view status) {
  for (std::string_view s : kLinkStatuses) {
    if (status == s) return true;
  }
  return false;
}

bool IsCheckStatus(std::string_view status) {
  return status != "pending" && IsLinkStatus(status);
}

Status ValidateLease(int limit, int64_t lease_ms) {
  if (limit < 1 || limit > kMaxLeasePerCall) {
    return Status::InvalidArgument("limit must be 1.." + std::to_string(kMaxLeasePerCall));
  }
  if (lease_ms < 1 || lease_ms > kMaxLeaseMs) {
    return Status::InvalidArgument("lease_ms must be 1.." + std::to_string(kMaxLeaseMs));
  }
  return Status::Ok();
}

void CleanOutcomes(std::vector<CheckOutcome>& outcomes) {
  for (CheckOutcome& o : outcomes) {
    CleanText(o.final_url, kMaxFinalUrlBytes);
    CleanText(o.etag, kMaxValidatorBytes);
    CleanText(o.last_modified, kMaxValidatorBytes);
    CleanText(o.error, kMaxCheckErrorBytes);
  }
}

Status ValidateOutcomes(const std::vector<CheckOutcome>& outcomes) {
  if (outcomes.size() > kMaxOutcomesPerCall) {
    return Status::InvalidArgument("more than " + std::to_string(kMaxOutcomesPerCall) +
                                   " outcomes in one call");
  }
  for (size_t i = 0; i < outcomes.size(); ++i) {
    Status st = CheckOutcomeNumbers(outcomes[i]);
    if (st.ok()) st = CheckOutcomeStatuses(outcomes[i]);
    if (st.ok()) st = CheckOutcomeTexts(outcomes[i]);
    if (st.ok()) st = CheckEvidence(outcomes[i]);
    if (st.ok()) st = CheckOutcomeReach(outcomes[i]);
    if (!st.ok()) {
      return Status::InvalidArgument("outcome " + std::to_string(i) + " (link " +
                                     std::to_string(outcomes[i].link_id) + "): " + st.message());
    }
  }
  return Status::Ok();
}

Status ValidateRescan(const RescanTarget& target) {
  const int set = (target.link_id ? 1 : 0) + (target.status ? 1 : 0) + (target.all ? 1 : 0);
  if (set != 1) {
    return Status::InvalidArgument("a rescan names exactly one of: a link id, a status, all");
  }
  if (target.link_id && *target.link_id <= 0) {
    return Status::InvalidArgument("link id must be positive");
  }
  if (target.status && !IsLinkStatus(*target.status)) {
    return Status::InvalidArgument("unknown status \"" + *target.status + "\"");
  }
  return Status::Ok();
}

}  // namespace linkwatch::storage
