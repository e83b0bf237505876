#include "page_decode.h"

#include <optional>

#include "charset.h"

namespace linkwatch::crawler {
namespace {

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

}  // namespace

BodyKind KindOf(const std::string& media_type) {
  // A response without a Content-Type is most often HTML.
  if (media_type.empty() || media_type == "text/html" || media_type == "application/xhtml+xml") {
    return BodyKind::kHtml;
  }
  if (media_type == "text/plain") return BodyKind::kText;
  return BodyKind::kOther;
}

DecodedBody::DecodedBody(std::string_view body, const std::string& header_charset, bool html) {
  const Declared declared = Declare(body, header_charset, html);
  body.remove_prefix(declared.skip);
  // An unknown label reads as UTF-8.
  const Charset charset = LookupCharset(declared.label).value_or(Charset{"utf-8", "", 1});
  charset_ = charset.name;
  charset_source_ = std::string(declared.source);
  if (charset.iconv_name.empty() && IsValidUtf8(body)) {
    view_ = body;
    return;
  }
  repaired_ = ConvertToUtf8(body, charset, &owned_);
  converted_ = true;
}

}  // namespace linkwatch::crawler
