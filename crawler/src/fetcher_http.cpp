#include "fetcher_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>

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
  if (ec == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
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
