#include "linkwatch/base/folded_search.h"

#include <algorithm>
#include <limits>

namespace linkwatch {
namespace {

constexpr char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

FoldedNeedle::FoldedNeedle(std::string_view needle) : lowered_(needle) {
  for (char& c : lowered_) c = Lower(c);
  // A shift never needs to exceed the table's range: longer phrases shift
  // by at most 255, which is still correct, only slower.
  const size_t n = std::min<size_t>(lowered_.size(), std::numeric_limits<uint8_t>::max());
  shift_.fill(static_cast<uint8_t>(n));
  if (lowered_.empty()) return;
  const size_t last = lowered_.size() - 1;
  for (size_t j = lowered_.size() > n ? last - n + 1 : 0; j < last; ++j) {
    const auto c = static_cast<unsigned char>(lowered_[j]);
    const auto shift = static_cast<uint8_t>(last - j);
    shift_[c] = shift;
    if (c >= 'a' && c <= 'z') shift_[c - 'a' + 'A'] = shift;
  }
}

bool FoldedNeedle::FoundIn(std::string_view text) const {
  const size_t n = lowered_.size();
  if (n == 0) return true;
  if (text.size() < n) return false;
  const char* const data = text.data();
  const char last = lowered_[n - 1];
  for (size_t at = 0; at + n <= text.size();) {
    const char c = data[at + n - 1];
    if (Lower(c) == last) {
      size_t j = n - 1;
      while (j > 0 && Lower(data[at + j - 1]) == lowered_[j - 1]) --j;
      if (j == 0) return true;
    }
    at += shift_[static_cast<unsigned char>(c)];
  }
  return false;
}

bool ContainsFolded(std::string_view text, std::string_view needle) {
  return FoldedNeedle(needle).FoundIn(text);
}

}  // namespace linkwatch
