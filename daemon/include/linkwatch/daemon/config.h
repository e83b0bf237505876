// linkwatchd's configuration: defaults, the TOML loader, and command-line overrides.
//
// Only this file's loader knows TOML; every library takes its own options
// struct, filled from here. A Config is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "linkwatch/base/status.h"
#include "linkwatch/crawler/counters.h"
#include "linkwatch/crawler/fetcher.h"
#include "linkwatch/crawler/url.h"
#include "linkwatch/daemon/status_policy.h"

namespace linkwatch::daemon {

struct ServerConfig {
  std::string listen = "127.0.0.1:8470";  // HOST:PORT; port 0 picks a free port
  uint64_t max_body_bytes = 8u << 20;     // larger request bodies get 413
  int max_batch_items = 10000;            // items in one POST /v1/links/batch
  int request_timeout_seconds = 30;       // reading one request, writing one answer
  int max_connections = 1024;             // open at once; more wait in the kernel's queue
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

struct DiscoveryConfig {
  bool enabled = true;                // follow outlinks of flagged pages
  int max_depth = 2;                  // links followed at most this many steps from a registered one
  int max_per_page = 20;              // in-scope outlinks of one page offered at most
  int max_per_day = 1000;             // candidates queued in 24 h, all pages
  std::vector<std::string> allow_hosts;  // also in scope besides the hosts of monitored links
  int64_t remember_s = 7 * 24 * 3600; // a candidate that matched nothing is not fetched again before
  int max_in_flight = 8;              // candidate fetches at once (registered checks come first)
  int64_t poll_interval_ms = 1000;
};

struct ClusterConfig {
  int max_distance = 3;  // SimHash Hamming distance of near-duplicates (0..15)
};

struct CountersConfig {
  // Per-site counter extractor files ([[counter]] tables), or directories of *.toml.
  std::vector<std::string> paths;
};

// The weekly report written on a schedule (linkwatch/daemon/report_writer.h).
struct ReportConfig {
  bool enabled = false;                              // write reports without anyone asking
  std::string day = "monday";                        // monday .. sunday
  std::string time = "06:00";                        // HH:MM, UTC
  std::vector<std::string> formats = {"md", "html"};  // of md, csv, json, html; at least one
  std::string dir = "reports";                       // relative to the working directory
};

struct WebhookConfig {
  std::string url;
  // link.removed, link.reappeared, link.blocked, link.flagged, link.discovered
  std::vector<std::string> events = {"link.removed", "link.reappeared", "link.blocked",
                                     "link.flagged", "link.discovered"};
};

struct NotificationsConfig {
  std::vector<WebhookConfig> webhooks;  // [[webhook]]
  int max_attempts = 20;                // a delivery failing this often is kept as failed (about
                                        // 9 h of retries with the defaults below)
  int64_t retry_base_ms = 2000;         // doubled per attempt ...
  int64_t retry_max_ms = 3600 * 1000;   // ... up to this
  int64_t timeout_ms = 5000;            // one POST, connect included
  int max_in_flight = 8;                // POSTs at once (their own connections: checks never wait)
  int64_t poll_interval_ms = 500;
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
  DiscoveryConfig discovery;            // [discovery]
  ClusterConfig clusters;               // [clusters]
  CountersConfig counters;              // [counters]
  NotificationsConfig notifications;    // [notifications] and [[webhook]]
  ReportConfig report;                  // [report]
  LogConfig log;
};

// Reads a TOML config file over the defaults. Unknown sections or keys, wrong
// types and out-of-range values fail with kInvalidArgument and a message
// "FILE:LINE: ..." naming the key; a missing file fails with kNotFound.
Result<Config> LoadConfig(const std::string& path);

// The names log.level and --log-level accept, quietest last.
const std::vector<std::string>& LogLevels();

// Parses "HOST:PORT" ("[::1]:80" for IPv6). kInvalidArgument when malformed.
struct Endpoint {
  std::string host;
  uint16_t port = 0;
};
Result<Endpoint> ParseEndpoint(const std::string& text);

// Reads per-site counter extractors from TOML files (or directories of *.toml,
// in name order):
//   [[counter]]
//   name = "video-views"; hosts = ["*.video.example"]; counter = "views"
//   element = "span"; attribute = "class"; value = "view-count"; read = ""
// Unknown keys, wrong types and unknown counters fail with "FILE:LINE: ...".
Result<std::vector<crawler::SiteCounterRule>> LoadCounterRules(const std::vector<std::string>& paths);

}  // namespace linkwatch::daemon
