#include "page_attrs.h"

#include <strings.h>

#include <cstring>

namespace linkwatch::crawler {
namespace {

constexpr std::string_view kTokenSpace = " \t\n\r\f";

bool SameToken(std::string_view a, std::string_view b, bool ignore_case) {
  if (a.size() != b.size()) return false;
  return ignore_case ? strncasecmp(a.data(), b.data(), a.size()) == 0 : a == b;
}

}  // namespace

const char* Attr(const GumboElement& element, const char* name) {
  const GumboAttribute* attr = gumbo_get_attribute(&element.attributes, name);
  return attr ? attr->value : nullptr;
}

bool AttrIs(const GumboElement& element, const char* name, const char* value) {
  const char* actual = Attr(element, name);
  return actual && strcasecmp(actual, value) == 0;
}

bool HasToken(std::string_view list, std::string_view token, bool ignore_case) {
  while (!list.empty()) {
    const size_t start = list.find_first_not_of(kTokenSpace);
    if (start == std::string_view::npos) break;
    list.remove_prefix(start);
    const std::string_view word = list.substr(0, list.find_first_of(kTokenSpace));
    if (SameToken(word, token, ignore_case)) return true;
    list.remove_prefix(word.size());
  }
  return false;
}

ElementHints ScanHints(const GumboElement& element) {
  ElementHints hints;
  for (unsigned int i = 0; i < element.attributes.length; ++i) {
    const auto* attr = static_cast<const GumboAttribute*>(element.attributes.data[i]);
    const char* name = attr->name;
    if (name[0] == 'r') {
      if (!hints.role && std::strcmp(name, "role") == 0) hints.role = attr->value;
    } else if (name[0] == 'i' && name[1] == 't') {
      if (!hints.itemprop && std::strcmp(name, "itemprop") == 0) hints.itemprop = attr->value;
      else if (std::strcmp(name, "itemscope") == 0) hints.itemscope = true;
    }
  }
  return hints;
}

}  // namespace linkwatch::crawler
