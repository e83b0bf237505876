#include <catch2/catch.hpp>

#include "linkwatch/daemon/config.h"
#include "test_support.h"

using namespace linkwatch;
using linkwatch::test::TempDir;
using linkwatch::test::WriteFile;

TEST_CASE("the shipped config loads and equals the documented defaults") {
  auto c = daemon::LoadConfig(LINKWATCH_SOURCE_DIR "/conf/linkwatch.toml");
  REQUIRE(c.ok());
  const daemon::Config defaults;
  CHECK(c->server.listen == defaults.server.listen);
  CHECK(c->server.max_body_bytes == defaults.server.max_body_bytes);
  CHECK(c->storage.data_dir == "data");
  CHECK(c->registry.categories == defaults.registry.categories);
  CHECK(c->canon.platform_rules == defaults.canon.platform_rules);
}

TEST_CASE("config values override the defaults") {
  TempDir dir;
  WriteFile(dir.File("c.toml"),
            "[server]\nlisten = \"127.0.0.1:0\"\nmax_batch_items = 7\n"
            "[registry]\ncategories = [\"extremist\", \"other\"]\n"
            "[canon]\nstrip_params = [\"ref\"]\nscheme_insensitive = false\n");
  auto c = daemon::LoadConfig(dir.File("c.toml"));
  REQUIRE(c.ok());
  CHECK(c->server.listen == "127.0.0.1:0");
  CHECK(c->server.max_batch_items == 7);
  CHECK(c->registry.categories == std::vector<std::string>{"extremist", "other"});
  CHECK(c->canon.strip_params == std::vector<std::string>{"ref"});
  CHECK_FALSE(c->canon.scheme_insensitive_key);
}

