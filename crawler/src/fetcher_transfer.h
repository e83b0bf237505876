// One HTTP request on one curl easy handle: the options go in, an Outcome
// comes out. Redirects, retries and politeness are the caller's (FetchJob).
//
// Internal to the fetcher. Not thread-safe; lives on the io_context thread.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "linkwatch/crawler/fetcher.h"

namespace linkwatch::crawler {

// What one request produced.
struct Outcome {
  FetchError error = FetchError::kNone;
  std::string error_text;
  int http_status = 0;
  std::string url;           // as requested
  std::string redirect_url;  // absolute Location of a 3xx, else ""
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool truncated = false;
  int64_t wire_bytes = 0;  // headers and body as received, before decoding
  int64_t elapsed_ms = 0;
  std::optional<int64_t> retry_after_ms;  // of a 429/503, capped
  std::optional<int64_t> retry_after_asked_ms;  // as the server said it, when over the cap
};

// Idle curl easy handles for the next transfer. curl_easy_reset() clears
// every option and all per-request state (headers sent, proxy, error buffer,
// progress and info counters) but keeps the handle's allocations, so a
// request costs no curl_easy_init/cleanup and no new receive buffer.
// Connections belong to the multi, not to a handle.
//
// Not thread-safe: io_context thread only.
class EasyPool {
 public:
  explicit EasyPool(size_t max_idle) : max_idle_(max_idle) {}
  ~EasyPool();
  EasyPool(const EasyPool&) = delete;
  EasyPool& operator=(const EasyPool&) = delete;

  // A handle with curl's default options; nullptr when curl cannot make one.
  CURL* Take();
  // Resets `easy` for the next Take(), or cleans it up past max_idle.
  // REQUIRES: `easy` is in no multi.
  void Give(CURL* easy);
  size_t idle() const { return idle_.size(); }

 private:
  const size_t max_idle_;
  std::vector<CURL*> idle_;
};

struct TransferSetup {
  std::string url;
  std::string proxy;       // "" = direct
  int64_t timeout_ms = 0;  // what is left of the total time limit
  std::string etag;
  std::string last_modified;
  const std::optional<std::string>* post_body = nullptr;  // the request's, when a POST
  std::string post_content_type;
};

class Transfer {
 public:
  struct Hooks {
    std::function<void()> on_request_sent;  // connection ready, request about to leave
    std::function<void()> on_first_byte;    // first response header line arrived
  };

  // Takes its handle from `pool` and gives it back when destroyed.
  // REQUIRES: `options` and `pool` outlive the transfer.
  Transfer(const FetchOptions& options, EasyPool& pool, TransferSetup setup, Hooks hooks);
  ~Transfer();  // REQUIRES: the handle is not in a multi
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // nullptr when curl could not make a handle.
  CURL* easy() const { return easy_; }
  bool saw_first_byte() const { return first_byte_; }

  // The result once the handle has left the multi.
  Outcome Finish(CURLcode code);
  // The result when the first-byte timer fired (handle already removed).
  Outcome FinishWithoutFirstByte();

 private:
  static size_t OnWrite(char* data, size_t size, size_t count, void* self);
  static size_t OnHeader(char* data, size_t size, size_t count, void* self);
  static int OnPrereq(void* self, char* remote_ip, char* local_ip, int remote_port, int local_port);

  void configure();
  void configure_limits();
  void configure_request_headers();
  bool keep_body(std::string_view chunk);
  void reserve_body(size_t cap);
  bool looks_like_bomb() const;
  void keep_header(std::string_view line);
  void collect_info(Outcome& out);
  std::string peer() const;
  int64_t elapsed_ms() const;

  const FetchOptions& options_;
  EasyPool& pool_;
  TransferSetup setup_;
  Hooks hooks_;
  CURL* easy_ = nullptr;
  curl_slist* request_headers_ = nullptr;
  char curl_error_[CURL_ERROR_SIZE] = {};
  std::chrono::steady_clock::time_point started_;
  Outcome out_;
  int64_t decoded_bytes_ = 0;
  bool first_byte_ = false;
  bool bomb_ = false;
};

}  // namespace linkwatch::crawler
