#include "linkwatch/daemon/daemon.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "linkwatch/crawler/fetcher.h"
#include "linkwatch/daemon/clusters.h"
#include "linkwatch/daemon/config.h"
#include "linkwatch/daemon/discovery.h"
#include "linkwatch/daemon/http_server.h"
#include "linkwatch/daemon/metrics.h"
#include "linkwatch/daemon/notifier.h"
#include "linkwatch/daemon/report_writer.h"
#include "linkwatch/daemon/scheduler.h"
#include "linkwatch/storage/bootstrap.h"
#include "linkwatch/storage/paths.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::daemon {
namespace {

namespace asio = boost::asio;

constexpr char kDefaultConfig[] = "conf/linkwatch.toml";

struct Flags {
  std::string config;
  std::string data_dir;
  std::string listen;
  std::string log_level;
  std::vector<std::string> rules;
  bool no_checks = false;
};

// The config file named by --config, else conf/linkwatch.toml when present, else defaults.
Result<Config> ResolveConfig(const Flags& flags) {
  Config config;
  if (!flags.config.empty()) {
    auto loaded = LoadConfig(flags.config);
    if (!loaded.ok()) return loaded.status();
    config = std::move(*loaded);
  } else if (std::filesystem::exists(kDefaultConfig)) {
    auto loaded = LoadConfig(kDefaultConfig);
    if (!loaded.ok()) return loaded.status();
    config = std::move(*loaded);
  }
  if (!flags.data_dir.empty()) config.storage.data_dir = flags.data_dir;
  if (!flags.listen.empty()) {
    if (auto ep = ParseEndpoint(flags.listen); !ep.ok()) return Status::InvalidArgument("--listen: " + ep.status().message());
    config.server.listen = flags.listen;
  }
  if (!flags.log_level.empty()) config.log.level = flags.log_level;
  if (!flags.rules.empty()) config.rules.paths = flags.rules;
  if (flags.no_checks) config.schedule.enabled = false;
  return config;
}

Result<std::unique_ptr<storage::Store>> OpenStore(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.storage.data_dir, ec);
  if (ec) {
    return Status::IOError("cannot create data directory " + config.storage.data_dir + ": " +
                           ec.message());
  }
  storage::Options options;
  options.durable = config.storage.durable;
  return storage::Store::Open(storage::DatabasePath(config.storage.data_dir), options);
}

// Shown once, on the first start of an empty database.
void AnnounceFirstToken(const std::string& agency, const std::string& secret) {
  std::printf(
      "\nFirst start: created agency \"%s\" and its admin token (shown only this once):\n\n"
      "  %s\n\n"
      "Keep it safe, then:  export LINKWATCH_TOKEN=%s\n\n",
      agency.c_str(), secret.c_str(), secret.c_str());
  std::fflush(stdout);
}

SchedulerOptions SchedulerOptionsFrom(const Config& config) {
  SchedulerOptions o;
  o.max_in_flight = config.crawler.max_in_flight;
  o.lease_ms = config.schedule.lease_seconds * 1000;
  o.poll_interval_ms = config.schedule.poll_interval_ms;
  o.max_per_host = config.crawler.max_per_host;
  o.per_host_delay_ms = config.crawler.per_host_delay_ms;
  o.policy = config.schedule.policy;
  o.canon = config.canon;
  return o;
}

// Loads the rules anew, logging the outcome; false when the set is refused.
bool LoadRules(RuleSource& rules, std::string_view cause) {
  std::vector<matcher::LoadError> errors;
  const auto running = rules.Current();
  auto loaded = rules.Reload(&errors);
  LogReload(cause, loaded, errors, *running);
  return loaded.ok();
}

// At start there is no running set to compare with: the stored judgements
// stand in. A set with no rules while links stand flagged by rules (or no
// hash entries while links stand flagged by hashes) would unflag them all,
// and their links would turn removed: most likely files are missing.
bool CheckStartRules(storage::Store& store, const RuleSource& rules) {
  const auto set = rules.Current();
  if (!set->rules().empty() && !set->hash_entries().empty()) return true;
  int64_t by_rule = 0, by_hash = 0;
  storage::LinkFilter filter;
  filter.flagged = true;
  filter.limit = kMaxListLimit;
  for (;;) {
    auto page = store.ListLinks(filter);
    if (!page.ok()) {
      spdlog::error("reading the flagged links: {}", page.status().ToString());
      return false;
    }
    for (const auto& link : page->links) {
      const auto matches = nlohmann::json::parse(link.matches, nullptr, false);
      if (!matches.is_array()) continue;
      bool rule = false, hash = false;
      for (const auto& m : matches) {
        rule = rule || m.value("kind", "") == "rule";
        hash = hash || m.value("kind", "") == "hash";
      }
      by_rule += rule;
      by_hash += hash;
    }
    if (page->next_after_id == 0) break;
    filter.after_id = page->next_after_id;
  }
  std::string where;
  for (const auto& p : rules.paths()) where += (where.empty() ? "" : ", ") + p;
  if (set->rules().empty() && by_rule > 0) {
    spdlog::error("no rules were loaded from {}, but {} links stand flagged by rules: checked without them, "
                  "they would all turn removed. Restore the rule files (rules.paths, --rules) and start again",
                  where.empty() ? "(no rules.paths)" : where, by_rule);
    return false;
  }
  if (set->hash_entries().empty() && by_hash > 0) {
    spdlog::error("no hash entries were loaded, but {} links stand flagged by hash lists: checked without them, "
                  "they would all turn removed. Restore the hash lists (rules.hash_lists) and start again",
                  by_hash);
    return false;
  }
  return true;
}

