#include "canon_lines.h"

#include <nlohmann/json.hpp>

#include "linkwatch/crawler/url.h"

namespace linkwatch::cli {
namespace {

using nlohmann::json;

std::string Answer(const char* name, const std::string& value) {
  // Raw UTF-8 out, control characters as \u escapes; bytes that are not UTF-8
  // (possible in an echoed input) become U+FFFD rather than an exception.
  return json{{name, value}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool IsRequest(const json& request) {
  if (!request.is_object()) return false;
  const auto input = request.find("input");
  const auto base = request.find("base");
  return input != request.end() && input->is_string() &&
         (base == request.end() || base->is_null() || base->is_string());
}

}  // namespace

std::string CanonLine(std::string_view line, bool key) {
  const json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) return Answer("error", "input line is not valid JSON (or UTF-8)");
  if (!IsRequest(request)) {
    return Answer("error", "expected {\"input\": string, \"base\": string or null}");
  }
  const std::string input = request["input"].get<std::string>();
  const json& base = request.contains("base") ? request["base"] : json();
  const std::string base_text = base.is_string() ? base.get<std::string>() : std::string();
  Result<crawler::CanonicalUrl> url = crawler::Canonicalize(input, base_text);
  if (!url.ok()) return Answer("error", url.status().message());
  return Answer("href", key ? url->key : url->href);
}

void CanonStream(std::istream& in, std::ostream& out, bool key) {
  std::string line;
  while (std::getline(in, line)) out << CanonLine(line, key) << '\n';
  out.flush();
}

}  // namespace linkwatch::cli
