// Counters in JSON-LD (<script type="application/ld+json">).
//
// Internal to the crawler. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "linkwatch/crawler/counters.h"

namespace linkwatch::crawler {

// Appends the counters `script` states (see counters.h) to *out, which never
// grows past kMaxCountersPerPage. A script over kMaxJsonLdBytes, nested deeper
// than kMaxJsonLdDepth, or not JSON adds nothing.
void AddJsonLdCounters(std::string_view script, std::vector<Counter>* out);

// True when no array or object in `json` is nested deeper than `max_depth`
// (a byte scan that honours strings; it does not validate).
bool JsonDepthWithin(std::string_view json, size_t max_depth);

}  // namespace linkwatch::crawler
