#include "linkwatch/base/host_pattern.h"

#include <strings.h>

namespace linkwatch {
namespace {

std::string_view WithoutTrailingDot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool HostPatternMatches(std::string_view pattern, std::string_view host) {
  if (pattern == "*") return true;
  pattern = WithoutTrailingDot(pattern);
  host = WithoutTrailingDot(host);
  if (pattern.starts_with("*.")) {
    const std::string_view domain = pattern.substr(2);
    if (domain.empty() || domain.find('*') != std::string_view::npos) return false;
    if (EqualsIgnoreCase(host, domain)) return true;
    return host.size() > domain.size() + 1 && host[host.size() - domain.size() - 1] == '.' &&
           EqualsIgnoreCase(host.substr(host.size() - domain.size()), domain);
  }
  if (pattern.empty() || pattern.find('*') != std::string_view::npos) return false;
  return EqualsIgnoreCase(pattern, host);
}

}  // namespace linkwatch
