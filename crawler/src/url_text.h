// Byte-level helpers for URL canonicalization: input preprocessing before curl
// parses, and percent-escape normalization of the components curl split.
//
// Internal to the crawler. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace linkwatch::crawler {

// WHATWG preprocessing: strips leading and trailing C0 controls and spaces,
// removes every tab, CR and LF.
std::string StripUrlWhitespace(std::string_view input);

// Prepares a preprocessed input for curl, which refuses what browsers accept:
// C0 controls, spaces and DEL become %XX, and '\' becomes '/' before the
// query or fragment (http and https treat them alike).
std::string EscapeForCurl(std::string_view input);

// The lower-cased scheme when `input` starts with one ("HTTP:" -> "http").
std::optional<std::string> SchemeOf(std::string_view input);

// Which characters each component percent-encodes (WHATWG encode sets);
// non-ASCII, DEL and C0 controls always are.
enum class EncodeSet { kPath, kQuery, kUserinfo };
std::string PercentEncode(std::string_view text, EncodeSet set);

// Upper-cases the hex digits of %xx escapes and decodes the escapes of
// unreserved characters (ALPHA DIGIT - . _ ~); all other escapes stay.
std::string NormalizeEscapes(std::string_view text);

// RFC 3986 remove_dot_segments on an absolute path ("/a/./b/../c" -> "/a/c").
// Run after NormalizeEscapes so that %2e segments count as dots.
// REQUIRES: path is empty or starts with '/'.
std::string RemoveDotSegments(std::string_view path);

}  // namespace linkwatch::crawler
