// Host patterns, as config files name the sites a setting applies to.
//
// Thread-safe: a pure function.
#pragma once

#include <string>
#include <string_view>

namespace linkwatch {

// True when `host` is named by `pattern`, compared ASCII case-insensitively
// and ignoring one trailing dot on either:
//   "*"              every host (even "")
//   "*.example.org"  example.org itself and any subdomain (a.b.example.org),
//                    not "badexample.org"
//   "example.org"    that host only
// An empty pattern, or a "*" anywhere else ("a*.org", "*example.org"),
// matches nothing. Hosts are compared as given: no IDNA, no port stripping.
bool HostPatternMatches(std::string_view pattern, std::string_view host);

// Why `pattern` cannot name a host (empty when it is a valid pattern of the
// three forms above): config files check their patterns with this, since a
// mistyped one ("*example.org", "https://example.org/") would match nothing
// and the setting would silently apply nowhere. A host is written as links
// hold it: ASCII (IDNs in their xn-- form), an IPv4 address or a bracketed
// IPv6 one, without scheme, port or path.
std::string HostPatternError(std::string_view pattern);

}  // namespace linkwatch
