// Helpers shared by the page extraction tests (page_test's files).
#pragma once

#include <string>
#include <string_view>

namespace linkwatch::crawler::testing {

// UTF-16 code units as bytes, little- or big-endian.
inline std::string Utf16(std::u16string_view text, bool little_endian) {
  std::string out;
  for (const char16_t unit : text) {
    const char lo = static_cast<char>(unit & 0xFF), hi = static_cast<char>(unit >> 8);
    out += little_endian ? lo : hi;
    out += little_endian ? hi : lo;
  }
  return out;
}

}  // namespace linkwatch::crawler::testing
