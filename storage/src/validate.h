// Input checks done before any work reaches the writer, and the limits they
// enforce. All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

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

Status ValidateOptions(const Options& options);
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

}  // namespace linkwatch::storage
