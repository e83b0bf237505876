// Searching text for phrases with ASCII letters compared case-insensitively
// and every other byte exactly (UTF-8 phrases match their own bytes).
//
// Thread-safe: a FoldedText is immutable once built.
#pragma once

#include <string>
#include <string_view>

namespace linkwatch {

// Text prepared once for several searches: an ASCII-lowered copy, searched
// with memmem (faster than folding case at each comparison).
class FoldedText {
 public:
  explicit FoldedText(std::string_view text);

  // True when `phrase` occurs. An empty phrase occurs everywhere.
  bool Contains(std::string_view phrase) const;

 private:
  std::string lowered_;
};

// `text` with the ASCII letters A-Z lowered, every other byte as it is.
std::string LowerAscii(std::string_view text);

}  // namespace linkwatch
