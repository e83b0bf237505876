#include "api_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

#include "exit_codes.h"

namespace linkwatch::cli {
namespace {

constexpr char kUserAgent[] = "linkwatch-cli/0.1";
// A proxy from the environment is never used for the local daemon.
constexpr char kNoProxyHosts[] = "localhost,127.0.0.1,::1";

using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

Status MakeStatus(Status::Code code, std::string message) {
  using Code = Status::Code;
  switch (code) {
    case Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Code::kAlreadyExists:
      return Status::AlreadyExists(std::move(message));
    case Code::kUnauthenticated:
      return Status::Unauthenticated(std::move(message));
    case Code::kPermissionDenied:
      return Status::PermissionDenied(std::move(message));
    case Code::kIOError:
      return Status::IOError(std::move(message));
    case Code::kCorruption:
      return Status::Corruption(std::move(message));
    case Code::kUnavailable:
      return Status::Unavailable(std::move(message));
    case Code::kOk:
    case Code::kInternal:
      break;
  }
  return Status::Internal(std::move(message));
}

std::string JoinUrl(const std::string& base, std::string_view path) {
  std::string url = base;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url.append(path);
}

HeaderList MakeHeaders(const ApiOptions& options, bool has_body) {
  curl_slist* list = curl_slist_append(nullptr, "Accept: application/json");
  // curl would otherwise wait for "100 Continue" before sending a large body.
  list = curl_slist_append(list, "Expect:");
  if (has_body) list = curl_slist_append(list, "Content-Type: application/json");
  if (!options.token.empty()) {
    list = curl_slist_append(list, ("Authorization: Bearer " + options.token).c_str());
  }
  return HeaderList(list, &curl_slist_free_all);
}

std::string Seconds(double seconds) {
  std::ostringstream out;
  out << seconds;
  return out.str();
}

Status TransportError(CURLcode code, const char* detail, const ApiOptions& options) {
  const std::string& url = options.base_url;
  const std::string why = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument("bad daemon URL '" + url + "': " + why);
    case CURLE_OPERATION_TIMEDOUT:
      return Status::Unavailable("linkwatchd at " + url + " did not answer within " +
                                 Seconds(options.timeout_seconds) +
                                 " s (timeout); is it running? A long import may need a larger "
                                 "--timeout");
    default:
      return Status::Unavailable("cannot reach linkwatchd at " + url + ": " + why +
                                 "; is it running? Start it with `linkwatchd`, or point --url "
                                 "(or LINKWATCH_URL) at it");
  }
}

// obj[key] when it is a string, else `fallback` (the API sends null for absent values).
std::string StringOr(const nlohmann::json& obj, const char* key, std::string fallback) {
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// Whole milliseconds, at least 1 (0 would mean no timeout to curl).
long TimeoutMs(double seconds) {
  return static_cast<long>(std::clamp(std::ceil(seconds * 1000), 1.0, kMaxTimeoutSeconds * 1000));
}

// What one request owns while curl works on it.
struct Transfer {
  Transfer(std::string u, HeaderList h) : url(std::move(u)), headers(std::move(h)) {}
  std::string url;
  HeaderList headers;
  std::string received;
  char error[CURL_ERROR_SIZE] = "";
};

void Configure(CURL* curl, const ApiOptions& options, Transfer& t) {
  curl_easy_setopt(curl, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, t.headers.get());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, kNoProxyHosts);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, TimeoutMs(options.timeout_seconds));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   std::min(TimeoutMs(options.timeout_seconds), kMaxConnectTimeoutMs));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t.received);
}

// A body that is not JSON is an error only in a 2xx answer (a proxy's error
// page, say, still carries its HTTP status).
Result<ApiResponse> ParseAnswer(long status, const std::string& received, const std::string& url,
                                const ApiOptions& options) {
  ApiResponse response;
  response.status = status;
  if (received.empty()) return response;
  response.body = nlohmann::json::parse(received, nullptr, /*allow_exceptions=*/false);
  if (!response.body.is_discarded()) return response;
  response.body = nullptr;
  if (status < 200 || status >= 300) return response;
  return Status::Internal("linkwatchd at " + options.base_url + " answered " + url +
                          " with a body that is not JSON");
}

}  // namespace

ApiClient::ApiClient(ApiOptions options) : options_(std::move(options)), curl_(curl_easy_init()) {}

ApiClient::~ApiClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<ApiResponse> ApiClient::Get(std::string_view path) { return Perform(path, nullptr); }

Result<ApiResponse> ApiClient::Post(std::string_view path, const nlohmann::json& body) {
  const std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return Perform(path, &text);
}

Result<ApiResponse> ApiClient::Perform(std::string_view path, const std::string* body) {
  auto answer = Exchange(path, body);
  if (!answer.ok()) return answer.status();
  return ParseAnswer(answer->first, answer->second, JoinUrl(options_.base_url, path), options_);
}

Result<std::string> ApiClient::Download(std::string_view path) {
  auto answer = Exchange(path, nullptr);
  if (!answer.ok()) return answer.status();
  if (answer->first >= 200 && answer->first < 300) return std::move(answer->second);
  auto parsed = ParseAnswer(answer->first, answer->second, JoinUrl(options_.base_url, path), options_);
  if (!parsed.ok()) return parsed.status();
  return StatusFromResponse(*parsed);
}

Result<std::pair<long, std::string>> ApiClient::Exchange(std::string_view path,
                                                         const std::string* body) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Status::Internal("curl_easy_init failed");
  curl_easy_reset(curl);  // keeps the open connection
  Transfer transfer(JoinUrl(options_.base_url, path), MakeHeaders(options_, body != nullptr));
  Configure(curl, options_, transfer);
  if (body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) return TransportError(rc, transfer.error, options_);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return std::make_pair(status, std::move(transfer.received));
}

Status StatusFromResponse(const ApiResponse& response) {
  const Status::Code code = CodeForHttpStatus(response.status);
  if (code == Status::Code::kOk) return Status::Ok();
  std::string message = "HTTP " + std::to_string(response.status);
  const nlohmann::json* error = nullptr;
  if (response.body.is_object() && response.body.contains("error")) {
    error = &response.body["error"];
  }
  if (error != nullptr && error->is_object()) {
    const std::string text = StringOr(*error, "message", "");
    const std::string field = StringOr(*error, "field", "");
    if (!text.empty()) message = text;
    if (!field.empty()) message = field + ": " + message;
  }
  return MakeStatus(code, std::move(message));
}

Result<nlohmann::json> BodyOf(Result<ApiResponse> response) {
  if (!response.ok()) return response.status();
  Status status = StatusFromResponse(*response);
  if (!status.ok()) return status;
  return std::move(response->body);
}

std::string BuildQuery(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string query;
  for (const auto& [key, value] : params) {
    // Since curl 7.82 the handle argument of curl_easy_escape is unused.
    char* escaped = curl_easy_escape(nullptr, value.data(), static_cast<int>(value.size()));
    if (!query.empty()) query += '&';
    query += key + "=" + (escaped != nullptr ? escaped : "");
    curl_free(escaped);
  }
  return query;
}

}  // namespace linkwatch::cli
