// NormalizePattern: a light walk over RE2 syntax that normalizes literal
// characters and leaves the syntax itself alone. It does not validate; RE2
// reports syntax errors on the pattern as written before this runs.
#include <algorithm>
#include <set>
#include <string>
#include <string_view>

#include "char_map.h"
#include "linkwatch/matcher/normalize.h"
#include "utf8.h"

namespace linkwatch::matcher {
namespace {

using internal::AppendUtf8;
using internal::DecodeUtf8;
using internal::MapCodePoint;
using internal::MapKind;
using internal::Mapped;

// Stands for a removed (invisible) literal: it keeps a following quantifier
// valid ("\u00AD+" must not become "+") and matches what the literal now
// matches in normalized text, nothing.
constexpr std::string_view kEmptyAtom = "(?:)";

// Characters with a meaning in RE2 syntax, in or out of a class.
constexpr std::string_view kMetaChars = "\\.+*?()|[]{}^$-";

// Appends `c` so that RE2 reads it as that literal character, in or out of a class.
void AppendLiteral(std::string* out, char32_t c) {
  if (c < 0x80 && kMetaChars.find(static_cast<char>(c)) != std::string_view::npos) {
    out->push_back('\\');
  }
  AppendUtf8(out, c);
}

class PatternRewriter {
 public:
  PatternRewriter(std::string_view pattern, const NormalizeOptions& options)
      : in_(pattern), confusables_(options.map_confusables) {}

  std::string Run() {
    while (!AtEnd()) Step();
    return std::move(out_);
  }

 private:
  bool AtEnd() const { return pos_ >= in_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0'; }
  void CopyBytes(size_t n) {
    n = std::min(n, in_.size() - pos_);
    out_.append(in_.substr(pos_, n));
    pos_ += n;
  }
  // Decodes the code point at pos_ and advances past it.
  char32_t Next() {
    const auto d =
        DecodeUtf8(reinterpret_cast<const unsigned char*>(in_.data()) + pos_, in_.size() - pos_);
    pos_ += d.len;
    return d.cp;
  }
  void CopyCodePoint() { AppendUtf8(&out_, Next()); }
  // Copies through the first `close` (inclusive), or to the end.
  void CopyThrough(char close) {
    const size_t at = in_.find(close, pos_);
    CopyBytes(at == std::string_view::npos ? in_.size() - pos_ : at - pos_ + 1);
  }

  void Step() {
    const char c = Peek();
    if (c == '\\' && Peek(1) == 'Q') return Quoted();
    if (c == '\\') return Escape();
    if (c == '[') return Class();
    if (c == '(' && Peek(1) == '?') return CopyThroughAny(":)>");
    if (static_cast<unsigned char>(c) < 0x80 && !IsAsciiSpace(c)) return CopyBytes(1);
    OutsideLiteral(Next());
  }

  static bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

  void CopyThroughAny(std::string_view closers) {
    const size_t at = in_.find_first_of(closers, pos_ + 2);
    CopyBytes(at == std::string_view::npos ? in_.size() - pos_ : at - pos_ + 1);
  }

  // \x{..}, \p{..}, \pL, \x41, \d, \., ...: copied unchanged.
  void Escape() {
    CopyBytes(1);
    if (AtEnd()) return;
    const char kind = Peek();
    if (kind != 'x' && kind != 'p' && kind != 'P') return CopyCodePoint();
    CopyBytes(1);
    if (Peek() == '{') return CopyThrough('}');
    CopyBytes(kind == 'x' ? 2 : 1);
  }

  // \Q...\E: every character is a literal.
  void Quoted() {
    pos_ += 2;
    while (!AtEnd()) {
      if (Peek() == '\\' && Peek(1) == 'E') {
        pos_ += 2;
        return;
      }
      const Mapped m = MapCodePoint(Next(), confusables_);
      if (m.kind == MapKind::kRemove) out_ += kEmptyAtom;
      if (m.kind != MapKind::kRemove) AppendLiteral(&out_, m.cp);
    }
  }

  void OutsideLiteral(char32_t c) {
    const Mapped m = MapCodePoint(c, confusables_);
    if (m.kind == MapKind::kRemove) {
      out_ += kEmptyAtom;
      return;
    }
    if (m.kind == MapKind::kSpace) return out_.push_back(' ');
    if (c >= 0x80 && m.cp < 0x80) return AppendLiteral(&out_, m.cp);
    AppendUtf8(&out_, m.cp);
  }

  // [...]: members are kept; images of members that normalization changes
  // (beyond case, which RE2 handles) are added before the closing bracket.
  void Class() {
    CopyBytes(1);
    if (Peek() == '^') CopyBytes(1);
    if (Peek() == ']') CopyBytes(1);  // a leading ']' is a member
    std::set<char32_t> images;
    while (!AtEnd() && Peek() != ']') ClassItem(&images);
    for (char32_t c : images) AppendLiteral(&out_, c);
    CopyBytes(1);
  }

  void ClassItem(std::set<char32_t>* images) {
    if (Peek() == '[' && Peek(1) == ':') return CopyThrough(']');
    if (Peek() == '\\') return Escape();  // its images are not known here
    const size_t start = pos_;
    const char32_t lo = Next();
    char32_t hi = lo;
    if (Peek() == '-' && Peek(1) != ']' && Peek(1) != '\0') {
      if (Peek(1) == '\\') {  // range to an escape: copied as written
        out_.append(in_.substr(start, pos_ - start));
        CopyBytes(1);
        return Escape();
      }
      ++pos_;
      hi = Next();
    }
    out_.append(in_.substr(start, pos_ - start));
    AddImages(lo, hi, images);
  }

  void AddImages(char32_t lo, char32_t hi, std::set<char32_t>* images) const {
    AddImagesIn(lo, std::min<char32_t>(hi, 0x7FF), images);
    AddImagesIn(std::max<char32_t>(lo, 0x1680), std::min<char32_t>(hi, 0x3000), images);
    AddImagesIn(std::max<char32_t>(lo, 0xFEFF), std::min<char32_t>(hi, 0xFF5E), images);
  }

  void AddImagesIn(char32_t lo, char32_t hi, std::set<char32_t>* images) const {
    for (char32_t c = lo; c <= hi; ++c) {
      const Mapped m = MapCodePoint(c, confusables_);
      if (m.kind != MapKind::kRemove && m.cp != internal::FoldCase(c)) images->insert(m.cp);
    }
  }

  std::string_view in_;
  bool confusables_;
  size_t pos_ = 0;
  std::string out_;
};

}  // namespace

std::string NormalizePattern(std::string_view pattern, const NormalizeOptions& options) {
  return PatternRewriter(pattern, options).Run();
}

}  // namespace linkwatch::matcher
