#include "linkwatch/crawler/url.h"

#include <algorithm>
#include <clocale>
#include <mutex>
#include <optional>

#include "curl_url.h"
#include "url_host.h"
#include "url_params.h"
#include "url_parts.h"
#include "url_platform.h"
#include "url_text.h"

namespace linkwatch::crawler {
namespace {

// A scheme is echoed in error messages; a hostile input may make it long.
constexpr size_t kMaxSchemeInMessage = 32;
constexpr std::string_view kHttps = "https";

// curl 7.88 hands non-ASCII host names to libidn2 in the locale's encoding;
// under the default "C" locale every IDN host would fail.
void EnableIdn() {
  static std::once_flag once;
  std::call_once(once, [] { std::setlocale(LC_ALL, "C.UTF-8"); });
}

bool IsWebScheme(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

Status SchemeNotAllowed(std::string scheme) {
  if (scheme.size() > kMaxSchemeInMessage) scheme = scheme.substr(0, kMaxSchemeInMessage) + "...";
  return Status::InvalidArgument("scheme \"" + scheme + "\" is not allowed; only http and https");
}

// What the text in front of curl is, after WHATWG's scheme rules for http(s).
struct Reference {
  std::string text;
  bool absolute = false;
};

// Browsers read any run of slashes at the start of an http(s) reference as
// the "//" before a host; curl accepts exactly two.
std::string CollapseAuthoritySlashes(std::string reference) {
  if (!reference.starts_with("//")) return reference;
  const size_t first = std::min(reference.find_first_not_of('/'), reference.size());
  reference.erase(0, first - 2);
  return reference;
}

// A relative path whose first segment holds a ':' ("a:b", "1.2:x") reads as
// a scheme to curl; RFC 3986 section 4.2 writes it "./a:b".
std::string ProtectFirstSegment(std::string reference) {
  const size_t colon = reference.find(':');
  if (colon != std::string::npos && reference.find_first_of("/?#") > colon) {
    reference.insert(0, "./");
  }
  return reference;
}

// An http(s) URL may have any number of slashes (or none) after "scheme:",
// which curl refuses; and "http:x" on an http page is the relative link "x".
Result<Reference> Classify(const std::string& text, const std::optional<std::string>& base_scheme) {
  const std::optional<std::string> scheme = SchemeOf(text);
  if (!scheme) return Reference{ProtectFirstSegment(CollapseAuthoritySlashes(text)), false};
  if (!IsWebScheme(*scheme)) return SchemeNotAllowed(*scheme);
  std::string rest = text.substr(scheme->size() + 1);
  if (scheme == base_scheme && !rest.starts_with("//")) {
    return Reference{ProtectFirstSegment(rest), false};
  }
  rest.erase(0, rest.find_first_not_of('/'));
  return Reference{*scheme + "://" + rest, true};
}

// Preprocessing shared by input and base: trimming, escaping for curl.
Result<std::string> Prepare(std::string_view raw, std::string_view what) {
  if (raw.size() > kMaxUrlBytes) {
    return Status::InvalidArgument(std::string(what) + " is " + std::to_string(raw.size()) +
                                   " bytes long; the limit is " + std::to_string(kMaxUrlBytes));
  }
  return EscapeForCurl(StripUrlWhitespace(raw));
}

// `what` names the text in messages: "the URL" or "the base URL".
Result<CurlUrl> ParseAbsolute(const std::string& text, std::string_view what) {
  if (text.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  Result<Reference> ref = Classify(text, std::nullopt);
  if (!ref.ok()) return ref.status();
  if (!ref->absolute) {
    return Status::InvalidArgument(std::string(what) +
                                   " is relative (no scheme); start it with https://");
  }
  return CurlUrl::Parse(ref->text);
}

// The page a relative link was found on.
struct Base {
  CurlUrl url;
  std::string scheme;
};

Result<Base> ParseBase(std::string_view raw) {
  Result<std::string> text = Prepare(raw, "the base URL");
  if (!text.ok()) return text.status();
  Result<CurlUrl> url = ParseAbsolute(*text, "the base URL");
  if (!url.ok()) return Status::InvalidArgument("base URL: " + url.status().message());
  Result<std::string> scheme = url->Get(CURLUPART_SCHEME);
  if (!scheme.ok()) return scheme.status();
  return Base{std::move(*url), std::move(*scheme)};
}

// curl 7.88 resolves "", "#x" (and, in some builds, "?x") against the base's
// directory instead of the base itself, so these three are done here.
Status ResolveAgainst(CurlUrl& base, const std::string& reference) {
  if (reference.empty() || reference.starts_with('#')) return Status::Ok();
  if (reference.starts_with('?')) {
    return base.Set(CURLUPART_QUERY, reference.substr(1, reference.find('#') - 1));
  }
  return base.Resolve(reference);
}

Result<CurlUrl> ParseAgainst(const std::string& text, Base base) {
  Result<Reference> ref = Classify(text, base.scheme);
  if (!ref.ok()) return ref.status();
  if (ref->absolute) return CurlUrl::Parse(ref->text);
  if (Status s = ResolveAgainst(base.url, ref->text); !s.ok()) return s;
  return std::move(base.url);
}

Result<CurlUrl> ParseInput(std::string_view raw_input, std::string_view raw_base) {
  Result<std::string> text = Prepare(raw_input, "the URL");
  if (!text.ok()) return text.status();
  if (raw_base.empty()) return ParseAbsolute(*text, "the URL");
  Result<Base> base = ParseBase(raw_base);
  if (!base.ok()) return base.status();
  return ParseAgainst(*text, std::move(*base));
}

std::string NormalizeComponent(const std::string& raw, EncodeSet set) {
  return NormalizeEscapes(PercentEncode(raw, set));
}

Status ReadScheme(const CurlUrl& url, UrlParts& parts) {
  Result<std::string> scheme = url.Get(CURLUPART_SCHEME);
  if (!scheme.ok()) return scheme.status();
  if (!IsWebScheme(*scheme)) return SchemeNotAllowed(*scheme);
  parts.scheme = *scheme;
  return Status::Ok();
}

Status ReadAuthority(const CurlUrl& url, UrlParts& parts) {
  Result<std::string> user = url.Get(CURLUPART_USER);
  Result<std::string> password = url.Get(CURLUPART_PASSWORD);
  Result<std::string> host = url.Get(CURLUPART_HOST, CURLU_PUNYCODE);
  Result<std::string> port = url.Get(CURLUPART_PORT, CURLU_NO_DEFAULT_PORT);
  Result<std::string> zone = url.Get(CURLUPART_ZONEID);
  // curl 7.88 reports a failed IDNA conversion as running out of memory.
  if (!host.ok()) return Status::InvalidArgument("not a valid internationalized domain name");
  for (const Status* s : {&user.status(), &password.status(), &port.status(), &zone.status()}) {
    if (!s->ok()) return *s;
  }
  // An IPv6 zone id ("%25eth0") only means something on the machine that wrote it.
  if (!zone->empty()) return Status::InvalidArgument("IPv6 zone ids are not allowed");
  Result<std::string> normal_host = NormalizeHost(std::move(*host));
  if (!normal_host.ok()) return normal_host.status();
  parts.user = NormalizeComponent(*user, EncodeSet::kUserinfo);
  parts.password = NormalizeComponent(*password, EncodeSet::kUserinfo);
  parts.host = std::move(*normal_host);
  parts.port = std::move(*port);
  return Status::Ok();
}

Status ReadPathAndQuery(const CurlUrl& url, UrlParts& parts) {
  Result<std::string> path = url.Get(CURLUPART_PATH);
  Result<std::string> query = url.Get(CURLUPART_QUERY);
  if (!path.ok()) return path.status();
  if (!query.ok()) return query.status();
  parts.path = RemoveDotSegments(NormalizeComponent(*path, EncodeSet::kPath));
  parts.params = SplitQuery(NormalizeComponent(*query, EncodeSet::kQuery));
  return Status::Ok();
}

Result<UrlParts> ReadParts(const CurlUrl& url) {
  UrlParts parts;
  for (auto read : {ReadScheme, ReadAuthority, ReadPathAndQuery}) {
    if (Status s = read(url, parts); !s.ok()) return s;
  }
  return parts;
}

// Serialized here rather than by curl: curl 7.88 lower-cases the %XX escapes
// of a path or query set on a handle, which would undo NormalizeEscapes.
std::string Serialize(const UrlParts& parts) {
  std::string href = parts.scheme + "://";
  if (!parts.user.empty() || !parts.password.empty()) {
    href += parts.user;
    if (!parts.password.empty()) href += ":" + parts.password;
    href += '@';
  }
  href += parts.host;
  if (!parts.port.empty()) href += ":" + parts.port;
  href += parts.path;
  const std::string query = JoinQuery(parts.params);
  if (!query.empty()) href += "?" + query;
  return href;
}

std::string KeyOf(const std::string& href, const std::string& scheme, const CanonOptions& options) {
  if (!options.scheme_insensitive_key || scheme == kHttps) return href;
  return std::string(kHttps) + href.substr(scheme.size());
}

}  // namespace

Result<CanonicalUrl> Canonicalize(std::string_view input, std::string_view base,
                                  const CanonOptions& options) {
  EnableIdn();
  Result<CurlUrl> url = ParseInput(input, base);
  if (!url.ok()) return url.status();
  Result<UrlParts> parts = ReadParts(*url);
  if (!parts.ok()) return parts.status();
  std::erase_if(parts->params,
                [&](const QueryParam& p) { return IsTrackingParam(p.key, options.strip_params); });
  ApplyPlatformRules(*parts, options.platform_rules);
  CanonicalUrl out;
  out.href = Serialize(*parts);
  out.key = KeyOf(out.href, parts->scheme, options);
  out.host = std::move(parts->host);
  out.scheme = std::move(parts->scheme);
  return out;
}

const std::vector<std::string>& KnownPlatformRules() { return PlatformRuleNames(); }

}  // namespace linkwatch::crawler
