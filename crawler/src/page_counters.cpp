#include "page_counters.h"

#include <strings.h>

#include <cctype>

#include "counters_jsonld.h"
#include "counters_schema.h"
#include "linkwatch/base/host_pattern.h"

namespace linkwatch::crawler {
namespace {

// Open item scopes and text captures followed at once; deeper ones are
// ignored (real pages nest one or two).
constexpr size_t kMaxOpenScopes = 16;
constexpr size_t kMaxOpenCaptures = 64;

constexpr const char* kMicrodata = "microdata";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// type="application/ld+json", parameters and case aside.
bool IsJsonLd(const char* type) {
  if (!type) return false;
  std::string_view t(type);
  t = t.substr(0, t.find(';'));
  const size_t start = t.find_first_not_of(" \t\n\r\f");
  if (start == std::string_view::npos) return false;
  t = t.substr(start, t.find_last_not_of(" \t\n\r\f") - start + 1);
  constexpr std::string_view kJsonLd = "application/ld+json";
  return t.size() == kJsonLd.size() && strncasecmp(t.data(), kJsonLd.data(), t.size()) == 0;
}

// A microdata property's value when an attribute holds it (nullopt: its text).
std::optional<std::string_view> PropertyValue(const GumboElement& element, const ElementHints& hints) {
  if (hints.itemscope) {
    if (const char* type = Attr(element, "itemtype")) return type;
  }
  if (const char* content = Attr(element, "content")) return content;
  switch (element.tag) {
    case GUMBO_TAG_A: case GUMBO_TAG_AREA: case GUMBO_TAG_LINK:
      if (const char* href = Attr(element, "href")) return href;
      break;
    case GUMBO_TAG_DATA: case GUMBO_TAG_METER:
      if (const char* value = Attr(element, "value")) return value;
      break;
    default:
      break;
  }
  return std::nullopt;
}

// The tag name as written, for custom elements ("yt-formatted-string").
std::string_view OriginalTagName(const GumboElement& element) {
  GumboStringPiece piece = element.original_tag;
  if (piece.length == 0) return {};
  gumbo_tag_from_original_text(&piece);
  std::string_view name(piece.data, piece.length);
  return name.substr(0, name.find_first_of(" \t\n\r\f/>"));
}

bool TagMatches(GumboTag tag, std::string_view tag_name, const GumboElement& element) {
  if (tag_name.empty()) return true;
  if (element.tag != tag) return false;
  if (tag != GUMBO_TAG_UNKNOWN) return true;
  const std::string_view written = OriginalTagName(element);
  return written.size() == tag_name.size() &&
         strncasecmp(written.data(), tag_name.data(), written.size()) == 0;
}

// The visible text of a finished capture.
std::string_view Captured(std::string_view text, size_t begin) {
  return begin < text.size() ? text.substr(begin) : std::string_view();
}

}  // namespace

std::string_view UrlHost(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (rest.starts_with('[')) return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

CounterCollector::CounterCollector(const std::vector<SiteCounterRule>& rules,
                                   std::string_view page_url, std::vector<Counter>* out)
    : out_(out) {
  const std::string_view host = UrlHost(page_url);
  for (const SiteCounterRule& rule : rules) {
    bool matches = false;
    for (const std::string& pattern : rule.hosts) matches = matches || HostPatternMatches(pattern, host);
    if (!matches) continue;
    std::string tag_name = Lower(rule.element);
    const GumboTag tag = tag_name.empty() ? GUMBO_TAG_UNKNOWN : gumbo_tag_enum(tag_name.c_str());
    rules_.push_back({&rule, tag, std::move(tag_name), Lower(rule.attribute), "site:" + rule.name});
  }
}

void CounterCollector::OnEnter(const GumboElement& element, const ElementHints& hints,
                               bool descends, size_t offset) {
  if (Full()) return;
  if (element.tag == GUMBO_TAG_SCRIPT) OnScript(element);
  if (element.tag == GUMBO_TAG_META) OnMeta(element);
  if (hints.itemprop) OnMicrodata(element, hints, descends, offset);
  if (!rules_.empty()) OnRules(element, descends, offset);
}

void CounterCollector::OnLeave(const GumboElement& element, std::string_view text) {
  while (!captures_.empty() && captures_.back().element == &element) {
    const Capture capture = captures_.back();
    captures_.pop_back();
    Deliver(capture.target, capture.index, Captured(text, capture.begin));
  }
  if (!scopes_.empty() && scopes_.back().element == &element) CloseScope();
}

void CounterCollector::OnScript(const GumboElement& element) {
  if (!IsJsonLd(Attr(element, "type"))) return;
  std::string script;
  for (unsigned int i = 0; i < element.children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(element.children.data[i]);
    if (child->type != GUMBO_NODE_TEXT && child->type != GUMBO_NODE_WHITESPACE) continue;
    const std::string_view piece(child->v.text.text);
    if (script.size() + piece.size() > kMaxJsonLdBytes) return;  // skipped whole
    script.append(piece);
  }
  AddJsonLdCounters(script, out_);
}

void CounterCollector::OnMeta(const GumboElement& element) {
  const char* content = Attr(element, "content");
  if (!content) return;
  if (!AttrIs(element, "name", "interactionCount") && !AttrIs(element, "property", "interactionCount")) {
    return;
  }
  if (const std::optional<OldInteractionCount> old = ReadInteractionCount(content)) {
    AddCounter(out_, OldCounter(*old, content, "meta"));
  }
}

void CounterCollector::OnMicrodata(const GumboElement& element, const ElementHints& hints,
                                   bool descends, size_t offset) {
  const std::string_view itemprop(hints.itemprop);
  // Properties of the enclosing statistic first: this element may open its own item.
  if (!scopes_.empty()) {
    if (HasToken(itemprop, "interactionType", false)) {
      Read(element, hints, descends, offset, Target::kScopeType, scopes_.size() - 1);
    }
    if (HasToken(itemprop, "userInteractionCount", false)) {
      Read(element, hints, descends, offset, Target::kScopeCount, scopes_.size() - 1);
    }
  }
  if (HasToken(itemprop, "interactionCount", false)) {
    Read(element, hints, descends, offset, Target::kInteractionCount, 0);
  }
  if (descends && scopes_.size() < kMaxOpenScopes && HasToken(itemprop, "interactionStatistic", false)) {
    scopes_.push_back({&element, "", std::nullopt});
  }
}

void CounterCollector::OnRules(const GumboElement& element, bool descends, size_t offset) {
  for (size_t i = 0; i < rules_.size(); ++i) {
    Rule& r = rules_[i];
    if (r.done || !TagMatches(r.tag, r.tag_name, element)) continue;
    if (!r.attribute.empty()) {
      const char* value = Attr(element, r.attribute.c_str());
      if (!value) continue;
      const bool match = r.attribute == "class" ? HasToken(value, r.rule->value, false) : r.rule->value == value;
      if (!match) continue;
    }
    r.done = true;
    if (!r.rule->read.empty()) {
      const char* value = Attr(element, Lower(r.rule->read).c_str());
      Deliver(Target::kSiteRule, i, value ? value : "");
    } else if (descends && captures_.size() < kMaxOpenCaptures) {
      captures_.push_back({&element, offset, Target::kSiteRule, i});
    } else {
      Deliver(Target::kSiteRule, i, "");
    }
  }
}

// The value from an attribute now, or from the element's text when it closes.
void CounterCollector::Read(const GumboElement& element, const ElementHints& hints, bool descends,
                            size_t offset, Target target, size_t index) {
  if (const std::optional<std::string_view> value = PropertyValue(element, hints)) {
    Deliver(target, index, *value);
  } else if (descends && captures_.size() < kMaxOpenCaptures) {
    captures_.push_back({&element, offset, target, index});
  } else {
    Deliver(target, index, "");
  }
}

void CounterCollector::Deliver(Target target, size_t index, std::string_view value) {
  switch (target) {
    case Target::kScopeType:
      if (scopes_[index].type.empty()) scopes_[index].type.assign(value.substr(0, kMaxCounterRawBytes));
      return;
    case Target::kScopeCount:
      if (!scopes_[index].count) scopes_[index].count.emplace(value.substr(0, kMaxCountTextBytes + 1));
      return;
    case Target::kInteractionCount:
      if (const std::optional<OldInteractionCount> old = ReadInteractionCount(value)) {
        AddCounter(out_, OldCounter(*old, value, kMicrodata));
      }
      return;
    case Target::kSiteRule:
      AddCounter(out_, TextCounter(rules_[index].rule->kind, value, rules_[index].source));
      return;
  }
}

void CounterCollector::CloseScope() {
  Scope scope = std::move(scopes_.back());
  scopes_.pop_back();
  const std::optional<CounterKind> kind = KindOfInteractionType(scope.type);
  if (!kind) return;
  if (!scope.count) {
    AddCounter(out_, Counter{*kind, std::nullopt, "", kMicrodata});
    return;
  }
  AddCounter(out_, TextCounter(*kind, *scope.count, kMicrodata));
}

}  // namespace linkwatch::crawler
