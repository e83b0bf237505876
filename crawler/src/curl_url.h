// A CURLU handle owned by a unique_ptr, with errors turned into Status.
//
// Internal to the crawler. Not thread-safe: each Canonicalize() call owns its
// handles.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "linkwatch/base/status.h"

namespace linkwatch::crawler {

class CurlUrl {
 public:
  // Parses an absolute URL. Fails with kInvalidArgument naming curl's reason.
  // `extra_flags` are CURLU_ flags added to the parse (CURLU_NON_SUPPORT_SCHEME).
  static Result<CurlUrl> Parse(const std::string& url, unsigned int extra_flags = 0);

  // Replaces this URL by `reference` resolved against it, the way curl
  // follows a relative redirect. REQUIRES: `reference` has no scheme.
  Status Resolve(const std::string& reference);

  // The part as stored, or "" when the URL has none (no user, port, query...).
  Result<std::string> Get(CURLUPart part, unsigned int flags = 0) const;

  // Sets a part verbatim; an empty value removes it.
  Status Set(CURLUPart part, const std::string& value);

 private:
  struct Deleter {
    void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
  };
  explicit CurlUrl(CURLU* url) : url_(url) {}

  std::unique_ptr<CURLU, Deleter> url_;
};

}  // namespace linkwatch::crawler
