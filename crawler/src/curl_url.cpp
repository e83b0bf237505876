#include "curl_url.h"

namespace linkwatch::crawler {
namespace {

// Dot segments are left in place because url.cpp removes them itself, after
// decoding %2e, which curl does not treat as a dot.
constexpr unsigned int kParseFlags = CURLU_PATH_AS_IS;

Status FromCurl(CURLUcode code, const char* what) {
  if (code == CURLUE_OUT_OF_MEMORY) return Status::Internal("out of memory");
  return Status::InvalidArgument(std::string(what) + ": " + curl_url_strerror(code));
}

// Codes curl_url_get returns for a part the URL simply does not have.
bool IsAbsentPart(CURLUcode code) {
  switch (code) {
    case CURLUE_NO_USER:
    case CURLUE_NO_PASSWORD:
    case CURLUE_NO_OPTIONS:
    case CURLUE_NO_PORT:
    case CURLUE_NO_QUERY:
    case CURLUE_NO_FRAGMENT:
    case CURLUE_NO_ZONEID:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<CurlUrl> CurlUrl::Parse(const std::string& url, unsigned int extra_flags) {
  CurlUrl parsed(curl_url());
  if (!parsed.url_) return Status::Internal("curl_url() failed");
  const CURLUcode code =
      curl_url_set(parsed.url_.get(), CURLUPART_URL, url.c_str(), kParseFlags | extra_flags);
  if (code != CURLUE_OK) return FromCurl(code, "not a valid URL");
  return parsed;
}

Status CurlUrl::Resolve(const std::string& reference) {
  const CURLUcode code = curl_url_set(url_.get(), CURLUPART_URL, reference.c_str(), kParseFlags);
  if (code != CURLUE_OK) return FromCurl(code, "cannot resolve the relative URL");
  return Status::Ok();
}

Result<std::string> CurlUrl::Get(CURLUPart part, unsigned int flags) const {
  char* raw = nullptr;
  const CURLUcode code = curl_url_get(url_.get(), part, &raw, flags);
  const std::unique_ptr<char, decltype(&curl_free)> owned(raw, &curl_free);
  if (code == CURLUE_OK) return std::string(raw);
  if (IsAbsentPart(code)) return std::string();
  return FromCurl(code, "not a valid URL");
}

Status CurlUrl::Set(CURLUPart part, const std::string& value) {
  const CURLUcode code = curl_url_set(url_.get(), part, value.empty() ? nullptr : value.c_str(), 0);
  if (code != CURLUE_OK) return FromCurl(code, "cannot build the canonical URL");
  return Status::Ok();
}

}  // namespace linkwatch::crawler
