#include "linkwatch/crawler/page.h"

#include <gumbo.h>
#include <malloc.h>

#include <memory>
#include <optional>

#include "charset.h"
#include "page_collect.h"
#include "page_decode.h"
#include "page_nesting.h"
#include "page_text.h"
#include "page_walk.h"

namespace linkwatch::crawler {
namespace {

// Gumbo's tree takes about 40 bytes of small allocations per byte of HTML,
// which malloc keeps once freed: after a page this large, the heap is
// trimmed, so that one 5 MiB page does not hold 200 MB for good.
constexpr size_t kTrimAfterHtmlBytes = size_t{1} << 20;

struct GumboDeleter {
  void operator()(GumboOutput* output) const noexcept {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};

void ExtractHtml(std::string_view html, std::string_view page_url, const ExtractOptions& options,
                 Page* page) {
  const std::optional<std::string> limited = LimitNesting(html, options.max_nesting_depth);
  if (limited) html = *limited;
  GumboOptions gumbo = kGumboDefaultOptions;
  gumbo.max_errors = 0;  // parse errors are not used; recording them costs time and memory
  const std::unique_ptr<GumboOutput, GumboDeleter> output(
      gumbo_parse_with_options(&gumbo, html.data(), html.size()));
  PageCollector collector(options, page_url, page);
  if (output) WalkTree(*output->document, collector);
  collector.Finish(page_url);
}

void AppendField(std::string* out, std::string_view field) {
  if (field.empty()) return;
  if (!out->empty()) *out += '\n';
  out->append(field);
}

}  // namespace

Page ExtractPage(std::string_view body, std::string_view content_type, std::string_view page_url,
                 const ExtractOptions& options) {
  Page page;
  const MediaType media = ParseContentType(content_type);
  const BodyKind kind = KindOf(media.type);
  if (kind == BodyKind::kOther) return page;
  const DecodedBody decoded(body, media.charset, kind == BodyKind::kHtml);
  page.charset = decoded.charset();
  page.charset_source = decoded.charset_source();
  page.repaired = decoded.repaired();
  if (kind == BodyKind::kText) {
    page.text.assign(decoded.utf8());
    page.text_truncated = CutUtf8(&page.text, options.max_text_bytes);
    page.main_text = page.text;
    return page;
  }
  page.html = true;
  ExtractHtml(decoded.utf8(), page_url, options, &page);
  if (decoded.utf8().size() > kTrimAfterHtmlBytes) malloc_trim(0);
  return page;
}

std::string BodyUtf8(std::string_view body, std::string_view content_type) {
  const MediaType media = ParseContentType(content_type);
  const BodyKind kind = KindOf(media.type);
  if (kind == BodyKind::kOther) return std::string(body);
  const DecodedBody decoded(body, media.charset, kind == BodyKind::kHtml);
  return std::string(decoded.utf8());
}

std::string Page::MatchText() const {
  std::string out;
  for (const std::string* field : {&title, &description, &og_title, &og_description, &text}) {
    AppendField(&out, *field);
  }
  for (const std::string& alt : alt_texts) AppendField(&out, alt);
  return out;
}

}  // namespace linkwatch::crawler
