// The weekly report end to end (issue 6's "done when"): linkwatchd checks
// links on a local server for two agencies, one page is taken down and one
// blocked, and `linkwatch report` for this week gives the figures the links'
// history says, in every format; the HTML carries its charts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "linkwatch/base/iso_week.h"
#include "linkwatch/base/time.h"
#include "e2e_support.h"
#include "test_support.h"
#include "test_web_server.h"

using namespace linkwatch;
using test::kCli;
using test::kDaemon;
using nlohmann::json;

namespace {

const std::string kFastConfig = test::kFastSchedule + R"toml(
[crawler]
per_host_delay_ms = 0
max_per_host = 8
max_retries = 0
)toml";

struct Reporting {
  test::TempDir dir;
  test::TestWebServer web;
  test::Daemon daemon;

  Reporting() {
    test::WriteFile(dir.File("fast.toml"), kFastConfig);
    daemon = test::StartDaemon(kDaemon, dir.File("data"), {"--config", dir.File("fast.toml")}, true);
  }
  test::RunResult Cli(const std::string& token, std::vector<std::string> args) const {
    args.insert(args.begin(), {kCli, "--url", "http://127.0.0.1:" + std::to_string(daemon.port), "--token", token});
    return test::Run(args);
  }
  std::string Token(const std::string& agency) const {
    REQUIRE(Cli(daemon.first_token, {"agency", "add", agency}).exit_code == 0);
    auto r = Cli(daemon.first_token, {"token", "create", "--agency", agency, "--role", "operator", "--quiet"});
    REQUIRE(r.exit_code == 0);
    std::string token = r.out;
    while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
    return token;
  }
  int64_t Submit(const std::string& token, const std::string& path) const {
    auto r = Cli(token, {"submit", web.Url(path), "--basis", "Court decision 2-77/2026", "--category", "extremist",
                         "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out)["link_id"].get<int64_t>();
  }
  json Show(int64_t id) const {
    auto r = Cli(daemon.first_token, {"show", std::to_string(id), "--json"});
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
  }
  bool WaitStatus(int64_t id, const std::string& status, int seconds = 30) const {
    for (int i = 0; i < seconds * 10; ++i) {
      if (Show(id)["status"] == status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

int64_t CountOf(const json& counts, const char* key, const std::string& name) {
  for (const auto& c : counts) {
    if (c[key] == name) return c["count"].get<int64_t>();
  }
  return 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t Occurrences(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the report for this week has the figures the daemon's checks recorded, in every format") {
  Reporting r;
  const std::string week = IsoWeekOf(SystemClock::Instance().Now()).label();
  const std::string police = r.Token("Police"), prosecutor = r.Token("Prosecutor");
  r.web.SetBody("/a", "<p>post a</p>");
  r.web.SetBody("/b", "<p>post b</p>");
  r.web.SetBody("/c", "<p>post c</p>");
  r.web.SetBody("/d", "<p>post d</p>");
  const int64_t a = r.Submit(police, "/a"), b = r.Submit(police, "/b"), c = r.Submit(police, "/c");
  r.Submit(prosecutor, "/c");  // a duplicate report: the register saved the Prosecutor this work
  const int64_t d = r.Submit(prosecutor, "/d");
  for (int64_t id : {a, b, c, d}) REQUIRE(r.WaitStatus(id, "alive"));
  r.web.Set("/a", 404);
  r.web.Set("/b", 451);
  REQUIRE(r.WaitStatus(a, "removed"));
  REQUIRE(r.WaitStatus(b, "blocked"));
  if (IsoWeekOf(SystemClock::Instance().Now()).label() != week) {
    WARN("the ISO week changed during the test (Sunday to Monday, UTC): figures split across weeks, not checked");
    return;
  }

  auto out = r.Cli(police, {"report", "--week", week, "--format", "json"});
  INFO(out.err);
  REQUIRE(out.exit_code == 0);
  const json j = json::parse(out.out);
  CHECK(j["week"] == week);
  CHECK(j["registered"]["this_week"] == 4);
  CHECK(j["registered"]["total"] == 4);
  CHECK(CountOf(j["registered"]["by_agency"], "agency", "Police") == 3);
  CHECK(CountOf(j["registered"]["by_agency"], "agency", "Prosecutor") == 1);
  CHECK(CountOf(j["registered"]["by_category"], "category", "extremist") == 4);
  CHECK(j["duplicates"]["this_week"] == 1);
  CHECK(CountOf(j["duplicates"]["by_agency"], "agency", "Prosecutor") == 1);
  CHECK(j["status_now"] ==
        json{{"alive", 2}, {"removed", 1}, {"blocked", 1}, {"unreachable", 0}, {"pending", 0}});
  CHECK(j["transitions"]["removed"] == 1);
  CHECK(j["transitions"]["blocked"] == 1);
  CHECK(j["transitions"]["reappeared"] == 0);
  REQUIRE(j["transitions"]["by_host"].size() == 1);  // every page is on 127.0.0.1
  CHECK(j["transitions"]["by_host"][0]["host"] == "127.0.0.1");
  CHECK(j["transitions"]["by_host"][0]["removed"] == 1);
  CHECK(j["transitions"]["by_host"][0]["blocked"] == 1);
  // This week's status in the history is the status now.
  REQUIRE(!j["status_history"].empty());
  const json& last = j["status_history"].back();
  CHECK(last["week"] == week);
  CHECK(last["by_status"]["removed"] == 1);
  CHECK(last["by_status"]["blocked"] == 1);
  CHECK(last["by_status"]["alive"] == 2);
  // Time to removal: from the link's registration to the first check that saw it gone.
  const json shown = r.Show(a);
  const auto created = ParseIso8601(shown["created_at"].get<std::string>());
  const auto removed_since = ParseIso8601(shown["removed_since"].get<std::string>());
  REQUIRE(created);
  REQUIRE(removed_since);
  const double hours = static_cast<double>(*removed_since - *created) / 3'600'000.0;
  CHECK(j["time_to_removal"]["links"] == 1);
  CHECK(j["time_to_removal"]["median_hours"].get<double>() == Approx(hours).margin(1e-6));
  CHECK(j["time_to_removal"]["p90_hours"].get<double>() == Approx(hours).margin(1e-6));
  CHECK(j["time_to_removal"]["distribution"][0]["links"] == 1);  // "< 6 h"
  CHECK(j["discovery"] == json{{"discovered", 0}, {"accepted", 0}, {"rejected", 0}, {"pending", 0}});

  // The other formats carry the same figures.
  auto md = r.Cli(police, {"report", "--week", week, "--format", "md"});
  REQUIRE(md.exit_code == 0);
  CHECK_THAT(md.out, Catch::Contains("| registered this week | 4 |"));
  CHECK_THAT(md.out, Catch::Contains("| duplicate reports this week | 1 |"));
  auto csv = r.Cli(police, {"report", "--week", week, "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  CHECK_THAT(csv.out, Catch::Contains("status_now,removed,,1"));
  CHECK_THAT(csv.out, Catch::Contains("transitions,blocked,,1"));
  const std::string html_path = r.dir.File("report.html");
  auto html = r.Cli(police, {"report", "--week", week, "--format", "html", "--out", html_path});
  REQUIRE(html.exit_code == 0);
  const std::string page = ReadFile(html_path);
  CHECK(Occurrences(page, "<svg") == 3);  // status over 12 weeks, time to removal, views
  CHECK(page.find("<script") == std::string::npos);
  CHECK_THAT(page, Catch::Contains("Prosecutor"));
}

TEST_CASE("a report filter naming no agency or category is refused, not answered with zeros") {
  Reporting r;
  r.Token("Police");
  const auto agency = r.Cli(r.daemon.first_token, {"report", "--agency", "Nobody"});
  CHECK(agency.exit_code == 1);
  CHECK_THAT(agency.err, Catch::Contains("no agency named \"Nobody\""));
  const auto category = r.Cli(r.daemon.first_token, {"report", "--category", "satire"});
  CHECK(category.exit_code == 1);
  CHECK_THAT(category.err, Catch::Contains("unknown category \"satire\"; known: extremist, terrorist"));
  const auto known = r.Cli(r.daemon.first_token, {"report", "--agency", "Police", "--category", "extremist"});
  CHECK(known.exit_code == 0);
  CHECK_THAT(known.out, Catch::Contains("Police"));
}

TEST_CASE("report --out follows a symbolic link, refuses a directory, writes a device in place") {
  Reporting r;
  namespace fs = std::filesystem;
  const std::string target = r.dir.File("real.md");
  test::WriteFile(target, "old");
  fs::create_symlink(target, r.dir.File("link.md"));
  const auto linked = r.Cli(r.daemon.first_token, {"report", "--out", r.dir.File("link.md")});
  CHECK(linked.exit_code == 0);
  CHECK(fs::is_symlink(r.dir.File("link.md")));  // still the link
  CHECK_THAT(ReadFile(target), Catch::StartsWith("# "));  // the report went to its target

  fs::create_directories(r.dir.File("adir"));
  const auto dir = r.Cli(r.daemon.first_token, {"report", "--out", r.dir.File("adir")});
  CHECK(dir.exit_code != 0);
  CHECK_THAT(dir.err, Catch::Contains("cannot write " + r.dir.File("adir") + ": it is a directory"));

  const auto missing = r.Cli(r.daemon.first_token, {"report", "--out", r.dir.File("no/such/dir/r.md")});
  CHECK(missing.exit_code != 0);
  CHECK_THAT(missing.err, Catch::Contains("cannot write " + r.dir.File("no/such/dir/r.md") +
                                          ": No such file or directory"));

  const auto device = r.Cli(r.daemon.first_token, {"report", "--out", "/dev/null"});
  CHECK(device.exit_code == 0);
  CHECK(fs::is_character_file("/dev/null"));  // written to, not replaced by a file
}
