// Internals of normalization shared with rule matching: mapping positions in
// normalized text back to the original, and cutting excerpts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/matcher/normalize.h"

namespace linkwatch::matcher::internal {

struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// Which code NormalizeInto runs. Both give the same result; kPortable skips
// the AVX-512 path (for tests, so that the narrow paths are checked too on a
// machine that has it).
enum class NormalizePath { kAuto, kPortable };

// Normalize() into *buffer, which is grown as needed and never shrunk (so a
// reused buffer costs no allocation); returns the normalized text, which
// lives in *buffer.
std::string_view NormalizeInto(std::string_view in, const NormalizeOptions& options,
                               std::string* buffer, NormalizePath path = NormalizePath::kAuto);

// Whether this CPU runs the AVX-512 path of NormalizeInto.
bool HasWideNormalize();

// Maps byte spans of Normalize(original, options) to the spans of `original`
// that produced them: a span starts at the first byte of the original
// character behind its first byte and ends after the original character
// behind its last byte (a collapsed space stands for its whole run).
// REQUIRES: each span lies within Normalize(original, options).
std::vector<Span> MapToOriginal(std::string_view original, const NormalizeOptions& options,
                                const std::vector<Span>& normalized);

// Widens `span` of `text` by up to `chars` code points on each side.
Span WidenSpan(std::string_view text, Span span, int chars);

// `text` with invalid UTF-8 repaired and white space runs shown as one space,
// trimmed; nothing else changes. For showing original text to people.
std::string CleanForDisplay(std::string_view text);

}  // namespace linkwatch::matcher::internal
