// Searching text for a phrase, ASCII letters compared case-insensitively and
// every other byte exactly (UTF-8 phrases match their own bytes), without
// copying or lowering the text.
//
// Thread-safe: a FoldedNeedle is immutable once built.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace linkwatch {

// A phrase prepared once for many searches (Horspool, with a shift table
// that folds case).
class FoldedNeedle {
 public:
  explicit FoldedNeedle(std::string_view needle);

  // True when the phrase occurs in `text`. An empty phrase occurs everywhere.
  bool FoundIn(std::string_view text) const;
  const std::string& lowered() const { return lowered_; }

 private:
  std::string lowered_;
  std::array<uint8_t, 256> shift_{};
};

// FoldedNeedle(needle).FoundIn(text), for a phrase searched once.
bool ContainsFolded(std::string_view text, std::string_view needle);

}  // namespace linkwatch
