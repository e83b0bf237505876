// What kind of body a response is, and the body in UTF-8 as extraction reads it.
//
// Internal to the crawler: ExtractPage() and MayCarryCounters() decode a body
// the same way, so the pre-filter reads exactly the text Gumbo parses.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace linkwatch::crawler {

enum class BodyKind { kHtml, kText, kOther };

// From a lower-case media type ("" when the response had no Content-Type: HTML).
BodyKind KindOf(const std::string& media_type);

// The body in UTF-8: a view of the body itself when it already is valid
// UTF-8 (the fast path: no copy, no iconv), else a converted copy.
class DecodedBody {
 public:
  // `body` must outlive the result (the fast path keeps a view of it).
  DecodedBody(std::string_view body, const std::string& header_charset, bool html);
  DecodedBody(const DecodedBody&) = delete;
  DecodedBody& operator=(const DecodedBody&) = delete;

  std::string_view utf8() const { return converted_ ? std::string_view(owned_) : view_; }
  const std::string& charset() const { return charset_; }                // as Page::charset
  const std::string& charset_source() const { return charset_source_; }  // as Page::charset_source
  bool repaired() const { return repaired_; }

 private:
  std::string_view view_;
  std::string owned_;
  bool converted_ = false;
  std::string charset_, charset_source_;
  bool repaired_ = false;
};

}  // namespace linkwatch::crawler
