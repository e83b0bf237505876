// Fetching pages: libcurl's multi-socket API driven by a Boost.Asio io_context.
//
// CurlFetcher lives on one io_context thread: curl's sockets are watched by
// Asio, curl's timer is an Asio timer; there is no thread per request and no
// polling loop. Fetch() may be called from any thread (it posts to the
// io_context); callbacks run on the io_context thread and must be quick.
//
// Politeness is the fetcher's job: a global cap on transfers in flight, a
// per-host cap and a minimum delay between requests to one host, 429/503
// Retry-After honoured for that host, and retries with exponential backoff
// for transient failures only. Requests over the caps wait in a queue.
// Every request goes through politeness: each redirect hop and each retry
// waits for its host's turn like a new fetch.
//
// Choices worth knowing:
//  - A body cut at max_body_bytes is a page (truncated = true, no error). A
//    body still streaming at total_timeout_ms is an error (kTimeout) that
//    keeps http_status and the bytes that arrived; on any error, `body` holds
//    only what arrived and is not the page.
//  - kConnect, kTimeout, kReset, 5xx and 429 are retried; DNS, TLS, 4xx,
//    redirect, decoding and bomb failures are not. After the last retry the
//    last answer is returned (e.g. http_status 503 with error kNone).
//  - HTTP/2 is negotiated over TLS (ALPN) where the server offers it; plain
//    http:// stays HTTP/1.1. Connections are reused across fetches.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace linkwatch::crawler {

struct ProxyRule {
  std::string host_pattern;  // "*" for all hosts, "*.example.org", or an exact host
  std::string proxy;         // "http://127.0.0.1:3128", "socks5h://127.0.0.1:1080"; "" = direct
};

// Why `proxy` cannot be a ProxyRule's proxy (empty when it can, and for ""):
// a URL of scheme http, https, socks4, socks4a, socks5 or socks5h with a host
// and a port curl can use, and no path, query or fragment.
std::string ProxyUrlError(const std::string& proxy);

struct FetchOptions {
  int max_in_flight = 512;  // transfers running at once, all hosts
  int max_per_host = 2;     // transfers running at once to one host
  // Least time between two request starts to one host, counted from when the
  // previous request left or its answer began to arrive, whichever is later
  // (so the gap also holds as the server records it).
  int64_t per_host_delay_ms = 1000;
  int64_t connect_timeout_ms = 10000;
  int64_t first_byte_timeout_ms = 20000;  // from start until the response headers
  // Whole transfer, redirects included; a retry starts it afresh, and time
  // spent waiting for politeness does not count.
  int64_t total_timeout_ms = 60000;
  int64_t low_speed_bytes = 1024;  // abort when slower than this ...
  int64_t low_speed_seconds = 20;  // ... for this long
  int max_redirects = 10;
  int64_t max_body_bytes = 5 << 20;  // decoded body kept up to here; the rest is cut (truncated)
  // Decompression-bomb guard: a body that runs past max_body_bytes (and
  // 1 MiB) at more than this multiple of the bytes on the wire is aborted as
  // kDecodeBomb, not kept as a truncated page. Within the cap, any ratio is a page.
  int64_t max_decode_ratio = 100;
  std::string user_agent = "linkwatch/0.1 (+monitoring of court-designated material)";
  bool verify_tls = true;
  // First matching rule wins; no match means direct. Proxy environment
  // variables (http_proxy, ...) are ignored: the config decides.
  std::vector<ProxyRule> proxies;
  int max_retries = 2;                 // extra attempts for transient failures
  int64_t retry_base_delay_ms = 1000;  // doubled each attempt, capped by retry_max_delay_ms
  int64_t retry_max_delay_ms = 60000;
  int64_t max_retry_after_ms = 3600000;  // a longer Retry-After is capped to this
};

