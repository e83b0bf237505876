#include "linkwatch/crawler/query.h"

#include <curl/curl.h>

#include <memory>

namespace linkwatch::crawler {
namespace {

std::string Unescape(std::string_view text) {
  std::string plus(text);
  for (char& c : plus) {
    if (c == '+') c = ' ';
  }
  int len = 0;
  std::unique_ptr<char, decltype(&curl_free)> out(
      curl_easy_unescape(nullptr, plus.data(), static_cast<int>(plus.size()), &len), &curl_free);
  if (!out) return plus;
  return std::string(out.get(), static_cast<size_t>(len));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(Unescape(part), "");
    } else {
      out.emplace_back(Unescape(part.substr(0, eq)), Unescape(part.substr(eq + 1)));
    }
  }
  return out;
}

std::string EscapeQueryValue(std::string_view text) {
  std::unique_ptr<char, decltype(&curl_free)> out(
      curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())), &curl_free);
  return out ? std::string(out.get()) : std::string();
}

}  // namespace linkwatch::crawler
