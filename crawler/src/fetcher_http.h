// Small HTTP facts the fetcher needs: Retry-After, header lines, proxy
// choice, the politeness key of a URL.
//
// Internal to the fetcher. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "linkwatch/crawler/fetcher.h"

namespace linkwatch::crawler {

// Retry-After as a delay: delta-seconds ("120") or an HTTP-date, relative to
// `now_unix_seconds`. A date in the past is 0; garbage is nullopt.
std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_unix_seconds);

// One line from curl's header callback, CRLF included.
struct HeaderLine {
  enum class Kind { kStatus, kField, kContinuation, kEnd, kJunk };
  Kind kind = Kind::kJunk;
  std::string name;   // kField
  std::string value;  // kField, kContinuation
};
HeaderLine ParseHeaderLine(std::string_view line);

// The proxy of the first rule whose pattern matches `host`; "" (direct) when none does.
// Patterns: "*" (every host), "*.example.org" (names under example.org), or an
// exact host name; all case-insensitive.
std::string ChooseProxy(const std::vector<ProxyRule>& rules, std::string_view host);

// The lower-case host name of an absolute URL (politeness counts per host
// name, any port); nullopt for a URL curl cannot parse.
std::optional<std::string> HostKey(const std::string& url);
// "host:port" of an absolute URL, the scheme's port when none is given; the
// URL itself when curl cannot parse it. For error messages.
std::string HostPort(const std::string& url);

}  // namespace linkwatch::crawler