struct FetchRequest {
  std::string url;            // absolute http(s) URL
  std::string etag;           // sent as If-None-Match when non-empty
  std::string last_modified;  // sent as If-Modified-Since when non-empty
  // A POST (webhooks): this body with this Content-Type. A POST's 3xx answer
  // is its result, never followed.
  std::optional<std::string> post_body = std::nullopt;
  std::string post_content_type = "application/json";
  // When > 0, the fetch ends within this many ms of the Fetch() call, waits
  // for politeness included (e.g. before the lease of its check runs out): a
  // retry or a redirect hop that could not end in time is not started. A
  // retry cut short returns the answer it would have retried; a request its
  // host holds past the time (Retry-After, pace) ends as kDeferred.
  int64_t deadline_ms = 0;
};

// Why a fetch produced no HTTP answer (or an unusable one).
enum class FetchError {
  kNone,
  kDns,      // name did not resolve
  kConnect,  // refused, unreachable
  kTls,      // handshake or certificate failure
  kTimeout,  // connect, first byte, total or low-speed limit
  kReset,    // connection closed or reset mid-transfer
  kTooManyRedirects,
  kRedirectLoop,
  kDecodeBomb,   // decoded body grew past max_decode_ratio
  kBadResponse,  // malformed HTTP, bad content encoding
  kDeferred,     // not sent: its host could not take it before deadline_ms
  kOther,
};
const char* FetchErrorName(FetchError e);  // "dns", "connect", "tls", "timeout", ...

struct Hop {
  std::string url;
  int http_status = 0;
};

struct FetchResult {
  std::string url;             // as requested
  std::string final_url;       // after redirects
  std::vector<Hop> redirects;  // every hop before the final one, in order
  int http_status = 0;         // 0 when there was no HTTP answer
  std::vector<std::pair<std::string, std::string>> headers;  // of the final response
  std::string body;                                          // decoded, at most max_body_bytes
  bool truncated = false;                                    // body was cut at max_body_bytes
  bool not_modified = false;                                 // 304 to a conditional request
  FetchError error = FetchError::kNone;
  std::string error_text;  // for people; empty when error == kNone
  // For people, when error == kNone and the answer is one retried when it
  // can be (429, 5xx): how the fetch ended with it, e.g. "answered 503 on
  // each of 3 attempts"; or why a 304 to a plain request is no page; ""
  // otherwise.
  std::string status_note;
  int64_t elapsed_ms = 0;  // from the first request sent to the end: retries, their waits and hops included
  int64_t wire_bytes = 0;  // headers and bodies received before decoding, all requests
  int attempts = 1;        // 1 + retries used by the whole fetch (hops are not attempts)
  // From a 429/503 answer; for kDeferred, how long the host is held.
  std::optional<int64_t> retry_after_ms;

  // The value of a response header (case-insensitive name), or "".
  std::string Header(std::string_view name) const;
};

// The network seam: the curl fetcher for real, fakes in tests.
class Fetcher {
 public:
  using Callback = std::function<void(FetchResult)>;
  virtual ~Fetcher() = default;
  // Starts (or queues) a fetch; `done` is called exactly once.
  virtual void Fetch(FetchRequest request, Callback done) = 0;
  // Transfers running now / fetches not running (waiting for a slot or
  // backing off before a retry). Any thread may ask.
  virtual int InFlight() const = 0;
  virtual int Queued() const = 0;
};

// Creates the curl-backed fetcher on `io` (which must outlive it and be run by
// one thread). Stop() aborts everything in flight; each pending callback gets
// FetchError::kOther "cancelled", and later Fetch() calls are cancelled at
// once. The destructor stops first.
// REQUIRES: Stop() and the destructor run on the io_context's thread, or while
// no thread runs it (Fetch() alone may come from any thread).
class CurlFetcher final : public Fetcher {
 public:
  CurlFetcher(boost::asio::io_context& io, FetchOptions options);
  ~CurlFetcher() override;
  void Fetch(FetchRequest request, Callback done) override;
  int InFlight() const override;
  int Queued() const override;
  void Stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace linkwatch::crawler
