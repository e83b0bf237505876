// Minimal UTF-8 decoding and encoding for normalization (internal).
#pragma once

#include <cstddef>
#include <string>

namespace linkwatch::matcher::internal {

inline constexpr char32_t kReplacementChar = 0xFFFD;

struct Decoded {
  char32_t cp;  // kReplacementChar for an invalid sequence
  int len;      // bytes consumed, >= 1
};

// Decodes the code point at the start of p[0..n). An invalid sequence yields
// U+FFFD and consumes its maximal invalid subpart (Unicode 15, section 3.9),
// so one bad byte never swallows the valid characters after it.
// REQUIRES: n >= 1
Decoded DecodeUtf8(const unsigned char* p, size_t n);

// Appends the UTF-8 form of `cp`. REQUIRES: cp is a scalar value.
void AppendUtf8(std::string* out, char32_t cp);

inline bool IsContinuationByte(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace linkwatch::matcher::internal
