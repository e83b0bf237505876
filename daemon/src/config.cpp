#include "linkwatch/daemon/config.h"
#include "linkwatch/daemon/scheduler.h"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <boost/asio/ip/address.hpp>
#include <toml++/toml.h>

#include "linkwatch/base/host_pattern.h"
#include "linkwatch/crawler/url.h"
#include "linkwatch/daemon/report_writer.h"
#include "report_render.h"

namespace linkwatch::daemon {
namespace {

// A setter reads one TOML value into the config; it returns an error text
// (without location) or an empty string.
using Setter = std::function<std::string(const toml::node&, Config&)>;
using Section = std::map<std::string, Setter, std::less<>>;

template <typename Get>
Setter StringKey(Get get) {
  return [get](const toml::node& n, Config& c) -> std::string {
    const auto* v = n.as_string();
    if (v == nullptr) return "must be a string";
    *get(c) = v->get();
    return {};
  };
}

template <typename Get>
Setter BoolKey(Get get) {
  return [get](const toml::node& n, Config& c) -> std::string {
    const auto* v = n.as_boolean();
    if (v == nullptr) return "must be true or false";
    *get(c) = v->get();
    return {};
  };
}

template <typename T, typename Get>
Setter IntKey(Get get, int64_t lo, int64_t hi) {
  return [get, lo, hi](const toml::node& n, Config& c) -> std::string {
    const auto* v = n.as_integer();
    if (v == nullptr) return "must be an integer";
    if (v->get() < lo || v->get() > hi) {
      return "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
    }
    *get(c) = static_cast<T>(v->get());
    return {};
  };
}

// The shortest text that reads back as `v`: 0.5, not 0.500000.
std::string ShortNumber(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

template <typename Get>
Setter DoubleKey(Get get, double lo, double hi) {
  return [get, lo, hi](const toml::node& n, Config& c) -> std::string {
    const auto v = n.value<double>();  // integers are accepted as numbers too
    if (!v || (!n.is_floating_point() && !n.is_integer())) return "must be a number";
    // Written so that NaN (which compares false with everything) is refused too.
    if (!(*v >= lo && *v <= hi)) return "must be between " + ShortNumber(lo) + " and " + ShortNumber(hi);
    *get(c) = *v;
    return {};
  };
}

template <typename Get>
Setter StringListKey(Get get) {
  return [get](const toml::node& n, Config& c) -> std::string {
    const auto* arr = n.as_array();
    if (arr == nullptr) return "must be an array of strings";
    std::vector<std::string> out;
    for (const auto& item : *arr) {
      const auto* s = item.as_string();
      if (s == nullptr) return "must be an array of strings";
      out.push_back(s->get());
    }
    *get(c) = std::move(out);
    return {};
  };
}

// A list of host patterns, each one able to match some host.
template <typename Get>
Setter HostPatternListKey(Get get, bool allow_empty) {
  return [get, allow_empty](const toml::node& n, Config& c) -> std::string {
    std::vector<std::string> patterns;
    if (auto err = StringListKey([&patterns](Config&) { return &patterns; })(n, c); !err.empty()) return err;
    if (patterns.empty() && !allow_empty) return "must name at least one host pattern (\"*\" for every host)";
    for (const auto& p : patterns) {
      if (auto err = HostPatternError(p); !err.empty()) return "has " + err;
    }
    *get(c) = std::move(patterns);
    return {};
  };
}

std::string CheckHostPattern(const std::string& pattern) {
  auto err = HostPatternError(pattern);
  return err.empty() ? err : "has " + err;
}

std::string CheckProxyUrl(const std::string& proxy) { return crawler::ProxyUrlError(proxy); }

// Text sent in a request header: a line break would start another header.
std::string CheckHeaderText(const std::string& text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      return "must not hold control characters (a line break would add a header to every request)";
    }
  }
  return {};
}

std::string CheckWebhookUrl(const std::string& url) {
  auto canon = crawler::Canonicalize(url);
  if (!canon.ok()) return "\"" + url + "\" is not a usable http(s) URL: " + canon.status().message();
  return {};
}

// Words searched in a page: blank ones would match nearly any HTML.
template <typename Get>
Setter MarkerListKey(Get get) {
  return [get](const toml::node& n, Config& c) -> std::string {
    std::vector<std::string> words;
    if (auto err = StringListKey([&words](Config&) { return &words; })(n, c); !err.empty()) return err;
    for (const auto& w : words) {
      if (w.find_first_not_of(" \t\r\n") == std::string::npos) {
        return "has a blank marker (\"" + w + "\"): a marker is text the page shows, such as \"Video unavailable\"";
      }
      // Line breaks and tabs are white space, which matches any run of it.
      const bool control = std::any_of(w.begin(), w.end(), [](unsigned char ch) {
        return (ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') || ch == 0x7f;
      });
      if (control) {
        return "has a marker with a control character: a marker is text the page shows, such as \"Video unavailable\"";
      }
    }
    get(c)->assign(words.begin(), words.end());
    return {};
  };
}

std::string CheckPlatformRules(const std::vector<std::string>& names) {
  const auto& known = crawler::KnownPlatformRules();
  for (const auto& n : names) {
    if (std::find(known.begin(), known.end(), n) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      return "unknown platform rule \"" + n + "\" (known: " + list + ")";
    }
  }
  return {};
}

Setter WebhookEventsKey() {
  return [](const toml::node& n, Config& c) -> std::string {
    static const char* kEvents[] = {"link.removed", "link.reappeared", "link.blocked", "link.flagged",
                                    "link.discovered"};
    std::vector<std::string> events;
    if (auto err = StringListKey([&events](Config&) { return &events; })(n, c); !err.empty()) return err;
    if (events.empty()) return "must name at least one event (leave the key out for every event)";
    for (const auto& e : events) {
      if (std::find(std::begin(kEvents), std::end(kEvents), e) == std::end(kEvents)) {
        return "has unknown event \"" + e + "\" (known: link.removed, link.reappeared, link.blocked, "
               "link.flagged, link.discovered)";
      }
    }
    c.notifications.webhooks.back().events = std::move(events);
    return {};
  };
}

std::string CheckLogLevel(const std::string& level) {
  const auto& levels = LogLevels();
  if (std::find(levels.begin(), levels.end(), level) != levels.end()) return {};
  std::string known;
  for (const std::string& l : levels) {
    if (!known.empty()) known += ", ";
    known += l;
  }
  return "must be one of " + known;
}

// A string key whose value `check` accepts (it returns an error text or "").
template <typename Get>
Setter CheckedStringKey(Get get, std::string (*check)(const std::string&)) {
  return [get, check](const toml::node& n, Config& c) -> std::string {
    const auto* v = n.as_string();
    if (v == nullptr) return "must be a string";
    if (auto err = check(v->get()); !err.empty()) return err;
    *get(c) = v->get();
    return {};
  };
}

std::string CheckWeekday(const std::string& day) {
  return ParseWeekday(day) ? "" : "must be one of monday, tuesday, ..., sunday";
}

std::string CheckTimeOfDay(const std::string& time) {
  return ParseTimeOfDay(time) ? "" : "must be a time HH:MM from 00:00 to 23:59 (UTC)";
}

std::string CheckNotEmpty(const std::string& text) { return text.empty() ? "must not be empty" : ""; }

Setter ReportFormatsKey() {
  return [](const toml::node& n, Config& c) -> std::string {
    std::vector<std::string> formats;
    if (auto err = StringListKey([&formats](Config&) { return &formats; })(n, c); !err.empty()) return err;
    if (formats.empty()) return "must name at least one format";
    for (const auto& f : formats) {
      if (!ParseReportFormat(f)) return "has \"" + f + "\", not one of md, csv, json, html";
    }
    c.report.formats = std::move(formats);
    return {};
  };
}

Section ReportSection() {
  return {
      {"enabled", BoolKey([](Config& c) { return &c.report.enabled; })},
      {"day", CheckedStringKey([](Config& c) { return &c.report.day; }, &CheckWeekday)},
      {"time", CheckedStringKey([](Config& c) { return &c.report.time; }, &CheckTimeOfDay)},
      {"formats", ReportFormatsKey()},
      {"dir", CheckedStringKey([](Config& c) { return &c.report.dir; }, &CheckNotEmpty)},
  };
}

constexpr int64_t kDay = 24 * 3600;
constexpr int64_t kHourMs = 3600 * 1000;

Section CrawlerSection() {
  return {
      {"max_in_flight", IntKey<int>([](Config& c) { return &c.crawler.max_in_flight; }, 1, 10000)},
      {"max_per_host", IntKey<int>([](Config& c) { return &c.crawler.max_per_host; }, 1, 1000)},
      {"per_host_delay_ms",
       IntKey<int64_t>([](Config& c) { return &c.crawler.per_host_delay_ms; }, 0, kHourMs)},
      {"connect_timeout_ms",
       IntKey<int64_t>([](Config& c) { return &c.crawler.connect_timeout_ms; }, 1, kHourMs)},
      {"first_byte_timeout_ms",
       IntKey<int64_t>([](Config& c) { return &c.crawler.first_byte_timeout_ms; }, 1, kHourMs)},
      {"total_timeout_ms",
       IntKey<int64_t>([](Config& c) { return &c.crawler.total_timeout_ms; }, 1, kHourMs)},
      {"low_speed_bytes",
       IntKey<int64_t>([](Config& c) { return &c.crawler.low_speed_bytes; }, 0, 1LL << 30)},
      {"low_speed_seconds",
       IntKey<int64_t>([](Config& c) { return &c.crawler.low_speed_seconds; }, 1, 3600)},
      {"max_redirects", IntKey<int>([](Config& c) { return &c.crawler.max_redirects; }, 0, 50)},
      {"max_body_bytes",
       IntKey<int64_t>([](Config& c) { return &c.crawler.max_body_bytes; }, 1024, 1LL << 30)},
      {"max_decode_ratio",
       IntKey<int64_t>([](Config& c) { return &c.crawler.max_decode_ratio; }, 2, 100000)},
      {"user_agent", CheckedStringKey([](Config& c) { return &c.crawler.user_agent; }, &CheckHeaderText)},
      {"verify_tls", BoolKey([](Config& c) { return &c.crawler.verify_tls; })},
      {"max_retries", IntKey<int>([](Config& c) { return &c.crawler.max_retries; }, 0, 10)},
      {"retry_base_delay_ms",
       IntKey<int64_t>([](Config& c) { return &c.crawler.retry_base_delay_ms; }, 0, kHourMs)},
      {"retry_max_delay_ms",
       IntKey<int64_t>([](Config& c) { return &c.crawler.retry_max_delay_ms; }, 0, kHourMs)},
  };
}

Section ScheduleSection() {
  auto seconds = [](int64_t StatusPolicy::*field) {
    return IntKey<int64_t>([field](Config& c) { return &(c.schedule.policy.*field); }, 1, 365 * kDay);
  };
  auto confirm = [](int StatusPolicy::*field) {
    return IntKey<int>([field](Config& c) { return &(c.schedule.policy.*field); }, 1, 100);
  };
  return {
      {"enabled", BoolKey([](Config& c) { return &c.schedule.enabled; })},
      {"lease_seconds", IntKey<int64_t>([](Config& c) { return &c.schedule.lease_seconds; }, 1, kDay)},
      {"poll_interval_ms",
       IntKey<int64_t>([](Config& c) { return &c.schedule.poll_interval_ms; }, 10, kHourMs)},
      {"alive_interval_s", seconds(&StatusPolicy::alive_interval_s)},
      {"blocked_interval_s", seconds(&StatusPolicy::blocked_interval_s)},
      {"removed_initial_s", seconds(&StatusPolicy::removed_initial_s)},
      {"removed_max_s", seconds(&StatusPolicy::removed_max_s)},
      {"unreachable_initial_s", seconds(&StatusPolicy::unreachable_initial_s)},
      {"unreachable_max_s", seconds(&StatusPolicy::unreachable_max_s)},
      {"confirm_interval_s", seconds(&StatusPolicy::confirm_interval_s)},
      {"jitter", DoubleKey([](Config& c) { return &c.schedule.policy.jitter; }, 0.0, 0.5)},
      {"confirm_removed", confirm(&StatusPolicy::confirm_removed)},
      {"confirm_unreachable", confirm(&StatusPolicy::confirm_unreachable)},
      {"confirm_blocked", confirm(&StatusPolicy::confirm_blocked)},
      {"confirm_alive", confirm(&StatusPolicy::confirm_alive)},
  };
}

// Arrays of tables: [[markers]] and [[proxy]]. Each entry starts empty and is
// filled by the entry schema's setters through a scratch Config.
struct ListSection {
  Section keys;
  std::function<void(Config& scratch, Config& into)> append;
  std::function<void(Config& scratch)> reset;
  // What one whole entry must hold (an error text or ""), checked once its keys are read.
  std::function<std::string(const Config& scratch)> check;
};

const std::map<std::string, ListSection, std::less<>>& ListSchema() {
  static const std::map<std::string, ListSection, std::less<>> kLists = {
      {"markers",
       {{{"hosts", HostPatternListKey([](Config& c) { return &c.schedule.policy.markers.back().hosts; }, false)},
         {"removed", MarkerListKey([](Config& c) { return &c.schedule.policy.markers.back().removed; })},
         {"blocked", MarkerListKey([](Config& c) { return &c.schedule.policy.markers.back().blocked; })}},
        [](Config& scratch, Config& into) { into.schedule.policy.markers.push_back(scratch.schedule.policy.markers.back()); },
        [](Config& scratch) { scratch.schedule.policy.markers.assign(1, MarkerRule{{"*"}, {}, {}}); },
        [](const Config& scratch) -> std::string {
          const MarkerRule& m = scratch.schedule.policy.markers.back();
          return m.removed.empty() && m.blocked.empty() ? "a [[markers]] entry needs removed or blocked markers" : "";
        }}},
      {"webhook",
       {{{"url", CheckedStringKey([](Config& c) { return &c.notifications.webhooks.back().url; }, &CheckWebhookUrl)},
         {"events", WebhookEventsKey()}},
        [](Config& scratch, Config& into) { into.notifications.webhooks.push_back(scratch.notifications.webhooks.back()); },
        [](Config& scratch) { scratch.notifications.webhooks.assign(1, WebhookConfig{}); },
        [](const Config& scratch) -> std::string {
          return scratch.notifications.webhooks.back().url.empty() ? "a [[webhook]] entry needs a url" : "";
        }}},
      {"proxy",
       {{{"hosts", CheckedStringKey([](Config& c) { return &c.crawler.proxies.back().host_pattern; }, &CheckHostPattern)},
         {"url", CheckedStringKey([](Config& c) { return &c.crawler.proxies.back().proxy; }, &CheckProxyUrl)}},
        [](Config& scratch, Config& into) { into.crawler.proxies.push_back(scratch.crawler.proxies.back()); },
        [](Config& scratch) { scratch.crawler.proxies.assign(1, crawler::ProxyRule{"*", ""}); },
        [](const Config&) { return std::string(); }}},
  };
  return kLists;
}

const std::map<std::string, Section, std::less<>>& Schema() {
  static const std::map<std::string, Section, std::less<>> kSchema = {
      {"server",
       {{"listen", StringKey([](Config& c) { return &c.server.listen; })},
        {"max_body_bytes",
         IntKey<uint64_t>([](Config& c) { return &c.server.max_body_bytes; }, 1024, 1LL << 30)},
        {"max_batch_items",
         IntKey<int>([](Config& c) { return &c.server.max_batch_items; }, 1, 1000000)},
        {"request_timeout_seconds",
         IntKey<int>([](Config& c) { return &c.server.request_timeout_seconds; }, 1, 3600)},
        {"max_connections",
         IntKey<int>([](Config& c) { return &c.server.max_connections; }, 1, 100000)},
        {"worker_threads",
         IntKey<int>([](Config& c) { return &c.server.worker_threads; }, 1, 64)}}},
      {"storage",
       {{"data_dir", CheckedStringKey([](Config& c) { return &c.storage.data_dir; }, &CheckNotEmpty)},
        {"durable", BoolKey([](Config& c) { return &c.storage.durable; })}}},
      {"registry",
       {{"categories", StringListKey([](Config& c) { return &c.registry.categories; })},
        {"bootstrap_agency",
         CheckedStringKey([](Config& c) { return &c.registry.bootstrap_agency; }, &CheckNotEmpty)}}},
      {"canon",
       {{"strip_params", StringListKey([](Config& c) { return &c.canon.strip_params; })},
        {"platform_rules", StringListKey([](Config& c) { return &c.canon.platform_rules; })},
        {"scheme_insensitive",
         BoolKey([](Config& c) { return &c.canon.scheme_insensitive_key; })}}},
      {"log", {{"level", StringKey([](Config& c) { return &c.log.level; })}}},
      {"rules",
       {{"paths", StringListKey([](Config& c) { return &c.rules.paths; })},
        {"hash_lists", StringListKey([](Config& c) { return &c.rules.hash_lists; })},
        {"map_confusables", BoolKey([](Config& c) { return &c.rules.map_confusables; })},
        {"excerpt_chars",
         IntKey<int>([](Config& c) { return &c.rules.excerpt_chars; }, 0, 1000)}}},
      {"crawler", CrawlerSection()},
      {"discovery",
       {{"enabled", BoolKey([](Config& c) { return &c.discovery.enabled; })},
        {"max_depth", IntKey<int>([](Config& c) { return &c.discovery.max_depth; }, 0, 10)},
        {"max_per_page", IntKey<int>([](Config& c) { return &c.discovery.max_per_page; }, 0, 10000)},
        {"max_per_day", IntKey<int>([](Config& c) { return &c.discovery.max_per_day; }, 0, 10000000)},
        {"allow_hosts", HostPatternListKey([](Config& c) { return &c.discovery.allow_hosts; }, true)},
        {"remember_s", IntKey<int64_t>([](Config& c) { return &c.discovery.remember_s; }, 1, 365 * kDay)},
        {"max_in_flight", IntKey<int>([](Config& c) { return &c.discovery.max_in_flight; }, 1, 1000)},
        {"poll_interval_ms",
         IntKey<int64_t>([](Config& c) { return &c.discovery.poll_interval_ms; }, 10, kHourMs)}}},
      {"clusters",
       {{"max_distance", IntKey<int>([](Config& c) { return &c.clusters.max_distance; }, 0, 15)}}},
      {"counters", {{"paths", StringListKey([](Config& c) { return &c.counters.paths; })}}},
      {"notifications",
       {{"max_attempts", IntKey<int>([](Config& c) { return &c.notifications.max_attempts; }, 1, 100)},
        {"retry_base_ms",
         IntKey<int64_t>([](Config& c) { return &c.notifications.retry_base_ms; }, 1, kHourMs)},
        {"retry_max_ms",
         IntKey<int64_t>([](Config& c) { return &c.notifications.retry_max_ms; }, 1, 24 * kHourMs)},
        {"timeout_ms", IntKey<int64_t>([](Config& c) { return &c.notifications.timeout_ms; }, 1, kHourMs)},
        {"max_in_flight", IntKey<int>([](Config& c) { return &c.notifications.max_in_flight; }, 1, 1000)},
        {"poll_interval_ms",
         IntKey<int64_t>([](Config& c) { return &c.notifications.poll_interval_ms; }, 10, kHourMs)}}},
      {"schedule", ScheduleSection()},
      {"report", ReportSection()},
  };
  return kSchema;
}

std::string Where(const std::string& path, const toml::node& n) {
  return path + ":" + std::to_string(n.source().begin.line) + ": ";
}

// Checks what single keys cannot: values that depend on each other.
Status Validate(const std::string& path, const toml::table& root, const Config& c) {
  auto at = [&](std::string_view section, std::string_view key) {
    const auto* n = root.at_path(std::string(section) + "." + std::string(key)).node();
    return n ? Where(path, *n) : path + ": ";
  };
  if (auto e = CheckPlatformRules(c.canon.platform_rules); !e.empty()) {
    return Status::InvalidArgument(at("canon", "platform_rules") + "canon.platform_rules: " + e);
  }
  // A blank key strips nothing and hides a typo.
  for (const auto& key : c.canon.strip_params) {
    if (key.find_first_not_of(" \t") == std::string::npos) {
      return Status::InvalidArgument(at("canon", "strip_params") + "canon.strip_params has an empty key");
    }
  }
  if (auto e = CheckLogLevel(c.log.level); !e.empty()) {
    return Status::InvalidArgument(at("log", "level") + "log.level " + e);
  }
  if (c.registry.categories.empty()) {
    return Status::InvalidArgument(at("registry", "categories") +
                                   "registry.categories must name at least one category");
  }
  for (const auto& category : c.registry.categories) {
    if (category.empty()) return Status::InvalidArgument(at("registry", "categories") + "registry.categories has an empty name");
    if (std::count(c.registry.categories.begin(), c.registry.categories.end(), category) > 1) {
      return Status::InvalidArgument(at("registry", "categories") + "registry.categories names \"" + category + "\" twice");
    }
  }
  // Settings that bound each other: a lower bound above its upper one would be clamped silently.
  // (The connect and first-byte timeouts may exceed the total one: whichever ends first counts.)
  struct Pair {
    const char* section;
    const char* low_key;
    int64_t low;
    const char* high_key;
    int64_t high;
  };
  const StatusPolicy& p = c.schedule.policy;
  const crawler::FetchOptions& f = c.crawler;
  const Pair pairs[] = {
      {"schedule", "removed_initial_s", p.removed_initial_s, "removed_max_s", p.removed_max_s},
      {"schedule", "unreachable_initial_s", p.unreachable_initial_s, "unreachable_max_s", p.unreachable_max_s},
      {"crawler", "retry_base_delay_ms", f.retry_base_delay_ms, "retry_max_delay_ms", f.retry_max_delay_ms},
      {"notifications", "retry_base_ms", c.notifications.retry_base_ms, "retry_max_ms", c.notifications.retry_max_ms},
  };
  for (const Pair& pair : pairs) {
    if (pair.low > pair.high) {
      return Status::InvalidArgument(at(pair.section, pair.low_key) + pair.section + "." + pair.low_key + " (" +
                                     std::to_string(pair.low) + ") is above " + pair.section + "." +
                                     pair.high_key + " (" + std::to_string(pair.high) + ")");
    }
  }
  // A lease must outlive one fetch, or every slow fetch would be checked twice.
  if (FetchDeadlineMs(c.schedule.lease_seconds * 1000) <= f.total_timeout_ms) {
    return Status::InvalidArgument(at("schedule", "lease_seconds") + "schedule.lease_seconds (" +
                                   std::to_string(c.schedule.lease_seconds) +
                                   " s) must be longer than crawler.total_timeout_ms (" +
                                   std::to_string(f.total_timeout_ms) +
                                   " ms) and a tenth more, to judge and record the check: a check "
                                   "still running when its lease ends would be redone");
  }
  if (auto ep = ParseEndpoint(c.server.listen); !ep.ok()) {
    return Status::InvalidArgument(at("server", "listen") + "server.listen: " +
                                   ep.status().message());
  }
  return Status::Ok();
}

Status ApplySection(const std::string& path, const std::string& name, const toml::table& table,
                    const Section& keys, Config& config);

Status ApplyList(const std::string& path, const std::string& name, const toml::node& node,
                 const ListSection& list, Config& config) {
  const auto* arr = node.as_array();
  if (arr == nullptr || !arr->is_array_of_tables()) {
    return Status::InvalidArgument(Where(path, node) + "\"" + name + "\" must be a list of [[" +
                                   name + "]] tables");
  }
  for (const auto& item : *arr) {
    Config scratch;
    list.reset(scratch);
    if (auto st = ApplySection(path, name, *item.as_table(), list.keys, scratch); !st.ok()) return st;
    if (auto err = list.check(scratch); !err.empty()) return Status::InvalidArgument(Where(path, item) + err);
    list.append(scratch, config);
  }
  return Status::Ok();
}

Status ApplySection(const std::string& path, const std::string& name, const toml::table& table,
                    const Section& keys, Config& config) {
  for (const auto& [key, node] : table) {
    const auto it = keys.find(key.str());
    if (it == keys.end()) {
      return Status::InvalidArgument(Where(path, node) + "unknown key \"" + std::string(key.str()) +
                                     "\" in [" + name + "]");
    }
    if (auto err = it->second(node, config); !err.empty()) {
      return Status::InvalidArgument(Where(path, node) + name + "." + std::string(key.str()) +
                                     " " + err);
    }
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& LogLevels() {
  static const std::vector<std::string> levels = {"trace", "debug", "info", "warn", "error"};
  return levels;
}

Result<Config> LoadConfig(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("config file " + path + " does not exist or is not a file");
  }
  if (std::ifstream probe(path); !probe) {
    return Status::InvalidArgument("config file " + path + " cannot be read: " + std::strerror(errno));
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  Config config;
  for (const auto& [name, node] : root) {
    if (const auto list = ListSchema().find(name.str()); list != ListSchema().end()) {
      if (auto st = ApplyList(path, list->first, node, list->second, config); !st.ok()) return st;
      continue;
    }
    const auto it = Schema().find(name.str());
    if (it == Schema().end()) {
      if (!node.is_table()) {
        // A key above every section: say which sections have it.
        std::string owners;
        for (const auto& [section, keys] : Schema()) {
          if (keys.count(name.str()) > 0) owners += (owners.empty() ? "[" : ", [") + section + "]";
        }
        return Status::InvalidArgument(Where(path, node) + "\"" + std::string(name.str()) +
                                       "\" is outside any section" +
                                       (owners.empty() ? std::string(" and is no key of linkwatchd")
                                                       : "; it belongs under " + owners));
      }
      return Status::InvalidArgument(Where(path, node) + "unknown section [" +
                                     std::string(name.str()) + "]");
    }
    const auto* table = node.as_table();
    if (table == nullptr) {
      return Status::InvalidArgument(Where(path, node) + "\"" + std::string(name.str()) +
                                     "\" must be a section ([" + std::string(name.str()) + "])");
    }
    if (auto st = ApplySection(path, it->first, *table, it->second, config); !st.ok()) return st;
  }
  if (auto st = Validate(path, root, config); !st.ok()) return st;
  return config;
}

Result<Endpoint> ParseEndpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("\"" + text + "\" is not HOST:PORT");
  }
  Endpoint ep;
  ep.host = text.substr(0, colon);
  if (ep.host.size() > 2 && ep.host.front() == '[' && ep.host.back() == ']') {
    ep.host = ep.host.substr(1, ep.host.size() - 2);
  }
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [ptr, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || err != std::errc() || ptr != port.data() + port.size() || value > 65535) {
    return Status::InvalidArgument("port \"" + port + "\" in \"" + text +
                                   "\" is not a number from 0 to 65535");
  }
  ep.port = static_cast<uint16_t>(value);
  boost::system::error_code ec;
  boost::asio::ip::make_address(ep.host, ec);
  if (ec) {
    return Status::InvalidArgument("\"" + ep.host + "\" in \"" + text +
                                   "\" is not an IP address: the API listens on one, such as 127.0.0.1 or [::1]");
  }
  return ep;
}

}  // namespace linkwatch::daemon
