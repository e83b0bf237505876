#include "fetcher_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

#include "curl_url.h"

namespace linkwatch::crawler {
namespace {

constexpr int64_t kMsPerSecond = 1000;
// Larger delta-seconds are nonsense; the caller caps the delay anyway.
constexpr int64_t kMaxRetryAfterSeconds = int64_t{1} << 31;
constexpr std::string_view kWhitespace = " \t\r\n";

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kWhitespace);
  return s.substr(begin, end - begin + 1);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool PatternMatches(std::string_view pattern, const std::string& host) {
  const std::string p = Lower(pattern);
  if (p == "*") return true;
  if (p.starts_with("*.")) return host.size() > p.size() - 1 && host.ends_with(p.substr(1));
  return p == host;
}

}  // namespace

std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_unix_seconds) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (end == value.data() + value.size()) {
    // Too many digits for int64 is a long wait all the same.
    if (ec == std::errc::result_out_of_range && value.front() != '-') return kMaxRetryAfterSeconds * kMsPerSecond;
    if (ec != std::errc() || seconds < 0) return std::nullopt;
    return std::min(seconds, kMaxRetryAfterSeconds) * kMsPerSecond;
  }
  const std::string date(value);
  const time_t when = curl_getdate(date.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::max<int64_t>(0, static_cast<int64_t>(when) - now_unix_seconds) * kMsPerSecond;
}

HeaderLine ParseHeaderLine(std::string_view line) {
  HeaderLine out;
  if (line.starts_with("HTTP/")) {
    out.kind = HeaderLine::Kind::kStatus;
  } else if (Trim(line).empty()) {
    out.kind = HeaderLine::Kind::kEnd;
  } else if (line.front() == ' ' || line.front() == '\t') {
    // Obsolete line folding (RFC 7230 3.2.4): more of the previous value.
    out.kind = HeaderLine::Kind::kContinuation;
    out.value = Trim(line);
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
    out.kind = HeaderLine::Kind::kField;
    out.name = Trim(line.substr(0, colon));
    out.value = Trim(line.substr(colon + 1));
  }
  return out;
}

std::string ProxyUrlError(const std::string& proxy) {
  static constexpr std::string_view kSchemes[] = {"http", "https", "socks4", "socks4a", "socks5", "socks5h"};
  if (proxy.empty()) return {};
  const auto quoted = [&] { return "proxy \"" + proxy + "\" "; };
  const size_t sep = proxy.find("://");
  if (sep == std::string::npos) {
    return quoted() + "is not a URL: write scheme://host:port, e.g. http://127.0.0.1:3128";
  }
  const std::string scheme = Lower(proxy.substr(0, sep));
  if (std::find(std::begin(kSchemes), std::end(kSchemes), scheme) == std::end(kSchemes)) {
    return quoted() + "has scheme \"" + scheme + "\"; a proxy is http, https, socks4, socks4a, socks5 or socks5h";
  }
  Result<CurlUrl> parsed = CurlUrl::Parse(proxy, CURLU_NON_SUPPORT_SCHEME);
  if (!parsed.ok()) return quoted() + "is " + parsed.status().message();
  Result<std::string> host = parsed->Get(CURLUPART_HOST);
  if (!host.ok() || host->empty()) return quoted() + "names no host";
  for (const CURLUPart part : {CURLUPART_QUERY, CURLUPART_FRAGMENT}) {
    Result<std::string> value = parsed->Get(part);
    if (!value.ok() || !value->empty()) return quoted() + "has a query or fragment; a proxy is scheme://host:port";
  }
  Result<std::string> path = parsed->Get(CURLUPART_PATH);
  if (!path.ok() || (!path->empty() && *path != "/")) return quoted() + "has a path; a proxy is scheme://host:port";
  return {};
}

std::string ChooseProxy(const std::vector<ProxyRule>& rules, std::string_view host) {
  const std::string h = Lower(host);
  for (const ProxyRule& rule : rules) {
    if (PatternMatches(rule.host_pattern, h)) return rule.proxy;
  }
  return "";
}

std::optional<std::string> HostKey(const std::string& url) {
  Result<CurlUrl> parsed = CurlUrl::Parse(url);
  if (!parsed.ok()) return std::nullopt;
  Result<std::string> host = parsed->Get(CURLUPART_HOST);
  if (!host.ok() || host->empty()) return std::nullopt;
  return Lower(*host);
}

std::string HostPort(const std::string& url) {
  Result<CurlUrl> parsed = CurlUrl::Parse(url);
  if (!parsed.ok()) return url;
  Result<std::string> host = parsed->Get(CURLUPART_HOST);
  Result<std::string> port = parsed->Get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!host.ok() || !port.ok()) return url;
  return *host + ":" + *port;
}

}  // namespace linkwatch::crawler
