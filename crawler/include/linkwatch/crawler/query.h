// Decoding of application/x-www-form-urlencoded query strings (curl's unescape).
// Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace linkwatch::crawler {

// "a=1&b=x%20y&c" -> {{"a","1"},{"b","x y"},{"c",""}}; '+' decodes to a space.
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query);

// Percent-encodes `text` for use as one query value.
std::string EscapeQueryValue(std::string_view text);

}  // namespace linkwatch::crawler
