// Query-string handling for URL canonicalization: split into parameters,
// drop tracking ones, sort, join.
//
// Internal to the crawler. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "url_parts.h"

namespace linkwatch::crawler {

// Splits a normalized query on '&', leaving out empty items.
std::vector<QueryParam> SplitQuery(std::string_view query);

// True for the built-in tracking keys (utm_*, fbclid, gclid, yclid) and for
// the keys in `extra`, where an entry ending in '*' is a prefix.
bool IsTrackingParam(std::string_view key, const std::vector<std::string>& extra);

// Removes every parameter named `key`.
void EraseParam(std::vector<QueryParam>& params, std::string_view key);

// The value of the first parameter named `key`, or "" when there is none.
std::string_view ParamValue(const std::vector<QueryParam>& params, std::string_view key);

// Stable-sorts by key and joins with '&'; "" when there are no parameters.
std::string JoinQuery(std::vector<QueryParam> params);

}  // namespace linkwatch::crawler
