// One walk of a Gumbo tree, iterative so that depth costs heap, not stack.
//
// Extraction is one NodeVisitor (PageCollector), which forwards each element
// to the counter and main-text visitors beside it, keeping one walk.
//
// Internal to the crawler.
#pragma once

#include <gumbo.h>

namespace linkwatch::crawler {

class NodeVisitor {
 public:
  virtual ~NodeVisitor() = default;
  // An element (or template). Returning false skips its children and OnLeave.
  virtual bool OnEnter(const GumboElement& element) = 0;
  // After the children of an element OnEnter accepted.
  virtual void OnLeave(const GumboElement& element) = 0;
  // A text, white-space or CDATA node.
  virtual void OnText(const GumboText& text) = 0;
};

// Visits the tree under `root` (a document or element) in document order.
void WalkTree(const GumboNode& root, NodeVisitor& visitor);

}  // namespace linkwatch::crawler
