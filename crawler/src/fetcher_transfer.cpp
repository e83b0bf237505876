#include "fetcher_transfer.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "fetcher_errors.h"
#include "linkwatch/base/folded_search.h"
#include "fetcher_http.h"

namespace linkwatch::crawler {
namespace {

// The bomb guard looks at ratios only past this size: small compressed pages
// legitimately expand 10-50x.
constexpr int64_t kBombMinDecodedBytes = 1 << 20;
// A hostile server can send endless header lines; the page needs only a few.
constexpr size_t kMaxHeaders = 200;
constexpr int kTooManyRequests = 429;
constexpr int kServiceUnavailable = 503;
constexpr int kFirstRedirect = 300;
constexpr int kLastRedirect = 399;
// A body is reserved up front to its Content-Length up to this size; larger
// ones grow as they arrive (a server may announce more than it sends).
constexpr size_t kMaxBodyReserveBytes = 256 * 1024;

int64_t GetInfoOff(CURL* easy, CURLINFO info) {
  curl_off_t value = 0;
  curl_easy_getinfo(easy, info, &value);
  return static_cast<int64_t>(value);
}

long GetInfoLong(CURL* easy, CURLINFO info) {
  long value = 0;
  curl_easy_getinfo(easy, info, &value);
  return value;
}

std::string GetInfoText(CURL* easy, CURLINFO info) {
  char* value = nullptr;
  curl_easy_getinfo(easy, info, &value);
  return value == nullptr ? std::string() : std::string(value);
}

std::string FindHeader(const std::vector<std::pair<std::string, std::string>>& headers,
                       std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (std::equal(key.begin(), key.end(), name.begin(), name.end(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return value;
    }
  }
  return "";
}

}  // namespace

// --- EasyPool ---

EasyPool::~EasyPool() {
  for (CURL* easy : idle_) curl_easy_cleanup(easy);
}

CURL* EasyPool::Take() {
  if (idle_.empty()) return curl_easy_init();
  CURL* easy = idle_.back();
  idle_.pop_back();
  return easy;
}

void EasyPool::Give(CURL* easy) {
  if (easy == nullptr) return;
  if (idle_.size() >= max_idle_) return curl_easy_cleanup(easy);
  curl_easy_reset(easy);
  idle_.push_back(easy);
}

// --- Transfer ---

Transfer::Transfer(const FetchOptions& options, EasyPool& pool, TransferSetup setup, Hooks hooks)
    : options_(options),
      pool_(pool),
      setup_(std::move(setup)),
      hooks_(std::move(hooks)),
      easy_(pool.Take()),
      started_(std::chrono::steady_clock::now()) {
  out_.url = setup_.url;
  if (easy_ != nullptr) configure();
}

Transfer::~Transfer() {
  pool_.Give(easy_);  // reset there: nothing of this request reaches the next
  curl_slist_free_all(request_headers_);
}

void Transfer::configure() {
  curl_easy_setopt(easy_, CURLOPT_URL, setup_.url.c_str());
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, curl_error_);
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Transfer::OnWrite);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy_, CURLOPT_PREREQFUNCTION, &Transfer::OnPrereq);
  curl_easy_setopt(easy_, CURLOPT_PREREQDATA, this);
  // Redirects are followed by FetchJob so that every hop is recorded and
  // passes through politeness.
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2TLS});
  // Over TLS, wait for a connection that may multiplex (ALPN tells soon)
  // rather than opening another. Not over plain http, which never gets HTTP/2
  // here: curl would learn that only from the first answer, so one slow first
  // page would hold back every other fetch of its host.
  const bool tls = LowerAscii(std::string_view(setup_.url).substr(0, 8)) == "https://";
  curl_easy_setopt(easy_, CURLOPT_PIPEWAIT, tls ? 1L : 0L);
  curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");  // every decoder curl has
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  // An explicit "" also keeps curl from reading proxies from the environment.
  curl_easy_setopt(easy_, CURLOPT_PROXY, setup_.proxy.c_str());
  if (setup_.proxy.empty()) curl_easy_setopt(easy_, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(easy_, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  configure_limits();
  configure_request_headers();
}

void Transfer::configure_limits() {
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(1, setup_.timeout_ms)));
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options_.low_speed_bytes));
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_seconds));
}

