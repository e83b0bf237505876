#include "audit_chain.h"

#include <charconv>
#include <utility>

#include "linkwatch/base/sha256.h"

namespace linkwatch::storage {
namespace {

void AddField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

std::string Row(int64_t id) { return "row " + std::to_string(id); }

}  // namespace

Result<AuditHead> ParseAuditHead(std::string_view text) {
  const Status bad = Status::InvalidArgument(
      "an audit head is ID:HASH, as audit verify prints it (a row id and 64 lower-case hex digits)");
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return bad;
  AuditHead head;
  const std::string_view id = text.substr(0, colon);
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), head.id);
  if (ec != std::errc() || end != id.data() + id.size() || head.id <= 0) return bad;
  head.hash = std::string(text.substr(colon + 1));
  if (head.hash.size() != 64 || head.hash.find_first_not_of("0123456789abcdef") != std::string::npos) return bad;
  return head;
}

std::string AuditHash(const AuditEntry& e) {
  std::string s;
  s.reserve(128 + e.agency.size() + e.action.size() + e.target.size() + e.detail.size());
  AddField(s, std::to_string(e.id));
  AddField(s, std::to_string(e.at));
  AddField(s, std::to_string(e.token_id));
  AddField(s, e.agency);
  AddField(s, e.action);
  AddField(s, e.target);
  AddField(s, e.detail);
  AddField(s, e.prev_hash);
  return Sha256Hex(s);
}

void AuditVerifier::Break(int64_t id, std::string reason) {
  verdict_.ok = false;
  verdict_.first_broken_id = id;
  verdict_.reason = std::move(reason);
}

std::string AuditVerifier::MissingReason(const AuditEntry& row) const {
  const int64_t first_missing = prev_id_ + 1;
  const int64_t last_missing = row.id - 1;
  const std::string missing =
      first_missing == last_missing
          ? Row(first_missing) + " is missing"
          : "rows " + std::to_string(first_missing) + ".." + std::to_string(last_missing) +
                " are missing";
  if (prev_id_ == 0) return Row(row.id) + " is the first row: " + missing;
  return Row(row.id) + " follows " + Row(prev_id_) + ": " + missing;
}

bool AuditVerifier::Feed(const AuditEntry& row) {
  if (!verdict_.ok) return false;
  ++verdict_.rows_checked;
  if (row.id <= prev_id_) {
    Break(row.id, Row(row.id) + " is out of order after " + Row(prev_id_));
  } else if (row.id != prev_id_ + 1) {
    Break(row.id, MissingReason(row));
  } else if (AuditHash(row) != row.hash) {
    Break(row.id, Row(row.id) + ": hash does not match its content");
  } else if (row.prev_hash != prev_hash_) {
    Break(row.id, prev_id_ == 0 ? Row(row.id) + ": prev_hash is not the chain's start"
                                : Row(row.id) + ": prev_hash does not match " + Row(prev_id_));
  }
  if (verdict_.ok && expect_ && row.id == expect_->id && row.hash != expect_->hash) {
    Break(row.id, Row(row.id) + ": hash differs from the head kept (" + expect_->hash.substr(0, 12) +
                      "...): the log was rewritten from this row or before");
  }
  prev_id_ = row.id;
  prev_hash_ = row.hash;
  if (verdict_.ok) {
    verdict_.head_id = row.id;
    verdict_.head_hash = row.hash;
  }
  return verdict_.ok;
}

const AuditVerdict& AuditVerifier::Finish() {
  if (verdict_.ok && expect_ && prev_id_ < expect_->id) {
    Break(expect_->id, Row(expect_->id) + " of the head kept is gone: the log ends at " + Row(prev_id_) +
                           " (rows were deleted from its end)");
  }
  return verdict_;
}

}  // namespace linkwatch::storage
