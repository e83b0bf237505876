// Host patterns, as config files name the sites a setting applies to.
//
// Thread-safe: a pure function.
#pragma once

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

}  // namespace linkwatch