// The near-duplicate index of the pages stored in clusters.
bool LoadClusters(storage::Store& store, ClusterIndex& clusters) {
  auto entries = store.ListClusterEntries();
  if (!entries.ok()) {
    spdlog::error("reading content clusters: {}", entries.status().ToString());
    return false;
  }
  clusters.Load(*entries);
  if (!entries->empty()) spdlog::info("clusters: {} pages indexed", clusters.size());
  return true;
}

// What a scrape of GET /metrics reads: the fetcher, the queue and the rule set, now.
MetricsSample SampleMetrics(const crawler::Fetcher& fetcher, storage::Store& store, const RuleSource& rules) {
  MetricsSample s;
  s.fetches_in_flight = fetcher.InFlight();
  s.fetches_queued = fetcher.Queued();
  auto queue = store.Queue(SystemClock::Instance().Now());
  if (queue.ok()) {
    s.queue = std::move(*queue);
  } else {
    spdlog::warn("metrics: reading the queue: {}", queue.status().ToString());
  }
  const auto set = rules.Current();
  s.rules = MetricsSample::Rules{set->version(), rules.loaded_at(), static_cast<int64_t>(set->rules().size())};
  return s;
}

// SIGHUP: load the rules again; a broken set is refused and the running one
// stays. Audited like a reload through the API, by the daemon itself.
void WatchHangup(asio::signal_set& hup, RuleSource& rules, storage::Store& store,
                 asio::thread_pool& workers) {
  hup.async_wait([&hup, &rules, &store, &workers](const boost::system::error_code& ec, int) {
    if (ec) return;
    asio::post(workers, [&rules, &store] {
      storage::Actor daemon;
      daemon.token_id = 0;
      daemon.agency = "linkwatchd";
      const ReloadOutcome r = ReloadAndAudit(rules, store, daemon, "on SIGHUP");
      if (!r.audited.ok()) spdlog::error("recording the SIGHUP reload in the audit log: {}", r.audited.ToString());
    });
    WatchHangup(hup, rules, store, workers);
  });
}