void Transfer::configure_request_headers() {
  if (!setup_.etag.empty()) {
    request_headers_ =
        curl_slist_append(request_headers_, ("If-None-Match: " + setup_.etag).c_str());
  }
  if (!setup_.last_modified.empty()) {
    request_headers_ =
        curl_slist_append(request_headers_, ("If-Modified-Since: " + setup_.last_modified).c_str());
  }
  if (setup_.post_body != nullptr && setup_.post_body->has_value()) {
    const std::string& body = **setup_.post_body;
    // The body lives in the job's request, which outlives the transfer.
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    request_headers_ = curl_slist_append(request_headers_, ("Content-Type: " + setup_.post_content_type).c_str());
    request_headers_ = curl_slist_append(request_headers_, "Expect:");
  }
  if (request_headers_ != nullptr) curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, request_headers_);
}

// --- curl callbacks ---

size_t Transfer::OnWrite(char* data, size_t size, size_t count, void* self) {
  const size_t n = size * count;
  // Returning less than n makes curl stop the transfer with CURLE_WRITE_ERROR.
  return static_cast<Transfer*>(self)->keep_body({data, n}) ? n : 0;
}

size_t Transfer::OnHeader(char* data, size_t size, size_t count, void* self) {
  static_cast<Transfer*>(self)->keep_header({data, size * count});
  return size * count;
}

int Transfer::OnPrereq(void* self, char*, char*, int, int) {
  auto* transfer = static_cast<Transfer*>(self);
  if (transfer->hooks_.on_request_sent) transfer->hooks_.on_request_sent();
  return CURL_PREREQFUNC_OK;
}

bool Transfer::keep_body(std::string_view chunk) {
  decoded_bytes_ += static_cast<int64_t>(chunk.size());
  const size_t cap = static_cast<size_t>(std::max<int64_t>(0, options_.max_body_bytes));
  if (out_.body.empty()) reserve_body(cap);
  const size_t room = cap - std::min(cap, out_.body.size());
  if (chunk.size() > room) {
    // A body within the cap is a page at any ratio (the cap bounds memory);
    // one that runs past it from few wire bytes is a bomb, not a long page.
    if (looks_like_bomb()) {
      bomb_ = true;
      return false;
    }
    out_.body.append(chunk.substr(0, room));
    out_.truncated = true;
    return false;
  }
  out_.body.append(chunk);
  return true;
}

// One allocation for the body the server announced (its Content-Length, as
// sent: a hint for a compressed body), within the cap and kMaxBodyReserveBytes.
void Transfer::reserve_body(size_t cap) {
  const int64_t announced = GetInfoOff(easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T);  // -1: unknown
  if (announced <= 0) return;
  out_.body.reserve(std::min({cap, kMaxBodyReserveBytes, static_cast<size_t>(announced)}));
}

bool Transfer::looks_like_bomb() const {
  if (decoded_bytes_ <= kBombMinDecodedBytes) return false;
  // Body bytes as received; curl counts them before decoding.
  const int64_t wire = GetInfoOff(easy_, CURLINFO_SIZE_DOWNLOAD_T);
  return wire > 0 && decoded_bytes_ > options_.max_decode_ratio * wire;
}

