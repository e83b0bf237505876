#include "counters_number.h"

#include <array>
#include <string>
#include <vector>

namespace linkwatch::crawler {
namespace {

// A word longer than any multiplier is not looked up.
constexpr size_t kMaxMultiplierBytes = 32;

struct Multiplier {
  std::string_view word;  // lower-case
  int exponent;
};

constexpr std::array<Multiplier, 28> kMultipliers = {{
    {"k", 3}, {"к", 3}, {"thousand", 3}, {"thousands", 3}, {"тыс", 3}, {"тысяч", 3},
    {"тысячи", 3}, {"тысяча", 3}, {"мың", 3},
    {"m", 6}, {"mn", 6}, {"mln", 6}, {"million", 6}, {"millions", 6}, {"млн", 6},
    {"миллион", 6}, {"миллиона", 6}, {"миллионов", 6},
    {"b", 9}, {"bn", 9}, {"billion", 9}, {"billions", 9}, {"млрд", 9}, {"миллиард", 9},
    {"миллиарда", 9}, {"миллиардов", 9}, {"mld", 9}, {"mrd", 9},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Bytes of a space that may group digits at s[i] (' ', U+00A0, U+202F,
// U+2009), else 0.
size_t GroupSpaceAt(std::string_view s, size_t i) {
  const std::string_view rest = s.substr(i);
  if (rest.starts_with(' ')) return 1;
  if (rest.starts_with("\xC2\xA0")) return 2;
  if (rest.starts_with("\xE2\x80\xAF") || rest.starts_with("\xE2\x80\x89")) return 3;
  return 0;
}

// Bytes of any white space at s[i] (the grouping spaces, tab, newline), else 0.
size_t SpaceAt(std::string_view s, size_t i) {
  if (i < s.size() && (s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f')) return 1;
  return GroupSpaceAt(s, i);
}

size_t DigitsAt(std::string_view s, size_t i) {
  size_t n = 0;
  while (i + n < s.size() && IsDigit(s[i + n])) ++n;
  return n;
}

// Lower-case of a Cyrillic letter (U+0400..U+04FF), the Kazakh ones (Ғ Қ Ң
// Ү Ұ Һ Ә Ө, paired upper/lower at even/odd code points) included.
uint32_t LowerCyrillic(uint32_t cp) {
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  const bool paired = (cp >= 0x48A && cp <= 0x4BF) || (cp >= 0x4D0 && cp <= 0x4FF);
  if (paired && cp % 2 == 0) return cp + 1;
  return cp;
}

std::string LowerWord(std::string_view word) {
  std::string out;
  for (size_t i = 0; i < word.size(); ++i) {
    const auto c = static_cast<unsigned char>(word[i]);
    if (c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    } else if ((c & 0xE0) == 0xC0 && i + 1 < word.size()) {
      const uint32_t cp = LowerCyrillic(((c & 0x1Fu) << 6) | (static_cast<unsigned char>(word[i + 1]) & 0x3Fu));
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

enum class Sep { kComma, kDot, kSpace };

struct Group {
  Sep sep;                 // the separator before the digits
  std::string_view digits;
};

// The digits of a number and where it ends.
struct Number {
  std::string_view first;
  std::vector<Group> groups;
  size_t end = 0;
};

// Reads digit groups from s[start] (a digit). A space only groups three
// digits; after anything else the number ends.
Number ScanNumber(std::string_view s, size_t start) {
  Number n;
  n.first = s.substr(start, DigitsAt(s, start));
  size_t pos = start + n.first.size();
  while (pos < s.size()) {
    const size_t space = GroupSpaceAt(s, pos);
    const bool mark = s[pos] == ',' || s[pos] == '.';
    if (!space && !mark) break;
    const size_t width = mark ? 1 : space;
    const size_t digits = DigitsAt(s, pos + width);
    if (digits == 0 || (space && digits != 3)) break;
    const Sep sep = space ? Sep::kSpace : (s[pos] == ',' ? Sep::kComma : Sep::kDot);
    n.groups.push_back({sep, s.substr(pos + width, digits)});
    pos += width + digits;
  }
  n.end = pos;
  return n;
}

// The multiplier word right after the number (white space between allowed),
// and where the text goes on after it; exponent 0 when there is none.
struct After {
  int exponent = 0;
  size_t rest = 0;
};

After ReadMultiplier(std::string_view s, size_t pos) {
  while (const size_t w = SpaceAt(s, pos)) pos += w;
  size_t end = pos;
  // A word is ASCII letters and non-ASCII characters other than spaces and
  // general punctuation (U+2000..U+203F: "…", "•").
  while (end < s.size() && !SpaceAt(s, end) && !s.substr(end).starts_with("\xE2\x80") &&
         (IsAsciiLetter(s[end]) || static_cast<unsigned char>(s[end]) >= 0x80)) {
    ++end;
  }
  if (const std::optional<int> e = MultiplierExponent(s.substr(pos, end - pos))) return {*e, end};
  return {0, pos};
}

bool Append(int64_t* value, std::string_view digits) {
  for (const char c : digits) {
    if (__builtin_mul_overflow(*value, 10, value) || __builtin_add_overflow(*value, c - '0', value)) {
      return false;
    }
  }
  return true;
}

// The value of `n` times 10^exponent under the rules in counters.h.
std::optional<int64_t> Evaluate(const Number& n, int exponent) {
  std::string_view decimal;
  size_t grouping = n.groups.size();
  if (!n.groups.empty() && n.groups.back().sep != Sep::kSpace && n.groups.back().digits.size() != 3) {
    decimal = n.groups.back().digits;
    --grouping;
    if (exponent == 0) return std::nullopt;  // "1,2": a decimal needs a multiplier
  }
  for (size_t i = 0; i < grouping; ++i) {
    if (n.groups[i].digits.size() != 3 || n.groups[i].sep != n.groups[0].sep) return std::nullopt;
  }
  if (grouping > 0 && n.first.size() > 3) return std::nullopt;
  if (!decimal.empty() && grouping > 0 && n.groups[0].sep == n.groups.back().sep) return std::nullopt;
  int64_t value = 0;
  if (!Append(&value, n.first)) return std::nullopt;
  for (size_t i = 0; i < grouping; ++i) {
    if (!Append(&value, n.groups[i].digits)) return std::nullopt;
  }
  // Only the first `exponent` decimals count once rounded down.
  const auto places = static_cast<size_t>(exponent);
  const std::string_view kept = decimal.substr(0, places);
  const std::string fraction = std::string(kept) + std::string(places - kept.size(), '0');
  if (!Append(&value, fraction)) return std::nullopt;
  return value;
}

}  // namespace

std::optional<int> MultiplierExponent(std::string_view word) {
  if (word.empty() || word.size() > kMaxMultiplierBytes) return std::nullopt;
  const std::string lower = LowerWord(word);
  for (const Multiplier& m : kMultipliers) {
    if (lower == m.word) return m.exponent;
  }
  return std::nullopt;
}

std::optional<int64_t> ParseCountText(std::string_view text) {
  size_t start = 0;
  while (start < text.size() && !IsDigit(text[start])) ++start;
  if (start == text.size()) return std::nullopt;
  // "-5", "−5", ".5K", ",5": a sign or a separator before the number.
  const std::string_view before = text.substr(0, start);
  if (before.ends_with('-') || before.ends_with('.') || before.ends_with(',') ||
      before.ends_with("\xE2\x88\x92")) {
    return std::nullopt;
  }
  const Number number = ScanNumber(text, start);
  const After after = ReadMultiplier(text, number.end);
  for (size_t i = after.rest; i < text.size(); ++i) {
    if (IsDigit(text[i])) return std::nullopt;  // a second number
  }
  return Evaluate(number, after.exponent);
}

}  // namespace linkwatch::crawler
