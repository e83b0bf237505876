// Word splitting for SimHash (internal; shared with the white-box tests).
#pragma once

#include <cstddef>
#include <string_view>

#include "utf8.h"

namespace linkwatch::matcher::internal {

// Whether `cp` is part of a word: ASCII letters and digits, and every
// non-ASCII code point that is not listed as punctuation, symbol, space,
// control, private use or U+FFFD (so letters and combining marks of any
// script are word characters).
bool IsWordChar(char32_t cp);

// Calls fn(std::string_view word) for each maximal run of word characters of
// `text`, in order. Views point into `text`.
template <class Fn>
void ForEachWord(std::string_view text, Fn&& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t begin = 0;
  bool in_word = false;
  for (size_t i = 0; i < n;) {
    const unsigned char b = p[i];
    bool word;
    int len = 1;
    if (b < 0x80) {
      word = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z');
    } else {
      const Decoded d = DecodeUtf8(p + i, n - i);
      word = IsWordChar(d.cp);
      len = d.len;
    }
    if (word && !in_word) begin = i;
    if (!word && in_word) fn(text.substr(begin, i - begin));
    in_word = word;
    i += static_cast<size_t>(len);
  }
  if (in_word) fn(text.substr(begin));
}

}  // namespace linkwatch::matcher::internal
