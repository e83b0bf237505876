// A blocking HTTP/JSON client for linkwatchd's API (docs/API.md) on libcurl's
// easy interface.
//
// ApiClient is not thread-safe: use one per thread. It keeps one connection
// open across calls (keep-alive), which matters for `import`'s batches.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "linkwatch/base/status.h"

namespace linkwatch::cli {

inline constexpr char kDefaultUrl[] = "http://127.0.0.1:8470";
// Default limit for a whole request (connect, send, wait, receive).
inline constexpr double kDefaultTimeoutSeconds = 30;
inline constexpr double kMaxTimeoutSeconds = 86400;  // a day
// Connecting never waits longer than this, even with a larger --timeout.
inline constexpr long kMaxConnectTimeoutMs = 10000;

struct ApiOptions {
  std::string base_url = kDefaultUrl;  // scheme://host:port, optional trailing '/'
  std::string token;                   // sent as "Authorization: Bearer <token>" unless empty
  double timeout_seconds = kDefaultTimeoutSeconds;  // above 0, at most kMaxTimeoutSeconds
};

struct ApiResponse {
  long status = 0;      // HTTP status
  nlohmann::json body;  // the parsed body; null when empty or (non-2xx only) not JSON
};

class ApiClient {
 public:
  explicit ApiClient(ApiOptions options);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // `path` starts with '/' and may carry a query ("/v1/links?limit=5").
  // Any HTTP answer is a value, also 4xx/5xx (see StatusFromResponse). Fails with
  //   kUnavailable      connection refused, DNS failure, timeout, broken
  //                     connection (the message names the URL tried);
  //   kInvalidArgument  a malformed base URL;
  //   kInternal         a 2xx answer whose body is not JSON.
  Result<ApiResponse> Get(std::string_view path);
  Result<ApiResponse> Post(std::string_view path, const nlohmann::json& body);
  // GETs `path` and returns a 2xx answer's bytes as they are (evidence
  // bodies); any other answer fails as StatusFromResponse says.
  Result<std::string> Download(std::string_view path);

  const ApiOptions& options() const { return options_; }

 private:
  // POSTs `*body` when given, else GETs.
  Result<ApiResponse> Perform(std::string_view path, const std::string* body);
  // The same exchange; the HTTP status and the body's bytes.
  Result<std::pair<long, std::string>> Exchange(std::string_view path, const std::string* body);

  ApiOptions options_;
  void* curl_;  // CURL*, kept out of this header
};

// Ok for a 2xx answer; otherwise the Status its HTTP status stands for, with
// the API's error.message (prefixed by "<field>: " when the error names one).
Status StatusFromResponse(const ApiResponse& response);

// The body of a 2xx answer, or the failure (transport or StatusFromResponse).
Result<nlohmann::json> BodyOf(Result<ApiResponse> response);

// "a=1&b=x%20y": each value percent-encoded for a query string.
std::string BuildQuery(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace linkwatch::cli