TEST_CASE("a bad config is refused with its file, line and key") {
  const auto [text, line, words] = GENERATE(table<std::string, int, std::string>({
      {"[server]\nlisten = \"x\"\nbogus = 1\n", 3, "unknown key \"bogus\" in [server]"},
      {"[nosuch]\na = 1\n", 1, "unknown section [nosuch]"},
      {"[server]\n\nmax_batch_items = \"ten\"\n", 3, "server.max_batch_items must be an integer"},
      {"[server]\nmax_batch_items = 0\n", 2, "must be between 1 and"},
      {"[storage]\ndurable = \"yes\"\n", 2, "storage.durable must be true or false"},
      {"[registry]\ncategories = [1, 2]\n", 2, "must be an array of strings"},
      {"[registry]\ncategories = []\n", 2, "at least one category"},
      {"[canon]\nplatform_rules = [\"myspace\"]\n", 2, "unknown platform rule \"myspace\""},
      {"[log]\nlevel = \"loud\"\n", 2, "log.level must be one of trace, debug, info, warn, error"},
      {"[server]\nlisten = \"localhost\"\n", 2, "is not HOST:PORT"},
      {"[server]\nlisten = \"127.0.0.1:99999\"\n", 2, "not a number from 0 to 65535"},
      {"server = 5\n", 1, "must be a section"},
      {"max_in_flight = 10\n", 1, "\"max_in_flight\" is outside any section; it belongs under [crawler], [discovery], [notifications]"},
      {"colour = 1\n", 1, "\"colour\" is outside any section and is no key of linkwatchd"},
      {"[server\nlisten = 1\n", 1, ""},
      {"[[markers]]\nhosts = [\"a.org\"]\nremove = [\"x\"]\n", 3, "unknown key \"remove\" in [markers]"},
      {"markers = 5\n", 1, "must be a list of [[markers]] tables"},
      {"[[proxy]]\nhosts = \"*\"\nurl = 7\n", 3, "proxy.url must be a string"},
      {"[schedule]\njitter = 2.0\n", 2, "schedule.jitter must be between 0 and 0.5"},
      {"[schedule]\nconfirm_removed = 0\n", 2, "must be between 1 and 100"},
      {"[crawler]\nmax_per_host = \"two\"\n", 2, "crawler.max_per_host must be an integer"},
      {"[server]\nlisten = \"a\"\nlisten = \"b\"\n", 3, ""},
      // NaN compares false with every bound: it used to pass, and jitter NaN made every link due at once.
      {"[schedule]\njitter = nan\n", 2, "schedule.jitter must be between 0 and 0.5"},
      {"[server]\nlisten = \"localhost:0\"\n", 2, "\"localhost\" in \"localhost:0\" is not an IP address"},
      {"[server]\nlisten = \"999.0.0.1:0\"\n", 2, "is not an IP address"},
      {"[crawler]\nuser_agent = \"lw\\r\\nX-Injected: 1\"\n", 2, "crawler.user_agent must not hold control characters"},
      {"[[proxy]]\nhosts = \"*127.0.0.1\"\nurl = \"http://127.0.0.1:1\"\n", 2, "proxy.hosts has \"*127.0.0.1\" matches no host"},
      {"[[proxy]]\nhosts = \"http://example.onion/\"\n", 2, "without scheme or path"},
      {"[[proxy]]\nhosts = \"\"\n", 2, "an empty host pattern matches no host"},
      {"[[proxy]]\nurl = \"htp://127.0.0.1:3128\"\n", 2, "proxy.url proxy \"htp://127.0.0.1:3128\" has scheme \"htp\""},
      {"[[proxy]]\nurl = \"socks5h://127.0.0.1:99999\"\n", 2, "is not a valid URL"},
      {"[[markers]]\nhosts = [\"*127.0.0.1\"]\nremoved = [\"x\"]\n", 2, "markers.hosts has \"*127.0.0.1\" matches no host"},
      {"[[markers]]\nhosts = []\nremoved = [\"x\"]\n", 2, "markers.hosts must name at least one host pattern"},
      {"[[markers]]\nremoved = [\"   \"]\n", 2, "markers.removed has a blank marker"},
      {"[[markers]]\nblocked = [\"\"]\n", 2, "markers.blocked has a blank marker"},
      {"[[markers]]\nremoved = [\"Video\\u001Funavailable\"]\n", 2, "markers.removed has a marker with a control character"},
      {"[[markers]]\nhosts = [\"*\"]\n", 1, "a [[markers]] entry needs removed or blocked markers"},
      {"[discovery]\nallow_hosts = [\"example.org:443\"]\n", 2, "without a port"},
      {"[[webhook]]\nurl = \"http://\"\n", 2, "webhook.url \"http://\" is not a usable http(s) URL"},
      {"[[webhook]]\nurl = \"http://exa mple.org:99999/x\"\n", 2, "is not a usable http(s) URL"},
      {"[[webhook]]\nurl = \"ftp://example.org/\"\n", 2, "is not a usable http(s) URL"},
      {"[[webhook]]\nurl = \"http://127.0.0.1:9/\"\nevents = []\n", 3, "webhook.events must name at least one event"},
      {"[[webhook]]\nevents = [\"link.removed\"]\n", 1, "a [[webhook]] entry needs a url"},
      {"[[webhook]]\nurl = \"http://127.0.0.1:9/\"\nevents = [\"link.gone\"]\n", 3, "has unknown event \"link.gone\""},
      {"[storage]\ndata_dir = \"\"\n", 2, "storage.data_dir must not be empty"},
      {"[registry]\nbootstrap_agency = \"\"\n", 2, "registry.bootstrap_agency must not be empty"},
      {"[registry]\ncategories = [\"extremist\", \"extremist\"]\n", 2, "names \"extremist\" twice"},
      {"[registry]\ncategories = [\"\"]\n", 2, "registry.categories has an empty name"},
      {"[canon]\nstrip_params = [\"utm_*\", \" \"]\n", 2, "canon.strip_params has an empty key"},
      {"[schedule]\nremoved_initial_s = 1209600\nremoved_max_s = 86400\n", 2,
       "schedule.removed_initial_s (1209600) is above schedule.removed_max_s (86400)"},
      {"[schedule]\nunreachable_initial_s = 90000\n", 2, "is above schedule.unreachable_max_s (86400)"},
      {"[crawler]\nretry_base_delay_ms = 60000\nretry_max_delay_ms = 10\n", 2, "crawler.retry_base_delay_ms (60000) is above"},
      {"[notifications]\nretry_base_ms = 60000\nretry_max_ms = 1000\n", 2, "notifications.retry_base_ms (60000) is above notifications.retry_max_ms (1000)"},
      {"[schedule]\nlease_seconds = 1\n", 2, "schedule.lease_seconds (1 s) must be longer than crawler.total_timeout_ms (60000 ms) and a tenth more"},
  }));
  TempDir dir;
  const std::string path = dir.File("bad.toml");
  WriteFile(path, text);
  auto c = daemon::LoadConfig(path);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(c.status().message(), Catch::StartsWith(path + ":" + std::to_string(line) + ": "));
  CHECK_THAT(c.status().message(), Catch::Contains(words));
}

