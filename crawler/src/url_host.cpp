#include "url_host.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <string_view>

#include "curl_url.h"

namespace linkwatch::crawler {
namespace {

// WHATWG forbidden domain code points that curl lets through.
constexpr std::string_view kForbiddenInDomain = " #%/:<>?@[\\]^|";
constexpr unsigned char kFirstNonControl = 0x20;
constexpr unsigned char kDel = 0x7F;
constexpr size_t kIpv6Pieces = 8;

bool IsForbidden(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c < kFirstNonControl || c >= kDel || kForbiddenInDomain.find(ch) != std::string_view::npos;
}

std::string Describe(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  if (c > kFirstNonControl && c < kDel) return std::string("'") + ch + "'";
  constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 0x0F];
}

Status Invalid(const std::string& host, const std::string& why) {
  return Status::InvalidArgument("invalid host \"" + host + "\": " + why);
}

void AsciiLower(std::string& text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

bool IsNumber(std::string_view label) {
  if (label.starts_with("0x") || label.starts_with("0X")) {
    return std::all_of(label.begin() + 2, label.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  }
  return !label.empty() &&
         std::all_of(label.begin(), label.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Browsers take a host whose last label is a number for an IPv4 address.
bool EndsInNumber(std::string_view host) {
  const size_t dot = host.rfind('.');
  return IsNumber(dot == std::string_view::npos ? host : host.substr(dot + 1));
}

bool IsDottedQuad(const std::string& host) {
  in_addr addr{};
  return inet_pton(AF_INET, host.c_str(), &addr) == 1;
}

// curl rewrites IPv4 shorthand ("0x7f.1", "3232235521") to a dotted quad, but
// not when the host was percent-encoded or ended in a dot; parse it again.
Result<std::string> ToDottedQuad(const std::string& host) {
  if (IsDottedQuad(host)) return host;
  Result<CurlUrl> url = CurlUrl::Parse("http://" + host + "/");
  Result<std::string> again = url.ok() ? url->Get(CURLUPART_HOST) : url.status();
  if (!again.ok() || !IsDottedQuad(*again)) return Invalid(host, "not an IPv4 address");
  return again;
}

// The first longest run of two or more zero pieces, as {start, length}.
std::pair<size_t, size_t> LongestZeroRun(const std::array<unsigned, kIpv6Pieces>& pieces) {
  std::pair<size_t, size_t> best{kIpv6Pieces, 0};
  for (size_t i = 0; i < kIpv6Pieces;) {
    size_t end = i;
    while (end < kIpv6Pieces && pieces[end] == 0) ++end;
    if (end - i >= 2 && end - i > best.second) best = {i, end - i};
    i = end == i ? i + 1 : end;
  }
  return best;
}

// WHATWG serializes IPv6 as hex pieces with the longest zero run compressed,
// never with a dotted IPv4 tail; curl keeps "::ffff:1.2.3.4" as written.
Result<std::string> NormalizeIpv6(const std::string& bracketed) {
  const std::string inner = bracketed.substr(1, bracketed.size() - 2);
  in6_addr addr{};
  if (inet_pton(AF_INET6, inner.c_str(), &addr) != 1)
    return Invalid(bracketed, "not an IPv6 address");
  std::array<unsigned, kIpv6Pieces> pieces{};
  for (size_t i = 0; i < kIpv6Pieces; ++i) {
    pieces[i] = (unsigned{addr.s6_addr[2 * i]} << 8) | addr.s6_addr[2 * i + 1];
  }
  const auto [zero_start, zero_length] = LongestZeroRun(pieces);
  std::string out = "[";
  for (size_t i = 0; i < kIpv6Pieces; ++i) {
    if (i == zero_start) {
      out += "::";
      i += zero_length - 1;
      continue;
    }
    char piece[8];
    std::snprintf(piece, sizeof piece, "%x", pieces[i]);
    if (out.size() > 1 && out.back() != ':') out += ':';
    out += piece;
  }
  return out + "]";
}

}  // namespace

Result<std::string> NormalizeHost(std::string host) {
  if (host.empty()) return Status::InvalidArgument("the URL has no host");
  AsciiLower(host);
  if (host.front() == '[') return NormalizeIpv6(host);
  const auto bad = std::find_if(host.begin(), host.end(), IsForbidden);
  if (bad != host.end()) return Invalid(host, "a host name cannot contain " + Describe(*bad));
  // "example.com." is the same name as "example.com"; every dot goes so that
  // the result canonicalizes to itself. A host of dots alone stays as it is.
  const size_t last = host.find_last_not_of('.');
  if (last != std::string::npos) host.erase(last + 1);
  if (EndsInNumber(host)) return ToDottedQuad(host);
  return host;
}

}  // namespace linkwatch::crawler
