// The main text of a page, decided during the extraction walk.
//
// The heuristic, in order:
//  1. The largest <article>, <main> or role="main" element (by the bytes of
//     its main text; on a tie the inner one) that is not inside a barrier.
//  2. Else the element whose own <p> children (not inside a barrier) hold the
//     most text: the readability guess of where an article's paragraphs sit.
//  3. Else the whole visible text.
// Barriers are nav, header, footer, aside, menu and role="navigation",
// "banner", "contentinfo", "complementary", "menu", "menubar": their text is
// not main text and nothing inside them is a candidate. A <form> inside the
// chosen element is left out too, but a form wrapping the whole page (as
// ASP.NET pages do) is no barrier. Separators and the cap are those of the
// visible text (main text is cut where it is), with leading and trailing
// separators removed, so an article reads the same in any site template.
//
// The tracker records byte ranges of the visible text as the walk enters and
// leaves elements; the text itself is assembled once, after the walk.
//
// Internal to the crawler. One MainTextTracker per extraction.
#pragma once

#include <gumbo.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace linkwatch::crawler {

class MainTextTracker {
 public:
  // Every element the walk descends into, with the bytes of visible text
  // before it; `role` may be null. Each Enter is matched by one Leave.
  void Enter(const GumboElement& element, const char* role, size_t offset);
  void Leave(size_t offset);

  // The main text, from the page's complete visible text.
  std::string Build(std::string_view text) const;

 private:
  struct Range {
    size_t begin = 0;
    size_t end = 0;
  };
  struct Frame {
    size_t begin;
    size_t left_out = 0;  // bytes inside in left-out elements
    size_t p_bytes = 0;   // bytes of the element's own <p> children
    uint8_t kind;
  };

  void Choose(const Frame& frame, size_t end);

  std::vector<Frame> stack_;
  std::vector<Range> left_out_;  // every barrier and form, in the order they close
  int barrier_depth_ = 0;
  Range candidate_;
  size_t candidate_bytes_ = 0;
  Range paragraphs_;
  size_t paragraph_bytes_ = 0;
};

}  // namespace linkwatch::crawler
