// URL canonicalization on curl's URL API (curl_url); no hand-written parser.
//
// Canonicalize() turns what an operator typed, or a link found on a page, into
// the one form linkwatch stores: scheme and host lower-cased, IDN hosts in
// punycode, default port, empty port and host trailing dot dropped, dot
// segments (also %2e) resolved, %XX upper-cased and escaped unreserved
// characters decoded, empty path "/", fragment dropped, tracking parameters
// and empty parameters dropped, parameters stably sorted by key. Only http and
// https are accepted. Platform rules (Telegram, YouTube, VK) fold known
// aliases of one post or video into one form; each rule set can be disabled.
//
// All functions are thread-safe; CanonOptions is read-only while in use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/base/status.h"

namespace linkwatch::crawler {

// Longest accepted input, in bytes.
inline constexpr size_t kMaxUrlBytes = 8192;

struct CanonOptions {
  // Query parameters dropped besides the built-in tracking list (utm_*,
  // fbclid, gclid, yclid). An entry ending in '*' is a prefix.
  std::vector<std::string> strip_params;
  // Platform rule sets to apply: any of "telegram", "youtube", "vk".
  // Default: all three. Unknown names are ignored; a config loader checks
  // them against KnownPlatformRules().
  std::vector<std::string> platform_rules = {"telegram", "youtube", "vk"};
  // The dedup key treats http and https as one resource.
  bool scheme_insensitive_key = true;
};

struct CanonicalUrl {
  std::string href;    // the canonical URL, e.g. "https://example.org/a?b=1"
  std::string host;    // canonical host (punycode, no port), e.g. "example.org";
                       // an IPv6 address keeps its brackets: "[::1]"
  std::string scheme;  // "http" or "https"
  // The registry's unique key: href, with the scheme folded to https when
  // scheme_insensitive_key is set.
  std::string key;
};

// Canonicalizes `input`. When `base` is non-empty, a relative `input` is
// resolved against it first (as a browser resolves a link on a page; "",
// "#x" and whitespace alone name the base page itself); `base` itself must be
// an absolute http(s) URL. Leading and trailing C0 controls and spaces are
// stripped and tabs and newlines removed first, as browsers do.
// Fails with kInvalidArgument and a message that names the problem: empty,
// over kMaxUrlBytes, not a URL, a scheme other than http/https (the message
// names the scheme), a missing or invalid host.
Result<CanonicalUrl> Canonicalize(std::string_view input, std::string_view base = {},
                                  const CanonOptions& options = {});

// Names of the platform rule sets this build knows.
const std::vector<std::string>& KnownPlatformRules();

}  // namespace linkwatch::crawler
