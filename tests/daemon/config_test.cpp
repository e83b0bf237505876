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
      {"[server\nlisten = 1\n", 1, ""},
      {"[[markers]]\nhosts = [\"a.org\"]\nremove = [\"x\"]\n", 3, "unknown key \"remove\" in [markers]"},
      {"markers = 5\n", 1, "must be a list of [[markers]] tables"},
      {"[[proxy]]\nhosts = \"*\"\nurl = 7\n", 3, "proxy.url must be a string"},
      {"[schedule]\njitter = 2.0\n", 2, "schedule.jitter must be between 0 and 0.5"},
      {"[schedule]\nconfirm_removed = 0\n", 2, "must be between 1 and 100"},
      {"[crawler]\nmax_per_host = \"two\"\n", 2, "crawler.max_per_host must be an integer"},
      {"[server]\nlisten = \"a\"\nlisten = \"b\"\n", 3, ""},
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
  CHECK(c->schedule.policy.markers[0].removed == std::vector<std::string>{"gone"});
  CHECK(c->schedule.policy.markers[1].hosts == std::vector<std::string>{"*"});
  CHECK(c->schedule.policy.markers[1].blocked == std::vector<std::string>{"court"});
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
