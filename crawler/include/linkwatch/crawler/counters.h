// View, share, like and comment counters as pages state them.
//
// ExtractPage() fills Page::counters in its one walk of the tree from:
//   "json-ld"    <script type="application/ld+json">: every object at any depth
//                (@graph, lists, nested mainEntity...) with interactionStatistic
//                (one object or an array; interactionType as "WatchAction",
//                "https://schema.org/WatchAction", {"@type": "WatchAction"};
//                userInteractionCount a number or a string) or the old
//                interactionCount ("UserPlays:123", "UserLikes:5", or a bare
//                number, read as views);
//   "microdata"  itemprop="interactionStatistic" item scopes (interactionType
//                from href / content / itemtype / text, userInteractionCount
//                from content / value / text) and itemprop="interactionCount";
//   "meta"       <meta name|property="interactionCount" content="...">;
//   "site:NAME"  the SiteCounterRules of ExtractOptions whose hosts match the
//                page URL's host (each rule yields at most one counter: its
//                first matching element).
// WatchAction and ViewAction are views, ShareAction shares, LikeAction likes,
// CommentAction comments; other interaction types are left out.
//
// Bounds: at most kMaxCountersPerPage counters a page (the first ones in
// document order), raw text cut to kMaxCounterRawBytes, JSON-LD scripts over
// kMaxJsonLdBytes or nested deeper than kMaxJsonLdDepth skipped unparsed,
// broken JSON ignored.
//
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace linkwatch::crawler {

inline constexpr size_t kMaxCountersPerPage = 64;
inline constexpr size_t kMaxCounterRawBytes = 200;
// nlohmann/json 3.11 parses and destroys iteratively, but a document is read
// whole into memory and our own search of it recurses: the size cap bounds the
// memory, the depth cap (checked by a scan before parsing) the recursion.
inline constexpr size_t kMaxJsonLdBytes = size_t{1} << 20;
inline constexpr size_t kMaxJsonLdDepth = 64;

enum class CounterKind { kViews, kShares, kLikes, kComments };

// "views", "shares", "likes", "comments".
const char* CounterKindName(CounterKind kind);
// The inverse of CounterKindName (exact, lower-case); nullopt for any other name.
std::optional<CounterKind> ParseCounterKind(std::string_view name);

struct Counter {
  CounterKind kind = CounterKind::kViews;
  std::optional<int64_t> value;  // nullopt: a counter was there but its number could not be read
  std::string raw;               // the text as found (at most 200 bytes, valid UTF-8)
  std::string source;            // "json-ld", "microdata", "meta", or "site:<rule name>"
};

// A per-site extractor (from config): the number in an element whose attribute holds a value.
struct SiteCounterRule {
  std::string name;                          // names the rule in Counter::source
  std::vector<std::string> hosts = {"*"};    // "*", "*.example.org" (also example.org itself), "example.org"
  CounterKind kind = CounterKind::kViews;
  std::string element;                       // tag name; "" = any element
  std::string attribute;                     // e.g. "class", "id", "itemprop", "data-testid"
  std::string value;                         // for "class": one of its tokens; otherwise the whole value equals this
  std::string read;                          // "" = the element's text; else this attribute's value (e.g. "content", "aria-label", "title")
};

// Reads the one count in `text`, as people write counts:
//   "12345" "12,345" "12.345" "12 345" (space, U+00A0, U+202F or U+2009)
//   "1 234 567 views" "12 345 просмотров" "12 345 қаралым"  (words around it)
//   "1.2K" "3M" "1.2B" "1,2 тыс." "3 млн" "2 млрд" "1,5 мың" "1,2к"
// The rules, which settle "1,234" against "1,2":
//  * A ',' '.' or space-like separator followed by exactly three digits
//    groups thousands; the first group then has 1 to 3 digits, and all the
//    grouping separators are of one kind (spaces of any kind count as one).
//  * A ',' or '.' followed by any other number of digits is a decimal point.
//    It must be the last separator, of another kind than the grouping one,
//    and followed by a multiplier (K, M, B, thousand, million, billion, тыс,
//    тысяч, млн, миллион, млрд, миллиард, мың, к; case-insensitive); the
//    product is rounded down ("1.2345K" is 1234). A decimal without a
//    multiplier ("1,2", "1.5") is unreadable: it is no count.
//  * Words before and after the number may be anything without a digit; a
//    second number ("12 of 30", "1.2.3K", "12..3"), a minus sign or a '.'/','
//    right before the first digit, no digit at all, or a value above INT64_MAX
//    make the text unreadable.
// nullopt when no number can be read unambiguously (never 0 for garbage).
std::optional<int64_t> ParseCount(std::string_view text);

// The value to show for `kind`: the first readable counter by source priority
// json-ld > microdata > meta > site (then document order); nullopt when none
// is readable.
std::optional<int64_t> BestCount(const std::vector<Counter>& counters, CounterKind kind);

}  // namespace linkwatch::crawler
