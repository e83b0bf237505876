// Hash list files: "<sha256> <category> <legal_basis> [label]" per line.
#include <algorithm>
#include <optional>

#include "sources.h"

namespace linkwatch::matcher::internal {
namespace {

constexpr size_t kSha256HexLength = 64;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Splits a line into blank-separated fields; "double quoted" fields may hold
// blanks, with \" and \\ inside. Returns an error message or nullopt.
std::optional<std::string> SplitFields(std::string_view line, std::vector<std::string>* fields) {
  size_t i = 0;
  while (true) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    if (i == line.size()) return std::nullopt;
    std::string field;
    if (line[i] != '"') {
      while (i < line.size() && !IsBlank(line[i])) field.push_back(line[i++]);
      fields->push_back(std::move(field));
      continue;
    }
    for (++i;; ++i) {
      if (i >= line.size()) return "unterminated quoted field";
      if (line[i] == '"') break;
      if (line[i] == '\\' && i + 1 < line.size()) ++i;
      field.push_back(line[i]);
    }
    ++i;
    if (i < line.size() && !IsBlank(line[i])) return "a quoted field must be followed by a blank";
    fields->push_back(std::move(field));
  }
}

std::optional<std::string> ToDigest(std::string s) {
  if (s.size() != kSha256HexLength) return std::nullopt;
  for (char& c : s) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return s;
}

// The entry of one non-comment line, or an error message.
std::optional<std::string> ParseLine(std::string_view line,
                                     const std::vector<std::string>& categories, HashEntry* e) {
  std::vector<std::string> f;
  if (auto err = SplitFields(line, &f)) return err;
  if (f.size() < 3) return "expected \"<sha256> <category> <legal_basis> [label]\"";
  if (f.size() > 4) return "too many fields (quote a field that holds blanks)";
  auto digest = ToDigest(f[0]);
  if (!digest) return "\"" + f[0] + "\" is not a SHA-256 digest (64 hex digits)";
  // What `sha256sum` prints for an empty file: it would flag every page with no text.
  if (*digest == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") {
    std::string message = "\"";
    message.append(f[0]).append("\" is the SHA-256 of empty content: it would flag every page without text");
    return message;
  }
  if (std::find(categories.begin(), categories.end(), f[1]) == categories.end()) {
    return "unknown category \"" + f[1] + "\"";
  }
  if (f[2].empty()) return "the legal basis is empty";
  e->sha256 = std::move(*digest);
  e->category = std::move(f[1]);
  e->legal_basis = std::move(f[2]);
  if (f.size() == 4) e->label = std::move(f[3]);
  return std::nullopt;
}

}  // namespace

void ParseHashList(const std::string& file, std::string_view content,
                   const std::vector<std::string>& categories, std::vector<HashEntry>* entries,
                   std::vector<LoadError>* errors) {
  int line_no = 0;
  while (!content.empty()) {
    ++line_no;
    const size_t eol = content.find('\n');
    std::string_view line = content.substr(0, eol);
    content.remove_prefix(eol == std::string_view::npos ? content.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    HashEntry e;
    if (auto err = ParseLine(line, categories, &e)) {
      errors->push_back({file, line_no, "", std::move(*err)});
      continue;
    }
    e.file = file;
    e.line = line_no;
    entries->push_back(std::move(e));
  }
}

}  // namespace linkwatch::matcher::internal