void Transfer::keep_header(std::string_view line) {
  if (!first_byte_) {
    first_byte_ = true;
    if (hooks_.on_first_byte) hooks_.on_first_byte();
  }
  HeaderLine parsed = ParseHeaderLine(line);
  switch (parsed.kind) {
    case HeaderLine::Kind::kStatus:  // a new response (1xx or final): forget the last one's
      out_.headers.clear();
      break;
    case HeaderLine::Kind::kField:
      if (out_.headers.size() < kMaxHeaders) {
        out_.headers.emplace_back(std::move(parsed.name), std::move(parsed.value));
      }
      break;
    case HeaderLine::Kind::kContinuation:
      if (!out_.headers.empty()) out_.headers.back().second += " " + parsed.value;
      break;
    default:
      break;
  }
}

// --- results ---

Outcome Transfer::Finish(CURLcode code) {
  Outcome out = std::move(out_);
  collect_info(out);
  const bool cut_on_purpose = code == CURLE_WRITE_ERROR && out.truncated && !bomb_;
  if (bomb_) {
    const int64_t wire = std::max<int64_t>(1, GetInfoOff(easy_, CURLINFO_SIZE_DOWNLOAD_T));
    out.error = FetchError::kDecodeBomb;
    out.error_text = "response body grew " + std::to_string(decoded_bytes_ / wire) +
                     "x when decoded (decompression bomb)";
  } else if (code != CURLE_OK && !cut_on_purpose) {
    CurlFailure failure{code,
                        peer(),
                        GetInfoLong(easy_, CURLINFO_OS_ERRNO),
                        GetInfoOff(easy_, CURLINFO_CONNECT_TIME_T) > 0,
                        out.elapsed_ms,
                        curl_error_,
                        options_.low_speed_bytes,
                        options_.low_speed_seconds,
                        first_byte_};
    FetchFailure described = DescribeCurlFailure(failure);
    out.error = described.error;
    out.error_text = std::move(described.text);
  }
  return out;
}

Outcome Transfer::FinishWithoutFirstByte() {
  Outcome out = std::move(out_);
  collect_info(out);
  out.error = FetchError::kTimeout;
  out.error_text = "timed out after " + std::to_string(options_.first_byte_timeout_ms) +
                   " ms waiting for the first byte from " + peer();
  return out;
}

void Transfer::collect_info(Outcome& out) {
  out.elapsed_ms = elapsed_ms();
  out.http_status = static_cast<int>(GetInfoLong(easy_, CURLINFO_RESPONSE_CODE));
  out.wire_bytes =
      GetInfoOff(easy_, CURLINFO_SIZE_DOWNLOAD_T) + GetInfoLong(easy_, CURLINFO_HEADER_SIZE);
  const bool is_post = setup_.post_body != nullptr && setup_.post_body->has_value();
  if (!is_post && out.http_status >= kFirstRedirect && out.http_status <= kLastRedirect) {
    out.redirect_url = GetInfoText(easy_, CURLINFO_REDIRECT_URL);
  }
  if (out.http_status == kTooManyRequests || out.http_status == kServiceUnavailable) {
    std::optional<int64_t> delay =
        ParseRetryAfterMs(FindHeader(out.headers, "Retry-After"), std::time(nullptr));
    if (delay) out.retry_after_ms = std::min(*delay, options_.max_retry_after_ms);
    if (delay && *delay > options_.max_retry_after_ms) out.retry_after_asked_ms = delay;
  }
}

// Through a proxy, the connection is to the proxy: failures name it.
std::string Transfer::peer() const {
  const std::string ip = GetInfoText(easy_, CURLINFO_PRIMARY_IP);
  const long port = GetInfoLong(easy_, CURLINFO_PRIMARY_PORT);
  std::string address;
  if (!ip.empty() && port > 0) {
    const bool v6 = ip.find(':') != std::string::npos;
    address = (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
  } else {  // curl knows no address when the connect failed
    address = HostPort(setup_.proxy.empty() ? setup_.url : setup_.proxy);
  }
  return setup_.proxy.empty() ? address : "proxy " + address + " (" + setup_.proxy + ")";
}

int64_t Transfer::elapsed_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started_)
      .count();
}

}  // namespace linkwatch::crawler
