#include "page_links.h"

#include <algorithm>

#include "url_text.h"

namespace linkwatch::crawler {
namespace {

// Default URL API behaviour (dot segments resolved), as a browser resolves.
constexpr unsigned int kSetFlags = 0;

bool IsWebScheme(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

// Browsers read any run of slashes after "http(s):" as "//"; curl wants two.
std::string AbsoluteForm(const std::string& scheme, std::string_view rest) {
  rest.remove_prefix(std::min(rest.find_first_not_of('/'), rest.size()));
  return scheme + "://" + std::string(rest);
}

// A first path segment holding ':' ("a:b") reads as a scheme to curl;
// RFC 3986 section 4.2 writes it "./a:b". Leading "///" collapse to "//".
std::string RelativeForm(std::string reference) {
  if (reference.starts_with("//")) {
    const size_t first = std::min(reference.find_first_not_of('/'), reference.size());
    reference.erase(0, first - 2);
    return reference;
  }
  const size_t colon = reference.find(':');
  if (colon != std::string::npos && reference.find_first_of("/?") > colon) {
    reference.insert(0, "./");
  }
  return reference;
}

std::optional<std::string> GetUrl(CURLU* url) {
  char* raw = nullptr;
  if (curl_url_get(url, CURLUPART_URL, &raw, 0) != CURLUE_OK) return std::nullopt;
  std::string out(raw);
  curl_free(raw);
  return out;
}

std::optional<std::string> GetScheme(CURLU* url) {
  char* raw = nullptr;
  if (curl_url_get(url, CURLUPART_SCHEME, &raw, 0) != CURLUE_OK) return std::nullopt;
  std::string out(raw);
  curl_free(raw);
  return out;
}

}  // namespace

std::optional<std::string> PrepareReference(std::string_view raw) {
  std::string text = StripUrlWhitespace(raw);
  text.erase(std::min(text.find('#'), text.size()));
  if (text.empty()) return std::nullopt;
  if (const std::optional<std::string> scheme = SchemeOf(text); scheme && !IsWebScheme(*scheme)) {
    return std::nullopt;
  }
  return EscapeForCurl(text);
}

LinkResolver::LinkResolver(std::string_view page_url) {
  const std::optional<std::string> prepared = PrepareReference(page_url);
  if (!prepared || !SchemeOf(*prepared)) return;
  Handle url(curl_url());
  if (!url) return;
  const std::string absolute = AbsoluteForm(*SchemeOf(*prepared), prepared->substr(prepared->find(':') + 1));
  if (curl_url_set(url.get(), CURLUPART_URL, absolute.c_str(), kSetFlags) != CURLUE_OK) return;
  std::optional<std::string> scheme = GetScheme(url.get());
  if (!scheme || !IsWebScheme(*scheme)) return;
  base_ = std::move(url);
  scheme_ = std::move(*scheme);
}

void LinkResolver::SetBase(std::string_view href) {
  const std::optional<std::string> prepared = PrepareReference(href);
  if (!prepared) return;
  const std::optional<std::string> resolved = Resolve(*prepared);
  if (!resolved) return;
  LinkResolver base(*resolved);
  if (!base.base_) return;
  base_ = std::move(base.base_);
  scheme_ = std::move(base.scheme_);
}

std::optional<std::string> LinkResolver::Resolve(const std::string& prepared) const {
  const std::optional<std::string> scheme = SchemeOf(prepared);
  const std::string_view rest =
      scheme ? std::string_view(prepared).substr(scheme->size() + 1) : std::string_view();
  // "http:x" on an http page is the relative reference "x" (WHATWG).
  const bool relative = !scheme || (base_ && *scheme == scheme_ && !rest.starts_with("//"));
  Handle url(relative ? (base_ ? curl_url_dup(base_.get()) : nullptr) : curl_url());
  if (!url) return std::nullopt;
  const std::string text =
      relative ? RelativeForm(scheme ? std::string(rest) : prepared) : AbsoluteForm(*scheme, rest);
  if (text.empty()) return std::nullopt;
  if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), kSetFlags) != CURLUE_OK) {
    return std::nullopt;
  }
  // A base always has a host; an absolute reference must name one too.
  std::optional<std::string> out = GetUrl(url.get());
  if (!out || !out->starts_with("http")) return std::nullopt;
  return out;
}

}  // namespace linkwatch::crawler
