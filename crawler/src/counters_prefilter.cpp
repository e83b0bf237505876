// MayCarryCounters(): the markers any counter extraction needs, searched in
// the UTF-8 text Gumbo would parse. Wrong only in the safe direction: every
// test that is not exact answers "maybe".
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

#include "charset.h"
#include "linkwatch/base/host_pattern.h"
#include "linkwatch/crawler/page.h"
#include "page_counters.h"
#include "page_decode.h"
#include "page_nesting.h"

namespace linkwatch::crawler {
namespace {

// The common part of the keys and attribute values counters come from.
constexpr std::string_view kMarker = "interaction";
// The largest code point a character reference can name (larger ones read as U+FFFD).
constexpr uint32_t kMaxCodePoint = 0x10FFFF;

constexpr char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool IsAsciiLetter(uint32_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// `needle` (lower-case ASCII) in `text`, ASCII case-insensitively
// (Horspool, with a shift table that folds case).
bool ContainsNoCase(std::string_view text, std::string_view needle) {
  const size_t n = needle.size();
  if (n == 0) return true;
  if (text.size() < n) return false;
  std::array<size_t, 256> shift;
  shift.fill(n);
  for (size_t j = 0; j + 1 < n; ++j) {
    const auto lower = static_cast<unsigned char>(needle[j]);
    shift[lower] = n - 1 - j;
    if (lower >= 'a' && lower <= 'z') shift[lower - 'a' + 'A'] = n - 1 - j;
  }
  for (size_t at = 0; at + n <= text.size();) {
    size_t j = n;
    while (j > 0 && Lower(text[at + j - 1]) == needle[j - 1]) --j;
    if (j == 0) return true;
    at += shift[static_cast<unsigned char>(text[at + n - 1])];
  }
  return false;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code point of the numeric character reference at text[at] ("&#...",
// as Gumbo reads it: any number of digits, ';' optional); nullopt when there
// is none.
std::optional<uint32_t> NumericReference(std::string_view text, size_t at) {
  size_t i = at + 2;  // past "&#"
  const bool hex = i < text.size() && (text[i] == 'x' || text[i] == 'X');
  if (hex) ++i;
  uint32_t value = 0;
  bool digits = false;
  for (; i < text.size(); ++i) {
    const int d = hex ? HexValue(text[i]) : (text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1);
    if (d < 0) break;
    digits = true;
    value = std::min<uint32_t>(value * (hex ? 16 : 10) + static_cast<uint32_t>(d), kMaxCodePoint + 1);
  }
  if (!digits) return std::nullopt;
  return value;
}

// A numeric character reference that names an ASCII letter (named
// references never do).
bool HasLetterReference(std::string_view text) {
  for (size_t at = text.find("&#"); at != std::string_view::npos; at = text.find("&#", at + 2)) {
    const std::optional<uint32_t> c = NumericReference(text, at);
    if (c && IsAsciiLetter(*c)) return true;
  }
  return false;
}

// A JSON escape "\uXXXX" that names an ASCII letter.
bool HasLetterJsonEscape(std::string_view text) {
  constexpr size_t kDigits = 4;
  for (size_t at = text.find("\\u"); at != std::string_view::npos; at = text.find("\\u", at + 2)) {
    if (at + 2 + kDigits > text.size()) return false;
    uint32_t value = 0;
    bool ok = true;
    for (size_t k = 0; k < kDigits && ok; ++k) {
      const int d = HexValue(text[at + 2 + k]);
      ok = d >= 0;
      value = value * 16 + static_cast<uint32_t>(ok ? d : 0);
    }
    if (ok && IsAsciiLetter(value)) return true;
  }
  return false;
}

bool AnySiteRuleApplies(const ExtractOptions& options, std::string_view page_url) {
  if (options.site_counters.empty()) return false;
  const std::string_view host = UrlHost(page_url);
  for (const SiteCounterRule& rule : options.site_counters) {
    for (const std::string& pattern : rule.hosts) {
      if (HostPatternMatches(pattern, host)) return true;
    }
  }
  return false;
}

bool MayHoldMarker(std::string_view html) {
  if (ContainsNoCase(html, kMarker)) return true;
  if (std::memchr(html.data(), '\0', html.size()) != nullptr) return true;
  if (HasLetterReference(html) || HasLetterJsonEscape(html)) return true;
  const bool foreign = ContainsNoCase(html, "<svg") || ContainsNoCase(html, "<math");
  return foreign && ContainsNoCase(html, "json");
}

}  // namespace

bool MayCarryCounters(std::string_view body, std::string_view content_type, std::string_view page_url,
                      const ExtractOptions& options) {
  const MediaType media = ParseContentType(content_type);
  if (KindOf(media.type) != BodyKind::kHtml) return false;  // text/plain and others: no counters
  if (AnySiteRuleApplies(options, page_url)) return true;
  const DecodedBody decoded(body, media.charset, /*html=*/true);
  std::string_view html = decoded.utf8();
  // The nesting cap removes start tags, which can join what it leaves; each
  // element nested deeper than the cap needs a '<' of its own.
  std::optional<std::string> limited;
  if (static_cast<size_t>(std::count(html.begin(), html.end(), '<')) > options.max_nesting_depth) {
    limited = LimitNesting(html, options.max_nesting_depth);
    if (limited) html = *limited;
  }
  return MayHoldMarker(html);
}

}  // namespace linkwatch::crawler
