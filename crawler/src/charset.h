// Charset detection and conversion to UTF-8 for fetched bodies.
//
// Internal to the crawler; ToUtf8() in linkwatch/crawler/page.h is the public
// face. Pure functions; thread-safe (each conversion opens its own iconv_t).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace linkwatch::crawler {

// Bytes of the body searched for a <meta> charset declaration (WHATWG: 1024).
inline constexpr size_t kCharsetPrescanBytes = 1024;

// A charset resolved from a label: the WHATWG name ("windows-1251") and what
// glibc iconv calls it ("CP1251"; empty for UTF-8, which needs no iconv).
struct Charset {
  std::string name;
  std::string iconv_name;
  size_t unit = 1;  // code unit size: 2 for UTF-16, which a repair must keep aligned
};

// Resolves a label the way browsers do (case-insensitive, surrounding
// whitespace ignored, WHATWG aliases such as "cp1251", "latin1", "x-sjis");
// a label outside the WHATWG table is tried on iconv as is. nullopt when
// neither knows it.
std::optional<Charset> LookupCharset(std::string_view label);

// The media type (lower-case, parameters and spaces removed) and the charset
// parameter (unquoted, as written; "" when absent) of a Content-Type value.
struct MediaType {
  std::string type;
  std::string charset;
};
MediaType ParseContentType(std::string_view content_type);

// The charset a byte-order mark at the start of `body` names ("utf-8",
// "utf-16le", "utf-16be") and the mark's length; nullopt without a mark.
struct Bom {
  std::string_view charset;
  size_t length = 0;
};
std::optional<Bom> SniffBom(std::string_view body);

// The label of the first <meta charset> or <meta http-equiv="content-type"
// content="...charset=..."> in the first kCharsetPrescanBytes of `body`
// (WHATWG's prescan, simplified: comments and other tags are skipped, quoted
// attribute values honoured). nullopt when there is none.
std::optional<std::string> PrescanMetaCharset(std::string_view body);

// The label of a charset= inside a meta content value ("text/html; charset=koi8-r").
std::optional<std::string> CharsetFromMetaContent(std::string_view content);

// True when `bytes` is valid UTF-8 (no overlongs, surrogates or code points
// above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// Appends `bytes` to *out with every maximal invalid subpart replaced by
// U+FFFD (the WHATWG / Unicode "best practice"); returns true when any was.
bool AppendRepairedUtf8(std::string_view bytes, std::string* out);

// Converts `bytes` from `charset` to UTF-8, invalid input becoming U+FFFD.
// Returns true when any input was replaced.
bool ConvertToUtf8(std::string_view bytes, const Charset& charset, std::string* out);

}  // namespace linkwatch::crawler
