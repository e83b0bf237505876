#include "page_walk.h"

#include <vector>

namespace linkwatch::crawler {
namespace {

const GumboVector& Children(const GumboNode& node) {
  return node.type == GUMBO_NODE_DOCUMENT ? node.v.document.children : node.v.element.children;
}

bool IsElement(const GumboNode& node) {
  return node.type == GUMBO_NODE_ELEMENT || node.type == GUMBO_NODE_TEMPLATE;
}

}  // namespace

void WalkTree(const GumboNode& root, NodeVisitor& visitor) {
  struct Frame {
    const GumboNode* node;
    unsigned int next_child;
  };
  std::vector<Frame> stack;
  if (IsElement(root) && !visitor.OnEnter(root.v.element)) return;
  stack.push_back({&root, 0});
  while (!stack.empty()) {
    Frame& top = stack.back();
    const GumboVector& children = Children(*top.node);
    if (top.next_child == children.length) {
      if (IsElement(*top.node)) visitor.OnLeave(top.node->v.element);
      stack.pop_back();
      continue;
    }
    const GumboNode& child = *static_cast<const GumboNode*>(children.data[top.next_child++]);
    switch (child.type) {
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE:
        if (visitor.OnEnter(child.v.element)) stack.push_back({&child, 0});
        break;
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        visitor.OnText(child.v.text);
        break;
      default:  // comments; a document is only ever the root
        break;
    }
  }
}

}  // namespace linkwatch::crawler