TEST_CASE("markers, proxies and schedule intervals are read from the config") {
  TempDir dir;
  WriteFile(dir.File("c.toml"),
            "[schedule]\nalive_interval_s = 5\njitter = 0\nconfirm_removed = 3\n"
            "[crawler]\nmax_per_host = 4\nuser_agent = \"ua\"\n"
            "[[markers]]\nhosts = [\"*.video.example\"]\nremoved = [\"gone\"]\n"
            "[[markers]]\nblocked = [\"court\"]\n"
            "[[proxy]]\nhosts = \"*.onion\"\nurl = \"socks5h://127.0.0.1:9050\"\n");
  auto c = daemon::LoadConfig(dir.File("c.toml"));
  REQUIRE(c.ok());
  CHECK(c->schedule.policy.alive_interval_s == 5);
  CHECK(c->schedule.policy.jitter == 0.0);
  CHECK(c->schedule.policy.confirm_removed == 3);
  CHECK(c->crawler.max_per_host == 4);
  CHECK(c->crawler.user_agent == "ua");
  REQUIRE(c->schedule.policy.markers.size() == 2);
  CHECK(c->schedule.policy.markers[0].hosts == std::vector<std::string>{"*.video.example"});
  CHECK(c->schedule.policy.markers[0].removed == std::vector<daemon::Marker>{"gone"});
  CHECK(c->schedule.policy.markers[1].hosts == std::vector<std::string>{"*"});
  CHECK(c->schedule.policy.markers[1].blocked == std::vector<daemon::Marker>{"court"});
  REQUIRE(c->crawler.proxies.size() == 1);
  CHECK(c->crawler.proxies[0].host_pattern == "*.onion");
  CHECK(c->crawler.proxies[0].proxy == "socks5h://127.0.0.1:9050");
}

