#include "page_collect.h"

#include <array>

#include "page_attrs.h"
#include "page_links.h"

namespace linkwatch::crawler {
namespace {

// References kept for resolution per outlink allowed: some resolve to the
// same URL or fail, so a few more than max_outlinks are gathered.
constexpr size_t kCandidatesPerOutlink = 2;

using TagSet = std::array<bool, GUMBO_TAG_LAST + 1>;

constexpr TagSet MakeSet(std::initializer_list<GumboTag> tags) {
  TagSet set{};
  for (const GumboTag t : tags) set[t] = true;
  return set;
}

// Elements laid out as blocks: their text is a line of its own.
constexpr TagSet kBlock = MakeSet({
    GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE, GUMBO_TAG_ASIDE, GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_BODY,
    GUMBO_TAG_CAPTION, GUMBO_TAG_CENTER, GUMBO_TAG_DD, GUMBO_TAG_DETAILS, GUMBO_TAG_DIR,
    GUMBO_TAG_DIV, GUMBO_TAG_DL, GUMBO_TAG_DT, GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION,
    GUMBO_TAG_FIGURE, GUMBO_TAG_FOOTER, GUMBO_TAG_FORM, GUMBO_TAG_FRAMESET, GUMBO_TAG_H1,
    GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6, GUMBO_TAG_HEADER,
    GUMBO_TAG_HGROUP, GUMBO_TAG_HR, GUMBO_TAG_HTML, GUMBO_TAG_LEGEND, GUMBO_TAG_LI,
    GUMBO_TAG_LISTING, GUMBO_TAG_MAIN, GUMBO_TAG_MENU, GUMBO_TAG_NAV, GUMBO_TAG_OL,
    GUMBO_TAG_OPTGROUP, GUMBO_TAG_OPTION, GUMBO_TAG_P, GUMBO_TAG_PLAINTEXT, GUMBO_TAG_PRE,
    GUMBO_TAG_SECTION, GUMBO_TAG_SELECT, GUMBO_TAG_SUMMARY, GUMBO_TAG_TABLE, GUMBO_TAG_TBODY,
    GUMBO_TAG_TD, GUMBO_TAG_TEXTAREA, GUMBO_TAG_TFOOT, GUMBO_TAG_TH, GUMBO_TAG_THEAD,
    GUMBO_TAG_TR, GUMBO_TAG_UL, GUMBO_TAG_XMP,
});

// Elements whose content is never rendered (or is fallback content for what
// is): skipped with everything inside.
constexpr TagSet kHidden = MakeSet({
    GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE, GUMBO_TAG_NOSCRIPT, GUMBO_TAG_TEMPLATE, GUMBO_TAG_NOEMBED,
    GUMBO_TAG_NOFRAMES, GUMBO_TAG_IFRAME, GUMBO_TAG_DATALIST,
});

// rel="..." is a set of space-separated, case-insensitive tokens.
bool HasRelToken(const GumboElement& element, std::string_view token) {
  const char* rel = Attr(element, "rel");
  return rel && HasToken(rel, token, /*ignore_case=*/true);
}

// The first occurrence wins; empty values do not count.
void SetOnce(std::string* field, const char* value) {
  if (!field->empty() || !value) return;
  *field = CollapseWhitespace(value);
}

}  // namespace

PageCollector::PageCollector(const ExtractOptions& options, std::string_view page_url, Page* page)
    : options_(options),
      page_(page),
      text_(options.max_text_bytes),
      counters_(options.site_counters, page_url, &page->counters) {}

bool PageCollector::OnEnter(const GumboElement& element) {
  const bool descends = Visit(element);
  const bool html = element.tag_namespace == GUMBO_NAMESPACE_HTML;
  const ElementHints hints = html ? ScanHints(element) : ElementHints{};
  if (html) counters_.OnEnter(element, hints, descends, text_.size());
  if (descends) main_.Enter(element, hints.role, text_.size());
  return descends;
}

bool PageCollector::Visit(const GumboElement& element) {
  const GumboTag tag = element.tag;
  if (element.tag_namespace != GUMBO_NAMESPACE_HTML) {
    return tag != GUMBO_TAG_SCRIPT && tag != GUMBO_TAG_STYLE;  // SVG and MathML content: inline
  }
  if (kBlock[tag]) text_.Break();
  switch (tag) {
    case GUMBO_TAG_HEAD: ++head_depth_; return true;
    case GUMBO_TAG_TITLE: OnTitle(element); return false;
    case GUMBO_TAG_META: OnMeta(element); return false;
    case GUMBO_TAG_LINK: OnLink(element); return false;
    case GUMBO_TAG_BR: text_.Break(); return false;
    case GUMBO_TAG_IMG: OnAlt(element); return false;
    case GUMBO_TAG_BASE:
      if (!have_base_ && Attr(element, "href")) {
        have_base_ = true;
        base_href_ = Attr(element, "href");
      }
      return false;
    case GUMBO_TAG_A: case GUMBO_TAG_AREA: AddLink(element, "href"); break;
    case GUMBO_TAG_IFRAME: case GUMBO_TAG_FRAME: case GUMBO_TAG_VIDEO: case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_SOURCE: case GUMBO_TAG_EMBED: case GUMBO_TAG_TRACK: AddLink(element, "src"); break;
    default: break;
  }
  return !kHidden[tag];
}

void PageCollector::OnLeave(const GumboElement& element) {
  main_.Leave(text_.size());
  counters_.OnLeave(element, text_.view());
  if (element.tag_namespace != GUMBO_NAMESPACE_HTML) return;
  if (element.tag == GUMBO_TAG_HEAD) --head_depth_;
  if (kBlock[element.tag]) text_.Break();
}

void PageCollector::OnText(const GumboText& text) {
  if (head_depth_ == 0) text_.Append(text.text);
}

void PageCollector::OnTitle(const GumboElement& element) {
  if (have_title_) return;
  have_title_ = true;
  std::string raw;
  for (unsigned int i = 0; i < element.children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(element.children.data[i]);
    if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE) {
      raw += child->v.text.text;
    }
  }
  page_->title = CollapseWhitespace(raw);
  CutUtf8(&page_->title, options_.max_text_bytes);
}

