#include "url_params.h"

#include <algorithm>
#include <array>

namespace linkwatch::crawler {
namespace {

// Click identifiers that ad and social platforms append to every shared link.
constexpr std::array<std::string_view, 3> kTrackingKeys = {"fbclid", "gclid", "yclid"};
constexpr std::array<std::string_view, 1> kTrackingPrefixes = {"utm_"};
constexpr char kPrefixMark = '*';

bool MatchesPattern(std::string_view key, std::string_view pattern) {
  if (!pattern.empty() && pattern.back() == kPrefixMark) {
    pattern.remove_suffix(1);
    return key.starts_with(pattern);
  }
  return key == pattern;
}

}  // namespace

std::vector<QueryParam> SplitQuery(std::string_view query) {
  std::vector<QueryParam> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    if (!item.empty()) {
      params.push_back({std::string(item.substr(0, item.find('='))), std::string(item)});
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return params;
}

bool IsTrackingParam(std::string_view key, const std::vector<std::string>& extra) {
  const auto is_key = [&](std::string_view k) { return key == k; };
  const auto has_prefix = [&](std::string_view p) { return key.starts_with(p); };
  const auto matches = [&](const std::string& p) { return MatchesPattern(key, p); };
  return std::any_of(kTrackingKeys.begin(), kTrackingKeys.end(), is_key) ||
         std::any_of(kTrackingPrefixes.begin(), kTrackingPrefixes.end(), has_prefix) ||
         std::any_of(extra.begin(), extra.end(), matches);
}

void EraseParam(std::vector<QueryParam>& params, std::string_view key) {
  std::erase_if(params, [&](const QueryParam& p) { return p.key == key; });
}

std::string_view ParamValue(const std::vector<QueryParam>& params, std::string_view key) {
  for (const QueryParam& p : params) {
    if (p.key != key) continue;
    // "key=value" -> "value"; a bare "key" has none.
    return std::string_view(p.text).substr(std::min(p.text.size(), key.size() + 1));
  }
  return {};
}

std::string JoinQuery(std::vector<QueryParam> params) {
  std::stable_sort(params.begin(), params.end(),
                   [](const QueryParam& a, const QueryParam& b) { return a.key < b.key; });
  std::string query;
  for (const QueryParam& p : params) {
    if (!query.empty()) query += '&';
    query += p.text;
  }
  return query;
}

}  // namespace linkwatch::crawler
