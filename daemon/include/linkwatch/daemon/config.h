// linkwatchd's configuration: defaults, the TOML loader, and command-line overrides.
//
// Only this file's loader knows TOML; every library takes its own options
// struct, filled from here. A Config is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "linkwatch/base/status.h"
#include "linkwatch/crawler/fetcher.h"
#include "linkwatch/crawler/url.h"
#include "linkwatch/daemon/status_policy.h"

namespace linkwatch::daemon {

struct ServerConfig {
  std::string listen = "127.0.0.1:8470";  // HOST:PORT; port 0 picks a free port
  uint64_t max_body_bytes = 8u << 20;     // larger request bodies get 413
  int max_batch_items = 10000;            // items in one POST /v1/links/batch
  int request_timeout_seconds = 30;       // reading one request, writing one answer
  int worker_threads = 2;                 // parsing, validation, reads
};

struct StorageConfig {
  std::string data_dir = "data";  // relative to the working directory
  bool durable = true;            // fsync every commit (see storage::Options::durable)
};

struct RegistryConfig {
  std::vector<std::string> categories = {"extremist", "terrorist"};
  std::string bootstrap_agency = "admin";  // agency of the first admin token
};

struct ScheduleConfig {
  bool enabled = true;                  // false: serve the API only, check nothing
  int64_t lease_seconds = 900;          // a check not recorded by then is redone
  int64_t poll_interval_ms = 1000;      // look for due links this often when idle
  StatusPolicy policy;                  // intervals, confirmations, markers ([[markers]])
};

struct RulesConfig {
  // Rule files, or directories whose *.toml files are rule files; relative to
  // the working directory. Empty: no rules, so no page is flagged.
  std::vector<std::string> paths;
  // Known-content hash lists (files, or directories of *.txt files).
  std::vector<std::string> hash_lists;
  bool map_confusables = true;  // Latin/Cyrillic look-alikes read as one letter
  int excerpt_chars = 80;       // evidence context on each side of a match
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error
};

struct Config {
  ServerConfig server;
  StorageConfig storage;
  RegistryConfig registry;
  crawler::CanonOptions canon;
  crawler::FetchOptions crawler;        // [crawler] and [[proxy]]
  ScheduleConfig schedule;              // [schedule] and [[markers]]
  RulesConfig rules;                    // [rules]
  LogConfig log;
};

// Reads a TOML config file over the defaults. Unknown sections or keys, wrong
// types and out-of-range values fail with kInvalidArgument and a message
// "FILE:LINE: ..." naming the key; a missing file fails with kNotFound.
Result<Config> LoadConfig(const std::string& path);

// Parses "HOST:PORT" ("[::1]:80" for IPv6). kInvalidArgument when malformed.
struct Endpoint {
  std::string host;
  uint16_t port = 0;
};
Result<Endpoint> ParseEndpoint(const std::string& text);

}  // namespace linkwatch::daemon
