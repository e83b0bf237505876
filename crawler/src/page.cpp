#include "linkwatch/crawler/page.h"

#include <gumbo.h>

#include <memory>
#include <optional>

#include "charset.h"
#include "page_collect.h"
#include "page_nesting.h"
#include "page_text.h"
#include "page_walk.h"

namespace linkwatch::crawler {
namespace {

enum class BodyKind { kHtml, kText, kOther };

BodyKind KindOf(const std::string& media_type) {
  // A response without a Content-Type is most often HTML.
  if (media_type.empty() || media_type == "text/html" || media_type == "application/xhtml+xml") {
    return BodyKind::kHtml;
  }
  if (media_type == "text/plain") return BodyKind::kText;
  return BodyKind::kOther;
}

// The body in UTF-8: a view of the body itself when it already is valid
// UTF-8 (the fast path: no copy, no iconv), else the converted copy.
struct Decoded {
  std::string owned;
  std::string_view utf8;
};

// Which charset the body is in, and where that was said.
struct Declared {
  std::string label;
  std::string_view source;
  size_t skip = 0;  // bytes of a byte-order mark
};

Declared Declare(std::string_view body, const std::string& header_charset, bool html) {
  const std::optional<Bom> bom = SniffBom(body);
  if (!header_charset.empty()) {
    Declared d{header_charset, "header"};
    // A mark that agrees with the header is not content.
    const std::optional<Charset> cs = LookupCharset(header_charset);
    if (bom && cs && cs->name == bom->charset) d.skip = bom->length;
    return d;
  }
  if (bom) return {std::string(bom->charset), "bom", bom->length};
  if (html) {
    if (std::optional<std::string> label = PrescanMetaCharset(body)) {
      // A <meta> readable as ASCII cannot be in UTF-16 (WHATWG).
      const std::optional<Charset> cs = LookupCharset(*label);
      if (cs && cs->name.starts_with("utf-16")) return {"utf-8", "meta"};
      return {std::move(*label), "meta"};
    }
  }
  return {"utf-8", "default"};
}

Decoded Decode(std::string_view body, const std::string& header_charset, bool html, Page* page) {
  const Declared declared = Declare(body, header_charset, html);
  body.remove_prefix(declared.skip);
  // An unknown label reads as UTF-8.
  const Charset charset = LookupCharset(declared.label).value_or(Charset{"utf-8", "", 1});
  page->charset = charset.name;
  page->charset_source = std::string(declared.source);
  Decoded decoded;
  if (charset.iconv_name.empty() && IsValidUtf8(body)) {
    decoded.utf8 = body;
    return decoded;
  }
  page->repaired = ConvertToUtf8(body, charset, &decoded.owned);
  decoded.utf8 = decoded.owned;
  return decoded;
}

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
  const Decoded decoded = Decode(body, media.charset, kind == BodyKind::kHtml, &page);
  if (kind == BodyKind::kText) {
    page.text.assign(decoded.utf8);
    page.text_truncated = CutUtf8(&page.text, options.max_text_bytes);
    page.main_text = page.text;
    return page;
  }
  page.html = true;
  ExtractHtml(decoded.utf8, page_url, options, &page);
  return page;
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
