// Where a body says its charset: Content-Type, byte-order mark, <meta>.
#include "charset.h"

namespace linkwatch::crawler {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool StartsWithNoCase(std::string_view s, size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[pos + i]) != prefix[i]) return false;
  }
  return true;
}

// One attribute of a tag in the prescan window, WHATWG "get an attribute".
struct Attribute {
  std::string name;
  std::string value;
};

// Reads the next attribute at *pos; false at '>' or the end of the window.
bool NextAttribute(std::string_view s, size_t* pos, Attribute* attr) {
  size_t i = *pos;
  while (i < s.size() && (IsSpace(s[i]) || s[i] == '/')) ++i;
  if (i >= s.size() || s[i] == '>') {
    *pos = i;
    return false;
  }
  attr->name.clear();
  attr->value.clear();
  while (i < s.size() && s[i] != '=' && s[i] != '>' && s[i] != '/' && !IsSpace(s[i])) {
    attr->name += Lower(s[i++]);
  }
  while (i < s.size() && IsSpace(s[i])) ++i;
  if (i < s.size() && s[i] == '=') {
    ++i;
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
      const char quote = s[i++];
      const size_t end = s.find(quote, i);
      if (end == std::string_view::npos) {
        *pos = s.size();  // cut by the window: not a complete attribute
        return false;
      }
      attr->value = s.substr(i, end - i);
      i = end + 1;
    } else {
      while (i < s.size() && !IsSpace(s[i]) && s[i] != '>') attr->value += s[i++];
    }
  }
  *pos = i;
  return i < s.size();
}

// The charset a <meta> whose attributes start at *pos declares, if any.
std::optional<std::string> MetaCharset(std::string_view s, size_t* pos) {
  Attribute attr;
  std::optional<std::string> charset, content;
  bool http_equiv_content_type = false;
  while (NextAttribute(s, pos, &attr)) {
    if (attr.name == "charset" && !charset) charset = attr.value;
    if (attr.name == "content" && !content) content = attr.value;
    if (attr.name == "http-equiv") {
      http_equiv_content_type = LowerCopy(Trim(attr.value)) == "content-type";
    }
  }
  if (*pos >= s.size()) return std::nullopt;  // the tag runs past the window
  if (charset && !Trim(*charset).empty()) return std::string(Trim(*charset));
  if (http_equiv_content_type && content) return CharsetFromMetaContent(*content);
  return std::nullopt;
}

// Skips the attributes of any other tag, honouring quoted '>'.
void SkipAttributes(std::string_view s, size_t* pos) {
  Attribute attr;
  while (NextAttribute(s, pos, &attr)) {
  }
}

}  // namespace

MediaType ParseContentType(std::string_view content_type) {
  MediaType media;
  const size_t semi = content_type.find(';');
  media.type = LowerCopy(Trim(content_type.substr(0, semi)));
  std::string_view params = semi == std::string_view::npos ? "" : content_type.substr(semi + 1);
  while (!params.empty()) {
    const size_t end = params.find(';');
    const std::string_view param = params.substr(0, end);
    params = end == std::string_view::npos ? "" : params.substr(end + 1);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos || LowerCopy(Trim(param.substr(0, eq))) != "charset") continue;
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"') {
      value = value.substr(1, value.find('"', 1) - 1);
    }
    media.charset = std::string(Trim(value));
    break;
  }
  return media;
}

std::optional<Bom> SniffBom(std::string_view body) {
  if (body.starts_with("\xEF\xBB\xBF")) return Bom{"utf-8", 3};
  if (body.starts_with("\xFF\xFE")) return Bom{"utf-16le", 2};
  if (body.starts_with("\xFE\xFF")) return Bom{"utf-16be", 2};
  return std::nullopt;
}

std::optional<std::string> CharsetFromMetaContent(std::string_view content) {
  size_t pos = 0;
  for (;;) {
    size_t at = std::string::npos;
    for (size_t i = pos; i + 7 <= content.size(); ++i) {
      if (StartsWithNoCase(content, i, "charset")) {
        at = i;
        break;
      }
    }
    if (at == std::string::npos) return std::nullopt;
    size_t i = at + 7;
    while (i < content.size() && IsSpace(content[i])) ++i;
    if (i >= content.size() || content[i] != '=') {
      pos = at + 7;  // "charset" not followed by '=': look for the next one
      continue;
    }
    ++i;
    while (i < content.size() && IsSpace(content[i])) ++i;
    if (i >= content.size()) return std::nullopt;
    if (content[i] == '"' || content[i] == '\'') {
      const size_t end = content.find(content[i], i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      return std::string(content.substr(i + 1, end - i - 1));
    }
    size_t end = i;
    while (end < content.size() && !IsSpace(content[end]) && content[end] != ';') ++end;
    return std::string(content.substr(i, end - i));
  }
}

std::optional<std::string> PrescanMetaCharset(std::string_view body) {
  const std::string_view s = body.substr(0, kCharsetPrescanBytes);
  size_t pos = 0;
  while ((pos = s.find('<', pos)) != std::string_view::npos) {
    if (s.compare(pos, 4, "<!--") == 0) {
      const size_t end = s.find("-->", pos + 4);
      if (end == std::string_view::npos) return std::nullopt;
      pos = end + 3;
    } else if (StartsWithNoCase(s, pos, "<meta") && pos + 5 < s.size() &&
               (IsSpace(s[pos + 5]) || s[pos + 5] == '/')) {
      pos += 5;
      if (std::optional<std::string> label = MetaCharset(s, &pos)) return label;
    } else if (pos + 1 < s.size() && (IsAlpha(s[pos + 1]) || s[pos + 1] == '/')) {
      ++pos;
      while (pos < s.size() && !IsSpace(s[pos]) && s[pos] != '>') ++pos;
      SkipAttributes(s, &pos);
    } else if (pos + 1 < s.size() && (s[pos + 1] == '!' || s[pos + 1] == '?')) {
      pos = s.find('>', pos);
      if (pos == std::string_view::npos) return std::nullopt;
    } else {
      ++pos;
    }
  }
  return std::nullopt;
}

}  // namespace linkwatch::crawler