void PageCollector::OnMeta(const GumboElement& element) {
  const char* content = Attr(element, "content");
  if (!content) return;
  if (AttrIs(element, "name", "description")) SetOnce(&page_->description, content);
  // Many sites write name="og:..." for the Open Graph property.
  if (AttrIs(element, "property", "og:title") || AttrIs(element, "name", "og:title")) {
    SetOnce(&page_->og_title, content);
  }
  if (AttrIs(element, "property", "og:description") || AttrIs(element, "name", "og:description")) {
    SetOnce(&page_->og_description, content);
  }
}

void PageCollector::OnLink(const GumboElement& element) {
  const char* href = Attr(element, "href");
  if (href && canonical_href_.empty() && HasRelToken(element, "canonical")) canonical_href_ = href;
}

void PageCollector::OnAlt(const GumboElement& element) {
  if (page_->alt_texts.size() >= options_.max_alt_texts) return;
  const char* alt = Attr(element, "alt");
  if (!alt) return;
  std::string text = CollapseWhitespace(alt);
  if (!text.empty()) page_->alt_texts.push_back(std::move(text));
}

void PageCollector::AddLink(const GumboElement& element, const char* attribute) {
  if (candidates_.size() >= options_.max_outlinks * kCandidatesPerOutlink) return;
  const char* raw = Attr(element, attribute);
  if (!raw) return;
  std::optional<std::string> reference = PrepareReference(raw);
  if (!reference || !seen_references_.insert(*reference).second) return;
  candidates_.push_back({std::move(*reference), gumbo_normalized_tagname(element.tag)});
}

void PageCollector::Finish(std::string_view page_url) {
  page_->text = text_.Take();
  page_->text_truncated = text_.truncated();
  page_->main_text = main_.Build(page_->text);
  LinkResolver resolver(page_url);
  if (have_base_) resolver.SetBase(base_href_);
  std::unordered_set<std::string> seen;
  for (const Candidate& candidate : candidates_) {
    if (page_->outlinks.size() >= options_.max_outlinks) break;
    std::optional<std::string> url = resolver.Resolve(candidate.reference);
    if (!url || !seen.insert(*url).second) continue;
    page_->outlinks.push_back({std::move(*url), candidate.tag});
  }
  if (const std::optional<std::string> ref = PrepareReference(canonical_href_)) {
    page_->canonical_url = resolver.Resolve(*ref).value_or("");
  }
}

}  // namespace linkwatch::crawler
