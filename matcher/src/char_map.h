// Per-code-point normalization (internal): case folding, look-alikes, white
// space and invisible characters. constexpr so that the lookup tables of
// normalize.cpp are built at compile time.
#pragma once

namespace linkwatch::matcher::internal {

// Simple case folding (CaseFolding.txt, statuses C and S) for the scripts
// normalize.h lists; other code points are returned unchanged.
constexpr char32_t FoldCase(char32_t c) {
  const bool even = (c % 2) == 0;
  if (c >= 'A' && c <= 'Z') return c + 0x20;
  if (c < 0x80) return c;
  if (c == 0xB5) return 0x3BC;                               // micro sign -> mu
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;  // Latin-1
  if (c == 0x130) return 'i';                                // İ
  if (c == 0x178) return 0xFF;                               // Ÿ
  if (c == 0x17F) return 's';                                // long s
  if (c >= 0x100 && c <= 0x137 && c != 0x131) return even ? c + 1 : c;
  if (c >= 0x139 && c <= 0x148) return even ? c : c + 1;
  if (c >= 0x14A && c <= 0x177) return even ? c + 1 : c;
  if (c >= 0x179 && c <= 0x17E) return even ? c : c + 1;
  if (c == 0x386) return 0x3AC;  // Greek with tonos
  if (c >= 0x388 && c <= 0x38A) return c + 0x25;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 0x3F;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;  // Greek capitals
  if (c == 0x3C2) return 0x3C3;                                 // final sigma
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;                // Ѐ..Џ (incl. І)
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;                // А..Я
  if (c >= 0x460 && c <= 0x481) return even ? c + 1 : c;
  if (c >= 0x48A && c <= 0x4BF) return even ? c + 1 : c;  // Ғ Қ Ң Ү Ұ Һ ...
  if (c == 0x4C0) return 0x4CF;                           // palochka
  if (c >= 0x4C1 && c <= 0x4CE) return even ? c : c + 1;
  if (c >= 0x4D0 && c <= 0x52F) return even ? c + 1 : c;  // Ә Ө ...
  return c;
}

// Cyrillic look-alikes of Latin letters (lower case, after folding); the
// table is the one documented in normalize.h.
constexpr char32_t MapConfusable(char32_t c) {
  switch (c) {
    case 0x430:
      return 'a';  // а
    case 0x432:
      return 'b';  // в
    case 0x435:
      return 'e';  // е
    case 0x43A:
      return 'k';  // к
    case 0x43C:
      return 'm';  // м
    case 0x43D:
      return 'h';  // н
    case 0x43E:
      return 'o';  // о
    case 0x440:
      return 'p';  // р
    case 0x441:
      return 'c';  // с
    case 0x442:
      return 't';  // т
    case 0x443:
      return 'y';  // у
    case 0x445:
      return 'x';  // х
    case 0x455:
      return 's';  // ѕ
    case 0x456:
      return 'i';  // і
    case 0x458:
      return 'j';  // ј
    case 0x4BB:
      return 'h';  // һ
    case 0x501:
      return 'd';  // ԁ
    case 0x51B:
      return 'q';  // ԛ
    case 0x51D:
      return 'w';  // ԝ
    default:
      return c;
  }
}

// Unicode White_Space.
constexpr bool IsSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// Characters that render as nothing and are used to split words.
constexpr bool IsInvisible(char32_t c) {
  return c == 0xAD || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF;
}

enum class MapKind { kKeep, kSpace, kRemove };
struct Mapped {
  MapKind kind;
  char32_t cp;  // the image for kKeep, ' ' for kSpace
};

constexpr Mapped MapCodePoint(char32_t c, bool confusables) {
  if (IsSpace(c)) return {MapKind::kSpace, ' '};
  if (IsInvisible(c)) return {MapKind::kRemove, 0};
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
  c = FoldCase(c);
  if (confusables) c = MapConfusable(c);
  return {MapKind::kKeep, c};
}

// Whether MapCodePoint can change `c` at all; a cheap filter for the
// three-byte range, where only these blocks are touched.
constexpr bool MayMap(char32_t c) {
  return c < 0x800 || (c >= 0x1680 && c <= 0x3000) || (c >= 0xFEFF && c <= 0xFF5E);
}

}  // namespace linkwatch::matcher::internal
