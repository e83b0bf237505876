// Host normalization for URL canonicalization, on the host curl parsed.
//
// Internal to the crawler. Pure function; thread-safe.
#pragma once

#include <string>

#include "linkwatch/base/status.h"

namespace linkwatch::crawler {

// Takes the host as curl returns it with CURLU_PUNYCODE and returns it
// lower-cased without trailing dots, IPv4 as a dotted
// quad and IPv6 compressed in brackets. Fails with kInvalidArgument when it is
// empty, still non-ASCII, holds a character no domain may hold ('%', '<',
// '^', ...), or ends in a number without being an IPv4 address ("1.2.3.4.5").
Result<std::string> NormalizeHost(std::string host);

}  // namespace linkwatch::crawler
