#include "url_text.h"

#include <cassert>
#include <vector>

namespace linkwatch::crawler {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr unsigned char kDel = 0x7F;

constexpr unsigned char kSpace = 0x20;

bool IsC0OrSpace(unsigned char c) { return c <= kSpace; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (IsAsciiDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  const char ch = static_cast<char>(c);
  return IsAsciiAlpha(ch) || IsAsciiDigit(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

void AppendEscape(std::string& out, unsigned char c) {
  out += '%';
  out += kHexUpper[c >> 4];
  out += kHexUpper[c & 0x0F];
}

// The WHATWG percent-encode sets, minus what is encoded for every set.
bool InSet(unsigned char c, EncodeSet set) {
  constexpr std::string_view kQuery = " \"#<>'";
  constexpr std::string_view kPath = " \"#<>?`{}";
  constexpr std::string_view kUserinfo = " \"#<>?`{}/:;=@[\\]^|";
  switch (set) {
    case EncodeSet::kQuery:
      return kQuery.find(static_cast<char>(c)) != std::string_view::npos;
    case EncodeSet::kPath:
      return kPath.find(static_cast<char>(c)) != std::string_view::npos;
    case EncodeSet::kUserinfo:
      return kUserinfo.find(static_cast<char>(c)) != std::string_view::npos;
  }
  return false;
}

// Decoding the "%41" of "%%41" would turn the stray '%' into the escape "%A…".
bool WouldFormEscape(const std::string& out, unsigned char decoded) {
  if (HexValue(static_cast<char>(decoded)) < 0) return false;
  const size_t n = out.size();
  return (n >= 1 && out[n - 1] == '%') ||
         (n >= 2 && out[n - 2] == '%' && HexValue(out[n - 1]) >= 0);
}

bool IsDotSegment(std::string_view s) { return s == "."; }
bool IsDotDotSegment(std::string_view s) { return s == ".."; }

}  // namespace

std::string StripUrlWhitespace(std::string_view input) {
  while (!input.empty() && IsC0OrSpace(static_cast<unsigned char>(input.front()))) {
    input.remove_prefix(1);
  }
  while (!input.empty() && IsC0OrSpace(static_cast<unsigned char>(input.back()))) {
    input.remove_suffix(1);
  }
  std::string out;
  out.reserve(input.size());
  for (const char c : input) {
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

std::string EscapeForCurl(std::string_view input) {
  std::string out;
  out.reserve(input.size());
  bool in_query_or_fragment = false;
  for (const char ch : input) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '?' || ch == '#') in_query_or_fragment = true;
    if (IsC0OrSpace(c) || c == kDel) {
      AppendEscape(out, c);
    } else if (ch == '\\' && !in_query_or_fragment) {
      out += '/';
    } else {
      out += ch;
    }
  }
  return out;
}

std::optional<std::string> SchemeOf(std::string_view input) {
  if (input.empty() || !IsAsciiAlpha(input.front())) return std::nullopt;
  std::string scheme;
  for (const char c : input) {
    if (c == ':') return scheme;
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '+' && c != '-' && c != '.') break;
    scheme += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::nullopt;
}

std::string PercentEncode(std::string_view text, EncodeSet set) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < kSpace || c >= kDel || InSet(c, set)) {
      AppendEscape(out, c);
    } else {
      out += ch;
    }
  }
  return out;
}

std::string NormalizeEscapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const bool escape = text[i] == '%' && i + 2 < text.size();
    const int hi = escape ? HexValue(text[i + 1]) : -1;
    const int lo = escape ? HexValue(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      out += text[i];
      continue;
    }
    const auto decoded = static_cast<unsigned char>(hi * 16 + lo);
    if (IsUnreserved(decoded) && !WouldFormEscape(out, decoded)) {
      out += static_cast<char>(decoded);
    } else {
      AppendEscape(out, decoded);
    }
    i += 2;
  }
  return out;
}

std::string RemoveDotSegments(std::string_view path) {
  assert(path.empty() || path.front() == '/');
  if (path.empty()) return "/";
  std::vector<std::string_view> kept;
  std::string_view rest = path.substr(1);
  while (true) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    if (IsDotDotSegment(segment) && !kept.empty()) kept.pop_back();
    if (IsDotSegment(segment) || IsDotDotSegment(segment)) {
      // "/a/.." and "/a/." name the directory "/a/": keep its trailing slash.
      if (last) kept.emplace_back();
    } else {
      kept.push_back(segment);
    }
    if (last) break;
    rest.remove_prefix(slash + 1);
  }
  std::string out;
  for (const std::string_view segment : kept) {
    out += '/';
    out += segment;
  }
  return out;
}

}  // namespace linkwatch::crawler
