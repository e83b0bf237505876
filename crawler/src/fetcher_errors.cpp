#include "fetcher_errors.h"

#include <cerrno>
#include <string_view>

namespace linkwatch::crawler {
namespace {

// curl's wording when CURLOPT_LOW_SPEED_LIMIT fires; the CURLcode is the
// same as for the other timeouts.
constexpr std::string_view kCurlTooSlow = "too slow";
constexpr int kFirstServerError = 500;
constexpr int kLastServerError = 599;
constexpr int kTooManyRequests = 429;
// curl's wording when the response headers pass its 300 KiB total (the code
// is CURLE_RECV_ERROR, as for a broken connection).
constexpr std::string_view kCurlHeadersTooLarge = "Too large response headers";

std::string WithCurlText(std::string text, const CurlFailure& f) {
  if (!f.curl_text.empty()) text += " (" + f.curl_text + ")";
  return text;
}

FetchFailure ConnectFailure(const CurlFailure& f) {
  switch (f.os_errno) {
    case ECONNREFUSED:
      return {FetchError::kConnect, "connection refused by " + f.peer};
    case ENETUNREACH:
      return {FetchError::kConnect, "network unreachable for " + f.peer};
    case EHOSTUNREACH:
      return {FetchError::kConnect, "host unreachable: " + f.peer};
    default:
      return {FetchError::kConnect, WithCurlText("could not connect to " + f.peer, f)};
  }
}

FetchFailure TimeoutFailure(const CurlFailure& f) {
  const std::string after = "timed out after " + std::to_string(f.elapsed_ms) + " ms";
  if (!f.connected) return {FetchError::kTimeout, after + " connecting to " + f.peer};
  if (f.curl_text.find(kCurlTooSlow) != std::string::npos) {
    return {FetchError::kTimeout, "transfer slower than " + std::to_string(f.low_speed_bytes) +
                                      " bytes/s for " + std::to_string(f.low_speed_seconds) +
                                      " s from " + f.peer};
  }
  return {FetchError::kTimeout, after + " (total time limit) from " + f.peer};
}

bool IsTlsCode(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

FetchFailure ResetFailure(const CurlFailure& f) {
  switch (f.code) {
    case CURLE_GOT_NOTHING:
      return {FetchError::kReset, f.peer + " closed the connection without a response"};
    case CURLE_PARTIAL_FILE:
      return {FetchError::kReset, WithCurlText("connection to " + f.peer + " closed mid-body", f)};
    default:
      return {FetchError::kReset, WithCurlText("connection to " + f.peer + " broken", f)};
  }
}

}  // namespace

FetchFailure DescribeCurlFailure(const CurlFailure& f) {
  // Oversized headers are the server's doing, and the same every time: not
  // a broken connection to retry. (A single header line over curl's 100 KiB
  // shows only as CURLE_OUT_OF_MEMORY, after the status line.)
  if (f.code == CURLE_RECV_ERROR && f.curl_text.find(kCurlHeadersTooLarge) != std::string::npos) {
    return {FetchError::kBadResponse, "response headers from " + f.peer + " too large (" + f.curl_text + ")"};
  }
  if (f.code == CURLE_OUT_OF_MEMORY && f.answered) {
    return {FetchError::kBadResponse,
            "response header line from " + f.peer + " too large (over curl's 100 KiB limit for one header)"};
  }
  switch (f.code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return {FetchError::kDns, WithCurlText("could not resolve the host", f)};
    case CURLE_COULDNT_RESOLVE_PROXY:
      return {FetchError::kDns, WithCurlText("could not resolve the proxy", f)};
    case CURLE_COULDNT_CONNECT:
      return ConnectFailure(f);
    case CURLE_OPERATION_TIMEDOUT:
      return TimeoutFailure(f);
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return ResetFailure(f);
    case CURLE_BAD_CONTENT_ENCODING:
      return {FetchError::kBadResponse, WithCurlText("bad content encoding", f)};
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return {FetchError::kBadResponse, WithCurlText("malformed or unsupported response", f)};
    default:
      break;
  }
  if (IsTlsCode(f.code)) return {FetchError::kTls, WithCurlText("TLS failure with " + f.peer, f)};
  return {FetchError::kOther, WithCurlText(curl_easy_strerror(f.code), f)};
}

bool IsTransient(FetchError error) {
  return error == FetchError::kConnect || error == FetchError::kTimeout ||
         error == FetchError::kReset;
}

bool IsTransientStatus(int http_status) {
  return http_status == kTooManyRequests ||
         (http_status >= kFirstServerError && http_status <= kLastServerError);
}

}  // namespace linkwatch::crawler
