#include "url_platform.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "url_params.h"

namespace linkwatch::crawler {
namespace {

// Telegram usernames: a letter, then letters, digits or '_'.
constexpr size_t kMinTelegramUsername = 4;
constexpr size_t kMaxTelegramUsername = 32;

constexpr std::string_view kTelegramHost = "t.me";
constexpr std::array<std::string_view, 4> kTelegramAliases = {"telegram.me", "www.telegram.me",
                                                              "telegram.dog", "www.telegram.dog"};

constexpr std::string_view kYouTubeHost = "www.youtube.com";
constexpr std::string_view kYouTubeShortHost = "youtu.be";
constexpr std::array<std::string_view, 3> kYouTubeHosts = {"www.youtube.com", "youtube.com",
                                                           "m.youtube.com"};

constexpr std::string_view kVkDomain = "vk.com";
constexpr std::string_view kVkAliasDomain = "vk.ru";

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

template <size_t N>
bool IsOneOf(std::string_view s, const std::array<std::string_view, N>& table) {
  return std::find(table.begin(), table.end(), s) != table.end();
}

// "example.com" or any of its subdomains.
bool IsInDomain(std::string_view host, std::string_view domain) {
  return host == domain || (host.size() > domain.size() && host.ends_with(domain) &&
                            host[host.size() - domain.size() - 1] == '.');
}

std::vector<std::string> PathSegments(std::string_view path) {
  std::vector<std::string> segments;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    segments.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

std::string JoinPath(const std::vector<std::string>& segments) {
  std::string path;
  for (const std::string& s : segments) path += "/" + s;
  return path.empty() ? "/" : path;
}

bool IsTelegramUsername(std::string_view s) {
  return s.size() >= kMinTelegramUsername && s.size() <= kMaxTelegramUsername && IsAlpha(s[0]) &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; });
}

void AsciiLower(std::string& s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

void ApplyTelegram(UrlParts& parts) {
  if (IsOneOf(parts.host, kTelegramAliases)) parts.host = kTelegramHost;
  if (parts.host != kTelegramHost) return;
  std::vector<std::string> segments = PathSegments(parts.path);
  // t.me/s/NAME/N is the web preview of the post t.me/NAME/N.
  if (segments.size() >= 2 && segments[0] == "s" && !segments[1].empty()) {
    segments.erase(segments.begin());
  }
  // Usernames are case-insensitive; invite hashes ("+AbC", "joinchat/AbC")
  // are not, and only the first segment is ever a username.
  if (IsTelegramUsername(segments[0])) AsciiLower(segments[0]);
  parts.path = JoinPath(segments);
  EraseParam(parts.params, "single");  // only changes how an album is shown
}

bool IsYouTubeVideoId(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || c == '-' || c == '_';
  });
}

void SetWatchPage(UrlParts& parts, const std::string& video_id) {
  parts.host = kYouTubeHost;
  parts.path = "/watch";
  EraseParam(parts.params, "v");
  parts.params.push_back({"v", "v=" + video_id});
}

void ApplyYouTube(UrlParts& parts) {
  const bool short_link = parts.host == kYouTubeShortHost;
  if (!short_link && !IsOneOf(parts.host, kYouTubeHosts)) return;
  const std::vector<std::string> segments = PathSegments(parts.path);
  if (short_link && segments.size() == 1 && IsYouTubeVideoId(segments[0])) {
    parts.scheme = "https";
    SetWatchPage(parts, segments[0]);
  } else if (!short_link) {
    parts.host = kYouTubeHost;
    if (segments.size() == 2 && segments[0] == "shorts" && IsYouTubeVideoId(segments[1])) {
      SetWatchPage(parts, segments[1]);
    }
  }
  EraseParam(parts.params, "si");  // share tracking; "t" (start time) stays
}

// "wall-1_2" (community 1, post 2) or "wall1_2" (user 1, post 2).
bool IsVkWallPost(std::string_view s) {
  if (!s.starts_with("wall")) return false;
  s.remove_prefix(4);
  if (s.starts_with('-')) s.remove_prefix(1);
  const size_t underscore = s.find('_');
  if (underscore == std::string_view::npos || underscore == 0 || underscore + 1 == s.size()) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) { return IsDigit(c) || c == '_'; }) &&
         std::count(s.begin(), s.end(), '_') == 1;
}

void ApplyVk(UrlParts& parts) {
  if (IsInDomain(parts.host, kVkAliasDomain)) {
    parts.host.replace(parts.host.size() - kVkAliasDomain.size(), kVkAliasDomain.size(), kVkDomain);
  }
  if (!IsInDomain(parts.host, kVkDomain)) return;
  // Any page with ?w=wall… shows that post in a modal over the page.
  const std::string post(ParamValue(parts.params, "w"));
  if (!IsVkWallPost(post)) return;
  parts.path = "/" + post;
  parts.params.clear();
}

struct PlatformRule {
  std::string_view name;
  void (*apply)(UrlParts&);
};

constexpr std::array<PlatformRule, 3> kRules = {{
    {"telegram", ApplyTelegram},
    {"youtube", ApplyYouTube},
    {"vk", ApplyVk},
}};

}  // namespace

const std::vector<std::string>& PlatformRuleNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const PlatformRule& rule : kRules) names.emplace_back(rule.name);
    return names;
  }();
  return kNames;
}

void ApplyPlatformRules(UrlParts& parts, const std::vector<std::string>& enabled) {
  // A non-default port is not the platform's public site.
  if (!parts.port.empty()) return;
  for (const PlatformRule& rule : kRules) {
    if (std::find(enabled.begin(), enabled.end(), rule.name) != enabled.end()) rule.apply(parts);
  }
}

}  // namespace linkwatch::crawler
