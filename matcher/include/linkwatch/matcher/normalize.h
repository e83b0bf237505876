// Text normalization applied before rule matching, to page text and to the
// literal characters of rule patterns alike, so that obfuscated copies of
// known material (case, full-width letters, zero-width characters, soft
// hyphens, Cyrillic letters standing in for Latin ones) still match.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "linkwatch/base/status.h"

namespace linkwatch::matcher {

struct NormalizeOptions {
  // Map Latin/Cyrillic look-alike letters to one (Latin) form after case
  // folding, so that "ехаmple" typed with Cyrillic е, х, а reads "example".
  // Table (lower-case Cyrillic -> Latin):
  //   а->a е->e о->o р->p с->c у->y х->x і->i ј->j ѕ->s к->k м->m т->t н->h
  //   в->b һ->h ԁ->d ԛ->q ԝ->w
  // Default: true.
  bool map_confusables = true;
};

// Returns the normalized form of `utf8`:
//  - invalid UTF-8 is repaired: each maximal invalid subsequence becomes U+FFFD;
//  - simple Unicode case folding to lower case for Basic Latin, Latin-1
//    Supplement, Latin Extended-A, basic Greek (final sigma folds to sigma)
//    and Cyrillic (U+0400..U+052F, which holds the Kazakh letters
//    Ә Ғ Қ Ң Ө Ұ Ү Һ І);
//  - full-width ASCII forms U+FF01..U+FF5E become ASCII;
//  - invisible characters are removed: U+00AD soft hyphen, U+200B..U+200F,
//    U+202A..U+202E, U+2060..U+2064, U+FEFF;
//  - every run of Unicode White_Space becomes one U+0020; leading and
//    trailing white space is dropped;
//  - look-alike letters are mapped when options.map_confusables.
// Other characters pass unchanged (no NFC/NFKC composition).
std::string Normalize(std::string_view utf8, const NormalizeOptions& options = {});

// Rewrites an RE2 pattern so that it matches normalized text the way the
// pattern as written was meant to match the original text:
//  - literal characters (outside escapes) are normalized like text; a literal
//    that becomes an ASCII punctuation character is escaped (full-width "（"
//    becomes "\("); an invisible one becomes the empty group "(?:)", so that
//    a quantifier after it stays valid;
//  - inside a character class the original members stay and the normalized
//    images of its members are added ([а-я] also matches a, e, o, ... which
//    Cyrillic letters turn into);
//  - escapes (\x{...}, \p{...}, \d, ...), group flags and names are copied
//    unchanged, so \x{0430} still means Cyrillic а, which never occurs in
//    normalized text when look-alikes are mapped.
// Patterns are compiled case-insensitive, so folding literals only matters
// for look-alikes. White space in normalized text is a single space: write \s+.
// Does not validate the pattern; RE2 does that.
std::string NormalizePattern(std::string_view pattern, const NormalizeOptions& options = {});

}  // namespace linkwatch::matcher