TEST_CASE("a missing config file is reported as not found") {
  auto c = daemon::LoadConfig("/nonexistent/linkwatch.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Status::Code::kNotFound);
  CHECK_THAT(c.status().message(), Catch::Contains("/nonexistent/linkwatch.toml"));
}

TEST_CASE("listen endpoints parse host and port") {
  const auto [text, host, port] = GENERATE(table<std::string, std::string, int>({
      {"127.0.0.1:8470", "127.0.0.1", 8470},
      {"0.0.0.0:0", "0.0.0.0", 0},
      {"[::1]:80", "::1", 80},
  }));
  auto ep = daemon::ParseEndpoint(text);
  REQUIRE(ep.ok());
  CHECK(ep->host == host);
  CHECK(ep->port == port);
}

TEST_CASE("proxies, markers and webhooks that a user can write are accepted") {
  TempDir dir;
  WriteFile(dir.File("c.toml"),
            "[[proxy]]\nhosts = \"*.onion\"\nurl = \"socks5h://127.0.0.1:9050\"\n"
            "[[proxy]]\nhosts = \"[::1]\"\nurl = \"\"\n"
            "[[markers]]\nhosts = [\"*.video.example\", \"127.0.0.1\"]\nremoved = [\"Video unavailable\"]\n"
            "[[webhook]]\nurl = \"https://hooks.example/lw\"\nevents = [\"link.removed\"]\n"
            "[discovery]\nallow_hosts = []\n");
  auto c = daemon::LoadConfig(dir.File("c.toml"));
  INFO((c.ok() ? std::string() : c.status().message()));
  REQUIRE(c.ok());
  CHECK(c->crawler.proxies.size() == 2);
  CHECK(c->notifications.webhooks.at(0).events == std::vector<std::string>{"link.removed"});
}

TEST_CASE("[report] is off by default and read from the config") {
  const daemon::Config defaults;
  CHECK_FALSE(defaults.report.enabled);
  CHECK(defaults.report.day == "monday");
  CHECK(defaults.report.time == "06:00");
  CHECK(defaults.report.formats == std::vector<std::string>{"md", "html"});
  CHECK(defaults.report.dir == "reports");
  auto shipped = daemon::LoadConfig(LINKWATCH_SOURCE_DIR "/conf/linkwatch.toml");
  REQUIRE(shipped.ok());
  CHECK_FALSE(shipped->report.enabled);
  CHECK(shipped->report.formats == defaults.report.formats);
  CHECK(shipped->report.time == defaults.report.time);
  TempDir dir;
  WriteFile(dir.File("c.toml"),
            "[report]\nenabled = true\nday = \"sunday\"\ntime = \"23:30\"\n"
            "formats = [\"csv\", \"json\", \"md\", \"html\"]\ndir = \"/var/lib/linkwatch/reports\"\n");
  auto c = daemon::LoadConfig(dir.File("c.toml"));
  REQUIRE(c.ok());
  CHECK(c->report.enabled);
  CHECK(c->report.day == "sunday");
  CHECK(c->report.time == "23:30");
  CHECK(c->report.formats == std::vector<std::string>{"csv", "json", "md", "html"});
  CHECK(c->report.dir == "/var/lib/linkwatch/reports");
}

TEST_CASE("a bad [report] key or value is refused with its file and line") {
  const auto [text, line, words] = GENERATE(table<std::string, int, std::string>({
      {"[report]\nenabled = \"yes\"\n", 2, "report.enabled must be true or false"},
      {"[report]\n\nday = \"someday\"\n", 3, "report.day must be one of monday"},
      {"[report]\nday = \"Monday\"\n", 2, "report.day must be one of monday"},
      {"[report]\nday = 1\n", 2, "report.day must be a string"},
      {"[report]\ntime = \"6:00\"\n", 2, "report.time must be a time HH:MM"},
      {"[report]\ntime = \"24:00\"\n", 2, "report.time must be a time HH:MM"},
      {"[report]\nformats = [\"md\", \"pdf\"]\n", 2, "report.formats has \"pdf\", not one of md, csv, json, html"},
      {"[report]\nformats = []\n", 2, "report.formats must name at least one format"},
      {"[report]\nformats = \"md\"\n", 2, "report.formats must be an array of strings"},
      {"[report]\ndir = \"\"\n", 2, "report.dir must not be empty"},
      {"[report]\nenabled = true\nfolder = \"x\"\n", 3, "unknown key \"folder\" in [report]"},
  }));
  TempDir dir;
  const std::string path = dir.File("bad.toml");
  WriteFile(path, text);
  auto c = daemon::LoadConfig(path);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(c.status().message(), Catch::StartsWith(path + ":" + std::to_string(line) + ": "));
  CHECK_THAT(c.status().message(), Catch::Contains(words));
}
