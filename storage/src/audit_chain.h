// The audit log's hash chain: how a row's hash is computed and how a walk
// over the rows finds the first one that breaks the chain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "linkwatch/storage/store.h"

namespace linkwatch::storage {

// prev_hash of the first row.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Hex SHA-256 over the canonical serialization of every field but `hash`:
// the fields id, at, token_id, agency, action, target, detail, prev_hash in
// this order, each written as "<byte length>:<bytes>," (integers in decimal).
// Length prefixes make the encoding unambiguous for any bytes in any field.
std::string AuditHash(const AuditEntry& entry);

// The writer's view of the chain's end. Not thread-safe: the writer thread's.
struct ChainHead {
  int64_t last_id = 0;
  std::string last_hash{kAuditGenesisHash};
};

// Checks rows fed in id order and remembers the first break. Not thread-safe.
class AuditVerifier {
 public:
  explicit AuditVerifier(std::optional<AuditHead> expect = std::nullopt) : expect_(std::move(expect)) {}
  // False once a row broke the chain; later rows are then ignored.
  bool Feed(const AuditEntry& row);
  // After the last row: the verdict, with the expected head checked.
  const AuditVerdict& Finish();
  const AuditVerdict& verdict() const { return verdict_; }

 private:
  void Break(int64_t id, std::string reason);
  std::string MissingReason(const AuditEntry& row) const;

  std::optional<AuditHead> expect_;
  AuditVerdict verdict_;
  int64_t prev_id_ = 0;
  std::string prev_hash_{kAuditGenesisHash};
};

}  // namespace linkwatch::storage
