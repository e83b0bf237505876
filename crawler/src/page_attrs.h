// Attribute look-ups shared by the extraction visitors.
//
// Internal to the crawler. Pure functions; thread-safe.
#pragma once

#include <gumbo.h>

#include <string_view>

namespace linkwatch::crawler {

// The value of attribute `name` (lower-case, as Gumbo stores names), or nullptr.
const char* Attr(const GumboElement& element, const char* name);

// The attribute equals `value`, ASCII case-insensitively.
bool AttrIs(const GumboElement& element, const char* name, const char* value);

// `list` (space-separated tokens, as in class, rel, role, itemprop) holds
// `token`; `ignore_case` for rel and role.
bool HasToken(std::string_view list, std::string_view token, bool ignore_case);

// The attributes the counter and main-text visitors test on every element,
// found in one pass over its attributes.
struct ElementHints {
  const char* role = nullptr;
  const char* itemprop = nullptr;
  bool itemscope = false;
};
ElementHints ScanHints(const GumboElement& element);

}  // namespace linkwatch::crawler
