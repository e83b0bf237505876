// zstd compression of evidence snapshots (libzstd). Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "linkwatch/base/status.h"

namespace linkwatch {

// Default compression level for evidence: a good ratio at a few ms per MiB.
inline constexpr int kZstdEvidenceLevel = 6;

// One zstd frame holding `data` (with its size in the frame header).
std::string ZstdCompress(std::string_view data, int level = kZstdEvidenceLevel);

// Decompresses one zstd frame. Fails with kCorruption when `frame` is not a
// valid frame, and with kInvalidArgument when its content would exceed
// `max_bytes` (checked before and during decoding: no bomb gets through).
Result<std::string> ZstdDecompress(std::string_view frame, size_t max_bytes);

}  // namespace linkwatch
