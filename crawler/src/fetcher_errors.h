// CURLcode -> FetchError, with a message a person can act on.
//
// Internal to the fetcher. Pure functions; thread-safe.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <string>

#include "linkwatch/crawler/fetcher.h"

namespace linkwatch::crawler {

// What curl knew about the transfer when it failed.
struct CurlFailure {
  CURLcode code = CURLE_OK;
  std::string peer;        // "127.0.0.1:8080": the address tried, else the URL's host:port
  long os_errno = 0;       // CURLINFO_OS_ERRNO
  bool connected = false;  // a connection was established before the failure
  int64_t elapsed_ms = 0;
  std::string curl_text;  // CURLOPT_ERRORBUFFER, may be empty
  int64_t low_speed_bytes = 0;
  int64_t low_speed_seconds = 0;
  bool answered = false;  // the response's status line had arrived
};

struct FetchFailure {
  FetchError error = FetchError::kNone;
  std::string text;
};

// REQUIRES: failure.code != CURLE_OK.
FetchFailure DescribeCurlFailure(const CurlFailure& failure);

// Transient failures are worth another attempt: the same request may succeed
// later. DNS, TLS, 4xx, redirect and decoding failures will not.
bool IsTransient(FetchError error);
bool IsTransientStatus(int http_status);

}  // namespace linkwatch::crawler
