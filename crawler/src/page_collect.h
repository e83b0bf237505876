// The extraction visitor: what ExtractPage collects in its walk of the tree.
//
// Internal to the crawler. One PageCollector per extraction.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "linkwatch/crawler/page.h"
#include "page_counters.h"
#include "page_main.h"
#include "page_text.h"
#include "page_walk.h"

namespace linkwatch::crawler {

// Collects the fields of a Page during WalkTree (counters and the main-text
// ranges by the visitors it forwards to, in the same walk), then Finish()
// resolves the links (after the walk, since <base href> applies to links
// before it too) and assembles the main text.
// The Gumbo output and `options` must outlive the collector.
class PageCollector : public NodeVisitor {
 public:
  // `page_url` selects the site counter rules (by its host).
  PageCollector(const ExtractOptions& options, std::string_view page_url, Page* page);

  bool OnEnter(const GumboElement& element) override;
  void OnLeave(const GumboElement& element) override;
  void OnText(const GumboText& text) override;

  // Fills page->text, main_text, outlinks and canonical_url.
  void Finish(std::string_view page_url);

 private:
  struct Candidate {
    std::string reference;  // PrepareReference()'s form
    const char* tag;        // static, from Gumbo
  };

  // The extraction of the fields before counters: false skips the children.
  bool Visit(const GumboElement& element);
  void OnMeta(const GumboElement& element);
  void OnLink(const GumboElement& element);
  void OnTitle(const GumboElement& element);
  void OnAlt(const GumboElement& element);
  void AddLink(const GumboElement& element, const char* attribute);

  const ExtractOptions& options_;
  Page* page_;
  TextBuilder text_;
  CounterCollector counters_;
  MainTextTracker main_;
  int head_depth_ = 0;  // inside <head>: no visible text
  bool have_title_ = false;
  bool have_base_ = false;
  std::string base_href_;
  std::string canonical_href_;
  std::vector<Candidate> candidates_;
  std::unordered_set<std::string> seen_references_;
};

}  // namespace linkwatch::crawler
