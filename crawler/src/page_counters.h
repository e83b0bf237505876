// The counter visitor: view, share, like and comment counters (counters.h)
// collected during the extraction walk.
//
// Internal to the crawler. One CounterCollector per extraction; the Gumbo
// output and the rules must outlive it.
#pragma once

#include <gumbo.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/crawler/counters.h"
#include "page_attrs.h"

namespace linkwatch::crawler {

class CounterCollector {
 public:
  // Uses the `rules` whose hosts match the host of `page_url`.
  CounterCollector(const std::vector<SiteCounterRule>& rules, std::string_view page_url,
                   std::vector<Counter>* out);

  // Every HTML element, once the walk decided whether it `descends` into it;
  // `offset` is the bytes of visible text before it.
  void OnEnter(const GumboElement& element, const ElementHints& hints, bool descends,
               size_t offset);
  // Every element the walk descended into; `text` is the visible text so far.
  void OnLeave(const GumboElement& element, std::string_view text);

 private:
  // What an element's text, once complete, is read as.
  enum class Target { kScopeType, kScopeCount, kInteractionCount, kSiteRule };
  struct Capture {
    const GumboElement* element;
    size_t begin;
    Target target;
    size_t index;  // of the scope or the rule
  };
  // An itemprop="interactionStatistic" item.
  struct Scope {
    const GumboElement* element;
    std::string type;
    std::optional<std::string> count;
  };
  struct Rule {
    const SiteCounterRule* rule;
    GumboTag tag;          // GUMBO_TAG_UNKNOWN with a tag_name: a custom element
    std::string tag_name;  // lower-case; "" = any element
    std::string attribute; // lower-case
    std::string source;    // "site:<name>"
    bool done = false;     // a rule yields one counter
  };

  void OnScript(const GumboElement& element);
  void OnMeta(const GumboElement& element);
  void OnMicrodata(const GumboElement& element, const ElementHints& hints, bool descends,
                   size_t offset);
  void OnRules(const GumboElement& element, bool descends, size_t offset);
  void Read(const GumboElement& element, const ElementHints& hints, bool descends, size_t offset,
            Target target, size_t index);
  void Deliver(Target target, size_t index, std::string_view value);
  void CloseScope();
  bool Full() const { return out_->size() >= kMaxCountersPerPage; }

  std::vector<Counter>* out_;
  std::vector<Rule> rules_;
  std::vector<Capture> captures_;  // innermost last
  std::vector<Scope> scopes_;      // innermost last
};

// The host of an absolute URL ("https://user@Host:8080/p" gives "Host"; an
// IPv6 literal keeps its brackets), "" when there is none.
std::string_view UrlHost(std::string_view url);

}  // namespace linkwatch::crawler
