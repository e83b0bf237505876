// The components of a URL between curl's parse and the final serialization,
// where normalization and platform rules edit them.
//
// Internal to the crawler. A plain value.
#pragma once

#include <string>
#include <vector>

namespace linkwatch::crawler {

// One "key=value" (or bare "key") item of a query string, escapes normalized.
struct QueryParam {
  std::string key;   // the text before the first '='
  std::string text;  // the whole item as it appears in the URL
};

struct UrlParts {
  std::string scheme;    // "http" or "https"
  std::string user;      // percent-encoded; "" when absent
  std::string password;  // percent-encoded; "" when absent
  std::string host;      // lower-case, punycode, no trailing dot; IPv6 in brackets
  std::string port;      // "" for the scheme's default
  std::string path;      // starts with '/'
  std::vector<QueryParam> params;
};

}  // namespace linkwatch::crawler
