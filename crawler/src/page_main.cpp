#include "page_main.h"

#include <algorithm>
#include <array>

#include "page_attrs.h"

namespace linkwatch::crawler {
namespace {

enum Kind : uint8_t {
  kCandidate = 1,  // article, main, role=main
  kBarrier = 2,    // not main text, nor anything inside
  kForm = 4,       // not main text when inside the chosen element
  kParagraph = 8,
};

using TagKinds = std::array<uint8_t, GUMBO_TAG_LAST + 1>;

constexpr TagKinds MakeTagKinds() {
  TagKinds kinds{};
  kinds[GUMBO_TAG_ARTICLE] = kinds[GUMBO_TAG_MAIN] = kCandidate;
  kinds[GUMBO_TAG_NAV] = kinds[GUMBO_TAG_HEADER] = kinds[GUMBO_TAG_FOOTER] = kBarrier;
  kinds[GUMBO_TAG_ASIDE] = kinds[GUMBO_TAG_MENU] = kBarrier;
  kinds[GUMBO_TAG_FORM] = kForm;
  kinds[GUMBO_TAG_P] = kParagraph;
  return kinds;
}

constexpr TagKinds kTagKinds = MakeTagKinds();

constexpr std::array<std::string_view, 6> kBarrierRoles = {
    "navigation", "banner", "contentinfo", "complementary", "menu", "menubar"};

uint8_t RoleKind(const char* role) {
  if (HasToken(role, "main", true)) return kCandidate;
  for (const std::string_view r : kBarrierRoles) {
    if (HasToken(role, r, true)) return kBarrier;
  }
  return 0;
}

uint8_t KindOf(const GumboElement& element, const char* role) {
  if (element.tag_namespace != GUMBO_NAMESPACE_HTML) return 0;
  const uint8_t by_tag = kTagKinds[element.tag];
  if (by_tag & kBarrier) return by_tag;
  return role ? static_cast<uint8_t>(by_tag | RoleKind(role)) : by_tag;
}

bool IsSeparator(char c) { return c == '\n' || c == ' '; }

// A line break outweighs a space.
char Stronger(char a, char b) { return (a == '\n' || b == '\n') ? '\n' : (a ? a : b); }

// Joins the kept pieces of the chosen range with the separator the left-out
// text had before it or the next piece has, whichever is stronger.
class Joiner {
 public:
  void Skip(std::string_view left_out) {
    if (!left_out.empty() && IsSeparator(left_out[0])) pending_ = Stronger(pending_, left_out[0]);
  }
  void Add(std::string_view piece) {
    if (piece.empty()) return;
    if (IsSeparator(piece[0])) {
      pending_ = Stronger(pending_, piece[0]);
      piece.remove_prefix(1);
    }
    if (piece.empty()) return;
    if (!out_.empty() && pending_) out_ += pending_;
    pending_ = 0;
    out_.append(piece);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  char pending_ = 0;
};

}  // namespace

void MainTextTracker::Enter(const GumboElement& element, const char* role, size_t offset) {
  uint8_t kind = KindOf(element, role);
  if (barrier_depth_ > 0) kind &= static_cast<uint8_t>(~(kCandidate | kParagraph));
  if (kind & kBarrier) ++barrier_depth_;
  stack_.push_back({offset, 0, 0, kind});
}

void MainTextTracker::Leave(size_t offset) {
  const Frame frame = stack_.back();
  stack_.pop_back();
  if (frame.kind & kBarrier) --barrier_depth_;
  const size_t bytes = offset - frame.begin;
  const bool left_out = frame.kind & (kBarrier | kForm);
  if (left_out && bytes > 0) left_out_.push_back({frame.begin, offset});
  Choose(frame, offset);
  if (stack_.empty()) return;
  Frame& parent = stack_.back();
  parent.left_out += left_out ? bytes : frame.left_out;
  if (frame.kind & kParagraph) parent.p_bytes += bytes - frame.left_out;
}

void MainTextTracker::Choose(const Frame& frame, size_t end) {
  const size_t kept = end - frame.begin - frame.left_out;
  // Strictly larger: on a tie the inner element, which closes first, stays.
  if ((frame.kind & kCandidate) && kept > candidate_bytes_) {
    candidate_ = {frame.begin, end};
    candidate_bytes_ = kept;
  }
  if (frame.p_bytes > paragraph_bytes_) {
    paragraphs_ = {frame.begin, end};
    paragraph_bytes_ = frame.p_bytes;
  }
}

std::string MainTextTracker::Build(std::string_view text) const {
  if (candidate_bytes_ == 0 && paragraph_bytes_ == 0) return std::string(text);
  const Range chosen = candidate_bytes_ > 0 ? candidate_ : paragraphs_;
  // The left-out elements inside the chosen one (not the chosen one itself,
  // nor a form around it), outermost first.
  std::vector<Range> inside;
  for (const Range& r : left_out_) {
    const bool same = r.begin == chosen.begin && r.end == chosen.end;
    if (r.begin >= chosen.begin && r.end <= chosen.end && !same) inside.push_back(r);
  }
  std::sort(inside.begin(), inside.end(), [](const Range& a, const Range& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  Joiner joiner;
  size_t pos = chosen.begin;
  for (const Range& r : inside) {
    if (r.begin < pos) continue;  // inside one already left out
    joiner.Add(text.substr(pos, r.begin - pos));
    joiner.Skip(text.substr(r.begin, r.end - r.begin));
    pos = r.end;
  }
  joiner.Add(text.substr(pos, chosen.end - pos));
  return joiner.Take();
}

}  // namespace linkwatch::crawler
