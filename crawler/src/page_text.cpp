#include "page_text.h"

namespace linkwatch::crawler {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
size_t Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s.size();
  while (max > 0 && IsContinuation(s[max])) --max;
  return max;
}

}  // namespace

void TextBuilder::Append(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && !full_) {
    if (IsSpace(text[i])) {
      pending_space_ = true;
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !IsSpace(text[end])) ++end;
    Emit(text.substr(i, end - i));
    i = end;
  }
}

void TextBuilder::Emit(std::string_view word) {
  if (!out_.empty()) {
    if (pending_break_) {
      Put("\n");
    } else if (pending_space_) {
      Put(" ");
    }
  }
  pending_break_ = pending_space_ = false;
  Put(word);
}

void TextBuilder::Put(std::string_view bytes) {
  if (full_) return;
  const size_t room = max_bytes_ - out_.size();
  if (bytes.size() <= room) {
    out_.append(bytes);
    return;
  }
  out_.append(bytes.substr(0, Utf8Prefix(bytes, room)));
  full_ = true;
}

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (const char c : text) {
    if (IsSpace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool CutUtf8(std::string* text, size_t max_bytes) {
  if (text->size() <= max_bytes) return false;
  text->resize(Utf8Prefix(*text, max_bytes));
  return true;
}

}  // namespace linkwatch::crawler
