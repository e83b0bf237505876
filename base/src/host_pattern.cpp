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

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  out.append(s).push_back('"');
  return out;
}

}  // namespace

std::string HostPatternError(std::string_view pattern) {
  if (pattern.empty()) return "an empty host pattern matches no host";
  if (pattern == "*") return {};
  const std::string_view name = pattern.starts_with("*.") ? pattern.substr(2) : pattern;
  if (pattern.find("://") != std::string_view::npos || name.find('/') != std::string_view::npos) {
    return Quoted(pattern) + " is not a host pattern: write the host alone, without scheme or path";
  }
  if (name.find('*') != std::string_view::npos) {
    return Quoted(pattern) + " matches no host: \"*\" stands alone or starts \"*.\" (\"*.example.org\")";
  }
  if (name.empty() || name == ".") return Quoted(pattern) + " names no host";
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    const std::string_view ip = name.substr(1, name.size() - 2);
    const bool hex = ip.find_first_not_of("0123456789abcdefABCDEF:.") == std::string_view::npos;
    if (hex && ip.find(':') != std::string_view::npos && pattern == name) return {};
    return Quoted(pattern) + " is not a bracketed IPv6 address";
  }
  for (const char c : name) {
    if (c == ':') return Quoted(pattern) + " is not a host pattern: write the host without a port";
    if (static_cast<unsigned char>(c) >= 0x80) {
      return Quoted(pattern) + " is not ASCII: write an international domain in its xn-- form";
    }
    if (!IsHostChar(c)) return Quoted(pattern) + " has '" + std::string(1, c) + "', which no host has";
  }
  if (name.front() == '.' || name.find("..") != std::string_view::npos) {
    return Quoted(pattern) + " has an empty label";
  }
  return {};
}

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