int Serve(const Config& config, storage::Store& store) {
  auto endpoint = ParseEndpoint(config.server.listen);
  if (!endpoint.ok()) {
    spdlog::error("{}", endpoint.status().message());
    return 1;
  }
  asio::io_context io(1);
  asio::thread_pool workers(static_cast<size_t>(config.server.worker_threads));
  auto run_on_workers = [&workers](std::function<void()> fn) { asio::post(workers, std::move(fn)); };
  RuleSource rules(config.rules.paths, LoadOptionsFrom(config));
  if (!LoadRules(rules, "at start") || !CheckStartRules(store, rules)) return 1;
  auto counter_rules = LoadCounterRules(config.counters.paths);
  if (!counter_rules.ok()) {
    spdlog::error("counter extractors refused: {}", counter_rules.status().message());
    return 1;
  }
  ClusterIndex clusters(config.clusters.max_distance);
  if (!LoadClusters(store, clusters)) return 2;
  crawler::ExtractOptions extract;
  extract.site_counters = std::move(*counter_rules);
  const PageJudge judge(rules, &clusters, extract);
  crawler::CurlFetcher fetcher(io, config.crawler);
  Metrics metrics([&fetcher, &store, &rules] { return SampleMetrics(fetcher, store, rules); });
  Discoverer discoverer(io, run_on_workers, store, fetcher, judge, config.discovery, config.canon);
  SchedulerOptions scheduler_options = SchedulerOptionsFrom(config);
  scheduler_options.offer_outlinks = [&discoverer](int64_t id, std::vector<std::string> links) {
    discoverer.Offer(id, std::move(links));
  };
  Notifier notifier(io, run_on_workers, store, config.notifications, config.crawler);
  scheduler_options.on_checked = [&notifier](const CheckEvent& e) { notifier.OnChecked(e); };
  // Metrics first, then whatever else listens (each hook keeps the one set before it).
  scheduler_options.on_checked = [&metrics, then = std::move(scheduler_options.on_checked)](const CheckEvent& e) {
    metrics.OnChecked(e);
    if (then) then(e);
  };
  scheduler_options.on_recorded = [&metrics, then = std::move(scheduler_options.on_recorded)](const RecordEvent& e) {
    metrics.OnRecorded(e);
    if (then) then(e);
  };
  Scheduler scheduler(io, run_on_workers, store, fetcher, &judge, scheduler_options);
  ReportWriter reports(io, run_on_workers, store, config.report);
  discoverer.SetOnDiscovered([&scheduler, &metrics, &notifier](const DiscoveryEvent& e) {
    metrics.OnDiscovered(e);
    notifier.OnDiscovered(e);
    scheduler.Wake();
  });
  ApiOptions api_options{config.server.max_batch_items, config.registry.categories, config.canon, {}};
  api_options.hooks.wake_scheduler = [&scheduler] { scheduler.Wake(); };
  api_options.hooks.crawl_stats = [&scheduler, &fetcher, &discoverer] {
    const SchedulerStats s = scheduler.Stats();
    const DiscoveryStats d = discoverer.Stats();
    CrawlStats c{s.in_flight,          fetcher.InFlight(),   fetcher.Queued(),
                 s.checks_recorded,    s.leases_lost,        s.checks_per_minute,
                 s.links_postponed,    s.pages_matched,      s.pages_carried_over,
                 s.pages_flagged,      d.offered,            d.fetched,
                 d.discovered};
    return c;
  };
  api_options.hooks.rules = &rules;
  api_options.hooks.metrics = [&metrics] { return metrics.Render(); };
  api_options.hooks.fetch = [&fetcher](crawler::FetchRequest req, crawler::Fetcher::Callback cb) {
    fetcher.Fetch(std::move(req), std::move(cb));
  };
  Api api(api_options, store, run_on_workers);
  HttpServer server(io, api, {config.server.max_body_bytes, config.server.request_timeout_seconds,
                             config.server.max_connections});
  auto port = server.Listen(*endpoint);
  if (!port.ok()) {
    spdlog::error("{}", port.status().message());
    return 3;
  }
  // Only once everything else has started: a start that fails prints no token.
  auto secret = storage::BootstrapAdmin(store, config.registry.bootstrap_agency);
  if (!secret.ok()) {
    spdlog::error("creating the first admin token: {}", secret.status().message());
    return 2;
  }
  if (*secret) AnnounceFirstToken(config.registry.bootstrap_agency, **secret);
  // Before "listening" is said, checking or not: whoever waits for that line sees the
  // leases of a run that died already released, and status shows none leased.
  scheduler.ReleaseStaleLeases();
  spdlog::info("listening on http://{}:{}", endpoint->host, *port);
  if (config.schedule.enabled) {
    scheduler.Start();
    discoverer.Start();
  } else {
    spdlog::warn("schedule.enabled = false: links are not checked");
  }
  if (config.report.enabled) reports.Start();
  notifier.Start();
  asio::signal_set hup(io, SIGHUP);
  WatchHangup(hup, rules, store, workers);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: finishing requests in flight, then exiting", sig);
    server.Stop();
    hup.cancel();
    // Fetches cut short are not recorded; their leases are released at the next start.
    scheduler.Stop([&scheduler] {
      const SchedulerStats stats = scheduler.Stats();
      spdlog::info("checks finished before the stop are recorded ({} since start); {} fetches cut "
                   "short are not, and are due again at the next start",
                   stats.checks_recorded, stats.fetches_cut_short);
    });
    reports.Stop();
    notifier.Stop();
    discoverer.Stop([] {});
    fetcher.Stop();
  });
  io.run();
  workers.join();
  store.Close();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int RunDaemon(int argc, char** argv) {
  CLI::App app{"linkwatchd: the linkwatch daemon (HTTP API, scheduler, crawler)"};
  Flags flags;
  app.add_option("--config", flags.config, "config file (default: conf/linkwatch.toml if present)");
  app.add_option("--data-dir", flags.data_dir, "data directory (overrides storage.data_dir)");
  app.add_option("--listen", flags.listen, "HOST:PORT to serve the API on; port 0 picks a free one");
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember(LogLevels()));
  app.add_option("--rules", flags.rules, "rule file or directory (repeatable; replaces rules.paths)");
  app.add_flag("--no-checks", flags.no_checks, "serve the API only; check no links (schedule.enabled = false)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and exits 0; every usage error exits 1, as the CLI's do.
    return app.exit(e) == 0 ? 0 : 1;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("linkwatchd"));
  for (const char* flag : {"--config", "--data-dir", "--listen"}) {
    // An empty value (a variable that was never set) must not mean "the default".
    if (app.count(flag) > 0 && app.get_option(flag)->as<std::string>().empty()) {
      spdlog::error("{} is empty", flag);
      return 1;
    }
  }
  auto config = ResolveConfig(flags);
  if (!config.ok()) {
    spdlog::error("{}", config.status().message());
    return 1;
  }
  spdlog::set_level(spdlog::level::from_str(config->log.level));
  auto store = OpenStore(*config);
  if (!store.ok()) {
    spdlog::error("{}", store.status().message());
    return 2;
  }
  return Serve(*config, **store);
}

}  // namespace linkwatch::daemon
