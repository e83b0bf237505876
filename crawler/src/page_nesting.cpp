#include "page_nesting.h"

#include <gumbo.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace linkwatch::crawler {
namespace {

// Longer tag names are not HTML elements Gumbo knows.
constexpr size_t kMaxTagName = 16;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// How a start tag affects the estimated depth.
enum class Kind : uint8_t { kNested, kFlat, kRawText, kPlainText };

Kind KindOf(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_TITLE:
    case GUMBO_TAG_XMP: case GUMBO_TAG_IFRAME: case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES:
      return Kind::kRawText;
    case GUMBO_TAG_PLAINTEXT:
      return Kind::kPlainText;
    // Void elements and elements closed by their next sibling.
    case GUMBO_TAG_AREA: case GUMBO_TAG_BASE: case GUMBO_TAG_BR: case GUMBO_TAG_COL:
    case GUMBO_TAG_EMBED: case GUMBO_TAG_HR: case GUMBO_TAG_IMG: case GUMBO_TAG_INPUT:
    case GUMBO_TAG_LINK: case GUMBO_TAG_META: case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK:
    case GUMBO_TAG_WBR: case GUMBO_TAG_PARAM: case GUMBO_TAG_KEYGEN: case GUMBO_TAG_P:
    case GUMBO_TAG_LI: case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_OPTION:
    case GUMBO_TAG_OPTGROUP: case GUMBO_TAG_TR: case GUMBO_TAG_TD: case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD: case GUMBO_TAG_TBODY: case GUMBO_TAG_TFOOT: case GUMBO_TAG_COLGROUP:
    case GUMBO_TAG_CAPTION: case GUMBO_TAG_RB: case GUMBO_TAG_RT: case GUMBO_TAG_RP:
    case GUMBO_TAG_RTC: case GUMBO_TAG_HTML: case GUMBO_TAG_HEAD: case GUMBO_TAG_BODY:
      return Kind::kFlat;
    default:
      return Kind::kNested;
  }
}

// A scan of the markup that tracks an estimated stack of open elements.
class NestingScan {
 public:
  NestingScan(std::string_view html, size_t max_depth) : s_(html), max_depth_(max_depth) {}

  void Run() {
    while (pos_ < s_.size()) {
      const void* lt = std::memchr(s_.data() + pos_, '<', s_.size() - pos_);
      if (!lt) return;
      pos_ = static_cast<size_t>(static_cast<const char*>(lt) - s_.data());
      if (!Tag()) return;
    }
  }

  // The markup without the removed tags; nullopt when none were.
  std::optional<std::string> Result() const {
    if (cuts_.empty()) return std::nullopt;
    std::string out;
    out.reserve(s_.size());
    size_t from = 0;
    for (const auto& [begin, end] : cuts_) {
      out.append(s_.substr(from, begin - from));
      from = end;
    }
    out.append(s_.substr(from));
    return out;
  }

 private:
  // Handles the markup at '<'; false when the rest of the input is not markup.
  bool Tag() {
    const size_t begin = pos_;
    if (s_.compare(pos_, 4, "<!--") == 0) return SkipPast("-->", pos_ + 4);
    if (pos_ + 1 >= s_.size()) return false;
    const char next = s_[pos_ + 1];
    if (next == '!' || next == '?') return SkipPast(">", pos_ + 1);
    const bool end_tag = next == '/';
    const size_t name_at = pos_ + (end_tag ? 2 : 1);
    if (name_at >= s_.size() || !IsAlpha(s_[name_at])) {
      ++pos_;
      return true;
    }
    size_t i = name_at;
    while (i < s_.size() && !IsSpace(s_[i]) && s_[i] != '/' && s_[i] != '>') ++i;
    const GumboTag tag = i - name_at > kMaxTagName
                             ? GUMBO_TAG_UNKNOWN
                             : gumbo_tagn_enum(s_.data() + name_at, static_cast<unsigned>(i - name_at));
    pos_ = i;
    bool self_closing = false;
    if (!SkipAttributes(&self_closing)) return false;
    if (end_tag) {
      End(tag, begin);
      return true;
    }
    const Kind kind = KindOf(tag);
    if (kind == Kind::kPlainText) return false;
    if (kind == Kind::kRawText) return SkipRawText(tag);
    if (kind == Kind::kNested && !self_closing) Start(tag, begin);
    return true;
  }

  void Start(GumboTag tag, size_t begin) {
    if (stack_.size() >= max_depth_) {
      ++dropped_[tag];
      cuts_.emplace_back(begin, pos_);
      return;
    }
    stack_.push_back(tag);
    ++open_[tag];
  }

  // An end tag closes the innermost open element of its name and all inside.
  void End(GumboTag tag, size_t begin) {
    if (dropped_[tag] > 0) {
      --dropped_[tag];
      cuts_.emplace_back(begin, pos_);
      return;
    }
    if (open_[tag] == 0) return;
    for (;;) {
      const GumboTag top = stack_.back();
      stack_.pop_back();
      --open_[top];
      if (top == tag) return;
    }
  }

  // Past the '>' of the tag whose attributes start at pos_; false at the end.
  bool SkipAttributes(bool* self_closing) {
    char quote = 0;
    for (; pos_ < s_.size(); ++pos_) {
      const char c = s_[pos_];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '>') {
        *self_closing = s_[pos_ - 1] == '/';
        ++pos_;
        return true;
      } else if ((c == '"' || c == '\'') && s_[pos_ - 1] == '=') {
        quote = c;
      }
    }
    return false;
  }

  // Past the end tag of a raw-text element: its content is not markup.
  bool SkipRawText(GumboTag tag) {
    const char* name = gumbo_normalized_tagname(tag);
    const size_t len = std::strlen(name);
    for (size_t i = pos_; (i = s_.find("</", i)) != std::string_view::npos; i += 2) {
      const size_t after = i + 2 + len;
      if (after >= s_.size()) return false;
      const char c = s_[after];
      if ((IsSpace(c) || c == '/' || c == '>') &&
          gumbo_tagn_enum(s_.data() + i + 2, static_cast<unsigned>(len)) == tag) {
        pos_ = after;  // raw-text elements are not on the stack: the end tag pops nothing
        return true;
      }
    }
    return false;
  }

  bool SkipPast(std::string_view marker, size_t from) {
    const size_t end = s_.find(marker, from);
    if (end == std::string_view::npos) return false;
    pos_ = end + marker.size();
    return true;
  }

  std::string_view s_;
  size_t max_depth_;
  size_t pos_ = 0;
  std::vector<GumboTag> stack_;
  std::array<uint32_t, GUMBO_TAG_LAST + 1> open_{};
  std::array<uint32_t, GUMBO_TAG_LAST + 1> dropped_{};
  std::vector<std::pair<size_t, size_t>> cuts_;  // [begin, end) of removed tags, in order
};

}  // namespace

std::optional<std::string> LimitNesting(std::string_view html, size_t max_depth) {
  NestingScan scan(html, max_depth);
  scan.Run();
  return scan.Result();
}

}  // namespace linkwatch::crawler
