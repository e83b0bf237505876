// MayCarryCounters(): the markers any counter extraction needs, searched in
// the UTF-8 text Gumbo would parse. Wrong only in the safe direction: every
// test that is not exact answers "maybe".
#include <string.h>  // memmem

#include <cstdint>
#include <cstring>
#include <optional>

#include "charset.h"
#include "linkwatch/base/folded_search.h"
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

bool StartsWithNoCase(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    if (Lower(text[i]) != lower_prefix[i]) return false;
  }
  return true;
}

// The '<' of the markup: how many (each element nested past the cap needs
// one), and whether one opens foreign content (<svg, <math).
struct Tags {
  size_t count = 0;
  bool foreign = false;
};

Tags ScanTags(std::string_view html) {
  Tags tags;
  const char* const end = html.data() + html.size();
  for (const char* p = html.data(); p < end;) {
    const void* lt = std::memchr(p, '<', static_cast<size_t>(end - p));
    if (lt == nullptr) break;
    p = static_cast<const char*>(lt) + 1;
    ++tags.count;
    const std::string_view rest(p, static_cast<size_t>(end - p));
    if (!tags.foreign) tags.foreign = StartsWithNoCase(rest, "svg") || StartsWithNoCase(rest, "math");
  }
  return tags;
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

// Each position of `c` in `text`, until `found` returns true.
template <typename Found>
bool AnyAt(std::string_view text, char c, Found found) {
  for (size_t at = 0; at < text.size(); ++at) {
    const void* hit = std::memchr(text.data() + at, c, text.size() - at);
    if (hit == nullptr) return false;
    at = static_cast<size_t>(static_cast<const char*>(hit) - text.data());
    if (found(at)) return true;
  }
  return false;
}

// A numeric character reference that names an ASCII letter (named
// references never do).
bool HasLetterReference(std::string_view text) {
  return AnyAt(text, '&', [&](size_t at) {
    if (at + 1 >= text.size() || text[at + 1] != '#') return false;
    const std::optional<uint32_t> c = NumericReference(text, at);
    return c && IsAsciiLetter(*c);
  });
}

// A JSON escape (backslash, u, four hex digits) that names an ASCII letter.
bool HasLetterJsonEscape(std::string_view text) {
  constexpr size_t kDigits = 4;
  return AnyAt(text, '\\', [&](size_t at) {
    if (at + 2 + kDigits > text.size() || text[at + 1] != 'u') return false;
    uint32_t value = 0;
    for (size_t k = 0; k < kDigits; ++k) {
      const int d = HexValue(text[at + 2 + k]);
      if (d < 0) return false;
      value = value * 16 + static_cast<uint32_t>(d);
    }
    return IsAsciiLetter(value);
  });
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

bool MayHoldMarker(std::string_view html, const Tags& tags) {
  // The usual spelling first: then no lowered copy of the page is made.
  if (memmem(html.data(), html.size(), kMarker.data(), kMarker.size()) != nullptr) return true;
  const FoldedText folded(html);
  if (folded.Contains(kMarker)) return true;
  if (std::memchr(html.data(), '\0', html.size()) != nullptr) return true;
  if (HasLetterReference(html) || HasLetterJsonEscape(html)) return true;
  return tags.foreign && folded.Contains("json");
}

}  // namespace

bool MayCarryCounters(std::string_view body, std::string_view content_type, std::string_view page_url,
                      const ExtractOptions& options) {
  const MediaType media = ParseContentType(content_type);
  if (KindOf(media.type) != BodyKind::kHtml) return false;  // text/plain and others: no counters
  if (AnySiteRuleApplies(options, page_url)) return true;
  const DecodedBody decoded(body, media.charset, /*html=*/true);
  std::string_view html = decoded.utf8();
  Tags tags = ScanTags(html);
  // The nesting cap removes start tags, which can join what it leaves; each
  // element nested deeper than the cap needs a '<' of its own.
  std::optional<std::string> limited;
  if (tags.count > options.max_nesting_depth) {
    limited = LimitNesting(html, options.max_nesting_depth);
    if (limited) {
      html = *limited;
      tags = ScanTags(html);
    }
  }
  return MayHoldMarker(html, tags);
}

}  // namespace linkwatch::crawler
