// Outlink resolution for page extraction, on curl's URL API: references are
// resolved against the page URL or <base href>, not canonicalized.
//
// Internal to the crawler. A LinkResolver is used by one extraction at a time.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace linkwatch::crawler {

// What a raw href/src attribute becomes before resolution: whitespace
// stripped as browsers do, fragment removed, characters curl refuses escaped.
// nullopt for references that name no other resource: empty, fragment-only,
// or a scheme other than http/https (javascript:, mailto:, data:, ...).
std::optional<std::string> PrepareReference(std::string_view raw);

class LinkResolver {
 public:
  // `page_url` is the final URL of the fetch; when it is not an absolute
  // http(s) URL only absolute references resolve.
  explicit LinkResolver(std::string_view page_url);

  // Makes `href` (a <base href>, raw) the base of later references, resolved
  // against the page URL. Ignored when it does not resolve to http(s).
  void SetBase(std::string_view href);

  // The absolute http(s) URL a PrepareReference() result names, without a
  // fragment; nullopt when curl cannot resolve it.
  std::optional<std::string> Resolve(const std::string& prepared) const;

 private:
  struct Deleter {
    void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
  };
  using Handle = std::unique_ptr<CURLU, Deleter>;

  Handle base_;         // null when there is no http(s) base
  std::string scheme_;  // the base's scheme: "http" or "https"
};

}  // namespace linkwatch::crawler
