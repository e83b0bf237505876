// Recognizing known content end to end: linkwatchd with a rules directory, a
// local web server, flagged pages with their evidence, a page edited to remove
// the material, reloads (refused and accepted, by API and SIGHUP), and the
// CLI's rules and evidence commands.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e_support.h"
#include "test_support.h"
#include "test_web_server.h"

using namespace linkwatch;
using test::kCli;
using test::kDaemon;
using nlohmann::json;

namespace {

// The audit rows of one action, as "agency detail" lines (read as a third party would).
std::vector<std::string> AuditRows(const std::string& db_path, const std::string& action) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT agency, detail FROM audit WHERE action = ?1 ORDER BY id", -1, &stmt,
                             nullptr) == SQLITE_OK);
  sqlite3_bind_text(stmt, 1, action.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    rows.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)))
                       .append(" ")
                       .append(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1))));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

constexpr char kRule[] = R"toml(
[[rule]]
id = "cd-001"
category = "extremist"
severity = 3
description = "Slogan of the (fictional) Crimson Dawn movement"
legal_basis = "Court decision No. 2-1234/2021 (fictional)"
patterns = ['crimson\s+dawn\s+rises', 'алая\s+заря\s+восходит']
)toml";

// Obfuscated: a word split by tags, a Cyrillic "а" in "Dawn", a zero-width
// space and a soft hyphen; the same words in a script do not count.
const std::string kFlaggedPage =
    "<html><head><title>Morning news</title></head><body>"
    "<p>Today: Cr<b>im</b>son D\xD0\xB0wn ri\xE2\x80\x8Bs\xC2\xAD" "es again.</p>"
    "<script>var s = 'nothing to see';</script></body></html>";

// "алая заря восходит" in windows-1251, declared only by <meta charset>.
const std::string kCp1251Page =
    "<html><head><meta charset=\"windows-1251\"><title>x</title></head><body><p>"
    "\xE0\xEB\xE0\xFF \xE7\xE0\xF0\xFF \xE2\xEE\xF1\xF5\xEE\xE4\xE8\xF2"
    "</p></body></html>";

const std::string kFastConfig = test::kFastSchedule + R"(
[crawler]
per_host_delay_ms = 0
max_per_host = 8
max_retries = 0

[rules]
paths = ["RULES"]
)";

struct Monitoring {
  test::TempDir dir;
  test::TestWebServer web;
  test::Daemon daemon;
  std::string token;

  Monitoring() {
    std::filesystem::create_directories(dir.File("rules"));
    test::WriteFile(dir.File("rules/cd.toml"), kRule);
    std::string config = kFastConfig;
    config.replace(config.find("RULES"), 5, dir.File("rules"));
    test::WriteFile(dir.File("fast.toml"), config);
    daemon = test::StartDaemon(kDaemon, dir.File("data"), {"--config", dir.File("fast.toml")}, true);
    token = daemon.first_token;
  }
  test::HttpResult Raw(const std::string& method, const std::string& target, const json& body = nullptr) {
    return test::Http(daemon.port, method, target, body.is_null() ? "" : body.dump(), token);
  }
  json Call(const std::string& method, const std::string& target, const json& body = nullptr) {
    auto r = Raw(method, target, body);
    INFO(method << " " << target << ": " << r.body);
    REQUIRE(r.status < 300);
    return json::parse(r.body);
  }
  int64_t Register(const std::string& path) {
    return Call("POST", "/v1/links", {{"url", web.Url(path)}, {"basis", "Court 1/2026"}, {"category", "extremist"}})
        ["link_id"]
            .get<int64_t>();
  }
  json Link(int64_t id) { return Call("GET", "/v1/links/" + std::to_string(id)); }
  json History(int64_t id) {
    return Call("GET", "/v1/links/" + std::to_string(id) + "/history?limit=1000")["checks"];
  }
  // Polls `pred(link)` for at most `seconds`.
  template <typename Pred>
  bool WaitLink(int64_t id, Pred pred, int seconds = 30) {
    for (int i = 0; i < seconds * 10; ++i) {
      if (pred(Link(id))) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  bool WaitStatus(int64_t id, const std::string& status) {
    return WaitLink(id, [&](const json& l) { return l["status"] == status; });
  }
  bool WaitFlagged(int64_t id, bool flagged) {
    return WaitLink(id, [&](const json& l) { return l["flagged"] == flagged && !l["last_checked_at"].is_null(); });
  }
  test::RunResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {kCli, "--url", "http://127.0.0.1:" + std::to_string(daemon.port), "--token", token});
    return test::Run(args);
  }
};

test::RunResult Sh(const std::string& script) { return test::Run({"/bin/sh", "-c", script}); }

}  // namespace

TEST_CASE("flagged pages show their rule and excerpt, evidence exports and verifies, an edited page is removed") {
  Monitoring m;
  m.web.SetBody("/flag", kFlaggedPage);
  m.web.SetBody("/cp1251", kCp1251Page, 200, "text/html");
  m.web.SetBody("/clean", "<p>A history lesson about the weather.</p>");
  const int64_t flag = m.Register("/flag"), cyr = m.Register("/cp1251"), clean = m.Register("/clean");
  REQUIRE(m.WaitFlagged(flag, true));
  REQUIRE(m.WaitFlagged(cyr, true));
  REQUIRE(m.WaitFlagged(clean, false));

  const json link = m.Link(flag);
  CHECK(link["status"] == "alive");
  REQUIRE(link["matches"].size() == 1);
  CHECK(link["matches"][0]["rule_id"] == "cd-001");
  CHECK(link["matches"][0]["category"] == "extremist");
  CHECK(link["matches"][0]["legal_basis"] == "Court decision No. 2-1234/2021 (fictional)");
  // The excerpt shows the page as written: the look-alike stays in it.
  CHECK_THAT(link["matches"][0]["excerpt"].get<std::string>(), Catch::Contains("Crimson D\xD0\xB0wn"));
  CHECK(link["evidence_count"] == 1);
  CHECK(link["flagged_at"].is_string());
  const std::string version = m.Call("GET", "/v1/rules")["version"];
  CHECK(link["rules_version"] == version);
  for (const auto& check : m.History(flag)) CHECK(check["rules_version"] == version);
  CHECK(m.History(flag).back()["matched_rules"] == json::array({"cd-001"}));

  const json cyrillic = m.Link(cyr);
  REQUIRE(cyrillic["matches"].size() == 1);
  CHECK_THAT(cyrillic["matches"][0]["excerpt"].get<std::string>(),
             Catch::Contains("алая заря восходит"));
  CHECK(m.Link(clean)["matches"].empty());
  CHECK(m.Link(clean)["evidence_count"] == 0);

  // `show` prints the rule and why.
  const auto shown = m.Cli({"show", std::to_string(flag)});
  REQUIRE(shown.exit_code == 0);
  CHECK_THAT(shown.out, Catch::Contains("cd-001  extremist  severity 3"));
  CHECK_THAT(shown.out, Catch::Contains("Crimson D\xD0\xB0wn"));

  SECTION("evidence exports, and sha256sum verifies it (and catches a changed file)") {
    const std::string out = m.dir.File("export");
    const auto exported = m.Cli({"evidence", std::to_string(flag), "--export", out});
    INFO(exported.err);
    REQUIRE(exported.exit_code == 0);
    const auto verified = Sh("cd '" + out + "' && sha256sum -c SHA256SUMS");
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    CHECK_THAT(verified.out, Catch::Contains("manifest.json: OK"));
    const json manifest = json::parse(test::ReadFile(out + "/manifest.json"));
    REQUIRE(manifest["snapshots"].size() == 1);
    const json& snap = manifest["snapshots"][0];
    CHECK(test::ReadFile(out + "/" + snap["file"].get<std::string>()) == kFlaggedPage);
    CHECK(snap["matches"][0]["rule_id"] == "cd-001");
    CHECK(snap["http_status"] == 200);
    CHECK(snap["rules_version"] == version);
    CHECK(manifest["reports"][0]["basis"] == "Court 1/2026");
    // A second export into the same directory is refused; a changed file fails the check.
    const auto again = m.Cli({"evidence", std::to_string(flag), "--export", out});
    CHECK(again.exit_code == 1);
    CHECK_THAT(again.err, Catch::Contains("export directory " + out + " is not empty"));
    const auto onto_file = m.Cli({"evidence", std::to_string(flag), "--export", out + "/manifest.json"});
    CHECK(onto_file.exit_code == 1);
    CHECK_THAT(onto_file.err, Catch::Contains(out + "/manifest.json is a file, not a directory"));
    test::WriteFile(out + "/" + snap["file"].get<std::string>(), "tampered");
    CHECK(Sh("cd '" + out + "' && sha256sum -c SHA256SUMS").exit_code != 0);
  }

  SECTION("an unchanged page is not matched again; an edited one becomes removed and keeps its evidence") {
    const bool carried = m.WaitLink(flag, [&](const json&) {
      return m.Call("GET", "/v1/status")["crawler"]["pages_carried_over"].get<int64_t>() >= 3;
    });
    INFO(m.Call("GET", "/v1/status").dump() << "\n" << m.History(flag).dump());
    REQUIRE(carried);
    m.web.SetBody("/flag", "<html><body><p>This post was edited.</p></body></html>");
    REQUIRE(m.WaitStatus(flag, "removed"));
    const json removed = m.Link(flag);
    CHECK_FALSE(removed["flagged"].get<bool>());
    CHECK(removed["flagged_at"] == link["flagged_at"]);
    CHECK(removed["evidence_count"] == 1);
    CHECK(removed["removed_since"].is_string());
    CHECK(m.History(flag).front()["reason"] == "content removed: no rule matches the page any more");
    CHECK(m.Link(clean)["status"] == "alive");  // never flagged: a clean page is not "removed"
    const auto listing = m.Cli({"--json", "evidence", std::to_string(flag)});
    REQUIRE(listing.exit_code == 0);
    CHECK(json::parse(listing.out)["evidence"].size() == 1);

    // The material is re-uploaded: alive again, flagged, and a new snapshot.
    m.web.SetBody("/flag", kFlaggedPage);
    REQUIRE(m.WaitStatus(flag, "alive"));
    CHECK(m.Link(flag)["reappeared_at"].is_string());
    CHECK(m.Link(flag)["flagged"] == true);
    CHECK(m.Link(flag)["evidence_count"] == 2);
  }
}

TEST_CASE("a broken rule set is refused on reload and the running one stays, a good one swaps in, also on SIGHUP") {
  Monitoring m;
  m.web.SetBody("/weather", "<p>Storm warning for the coast.</p>");
  const int64_t id = m.Register("/weather");
  REQUIRE(m.WaitFlagged(id, false));
  const std::string before = m.Call("GET", "/v1/rules")["version"];

  test::WriteFile(m.dir.File("rules/more.toml"), R"([[rule]]
id = "wx-001"
category = "terrorist"
severity = 2
description = "test"
legal_basis = "Order 7"
patterns = ['storm\s+warning(']
)");
  const auto refused = m.Raw("POST", "/v1/rules/reload");
  CHECK(refused.status == 422);
  const json err = json::parse(refused.body);
  REQUIRE(err["errors"].size() == 1);
  CHECK_THAT(err["errors"][0]["text"].get<std::string>(), Catch::Contains("more.toml:7: rule \"wx-001\""));
  CHECK(err["errors"][0]["rule_id"] == "wx-001");
  CHECK(m.Call("GET", "/v1/rules")["version"] == before);
  const auto cli = m.Cli({"rules", "reload"});
  CHECK(cli.exit_code == 1);
  const auto as_json = m.Cli({"--json", "rules", "reload"});
  CHECK(as_json.exit_code == 1);
  const json refusal = json::parse(as_json.out);  // JSON, as --json promises, refused or not
  CHECK(refusal["errors"][0]["rule_id"] == "wx-001");
  CHECK_THAT(cli.err, Catch::Contains("more.toml:7"));
  CHECK_THAT(cli.err, Catch::Contains("stays in force"));
  // The daemon's log says who asked, what was wrong and what stays.
  const std::string log = m.daemon.child->Stderr();
  CHECK_THAT(log, Catch::Contains("rule set refused by agency ") && Catch::Contains("(token 1), 1 error:"));
  CHECK_THAT(log, Catch::Contains("more.toml:7: rule \"wx-001\""));
  CHECK_THAT(log, Catch::Contains("the running rule set (1 rules, version " + before.substr(0, 12) +
                                  ") stays in force"));

  test::WriteFile(m.dir.File("rules/more.toml"), R"([[rule]]
id = "wx-001"
category = "terrorist"
severity = 2
description = "test"
legal_basis = "Order 7"
patterns = ['storm\s+warning']
)");
  const auto reloaded = m.Cli({"rules", "reload"});
  INFO(reloaded.err);
  REQUIRE(reloaded.exit_code == 0);
  CHECK_THAT(reloaded.out, Catch::Contains("rules reloaded: 2 rules, 0 hash entries, version "));
  const std::string after = m.Call("GET", "/v1/rules")["version"];
  CHECK(after != before);
  // The new set judges the next check, without waiting for the page to change.
  REQUIRE(m.WaitFlagged(id, true));
  CHECK(m.Link(id)["matches"][0]["rule_id"] == "wx-001");
  CHECK(m.Link(id)["rules_version"] == after);

  test::WriteFile(m.dir.File("rules/third.toml"), R"([[rule]]
id = "zz-001"
category = "extremist"
severity = 1
description = "test"
legal_basis = "Order 8"
patterns = ['glass\s+lantern']
)");
  m.daemon.child->Signal(SIGHUP);
  bool swapped = false;
  for (int i = 0; i < 100 && !swapped; ++i) {
    swapped = m.Call("GET", "/v1/rules")["rules"].size() == 3;
    if (!swapped) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(swapped);
  CHECK(m.daemon.child->WaitFor("rules loaded on SIGHUP: 3 rules").has_value());
  CHECK_THAT(m.daemon.child->Stderr(), Catch::Contains("rules loaded at start: 1 rules") &&
                                           Catch::Contains("(token 1): 2 rules, 0 hash entries, version " +
                                                           after.substr(0, 12)));

  // Every reload is on the record: the three refused, the CLI's, and the SIGHUP's by the daemon itself.
  std::vector<std::string> reloads;
  for (int i = 0; i < 50 && reloads.size() < 5; ++i) {
    reloads = AuditRows(m.dir.File("data/linkwatch.db"), "rules.reload");
    if (reloads.size() < 5) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(reloads.size() == 5);
  for (size_t i = 0; i < 3; ++i) CHECK_THAT(reloads[i], Catch::Contains("\"ok\":false"));
  CHECK_THAT(reloads[3], Catch::Contains("\"ok\":true") && Catch::Contains(after));
  CHECK_THAT(reloads[4], Catch::StartsWith("linkwatchd ") && Catch::Contains("\"ok\":true") &&
                             Catch::Contains("\"previous\":\"" + after + "\"") && Catch::Contains("\"rules\":3"));
  const auto audit = m.Call("GET", "/v1/audit/verify");
  CHECK(audit["ok"] == true);
  const auto list = m.Cli({"rules", "list"});
  REQUIRE(list.exit_code == 0);
  CHECK_THAT(list.out, Catch::Contains("zz-001"));
}

TEST_CASE("a restart with the rule files gone is refused while links stand flagged by them") {
  Monitoring m;
  m.web.SetBody("/flag", kFlaggedPage);
  const int64_t flag = m.Register("/flag");
  REQUIRE(m.WaitFlagged(flag, true));
  m.daemon.child->Signal(SIGTERM);
  REQUIRE(m.daemon.child->Wait() == 0);
  std::filesystem::rename(m.dir.File("rules/cd.toml"), m.dir.File("cd.toml.moved"));  // the directory emptied

  test::Child refused({kDaemon, "--config", m.dir.File("fast.toml"), "--data-dir", m.dir.File("data"),
                       "--listen", "127.0.0.1:0"},
                      m.dir.path());
  CHECK(refused.Wait() == 1);
  CHECK_THAT(refused.Stderr(), Catch::Contains("no rules were loaded from " + m.dir.File("rules") +
                                               ", but 1 links stand flagged by rules"));

  // With the files back the daemon starts, and the link is still flagged and alive.
  std::filesystem::rename(m.dir.File("cd.toml.moved"), m.dir.File("rules/cd.toml"));
  auto again = test::StartDaemon(kDaemon, m.dir.File("data"), {"--config", m.dir.File("fast.toml")}, true);
  m.daemon = std::move(again);
  CHECK(m.Link(flag)["flagged"] == true);
  CHECK(m.Link(flag)["status"] == "alive");
}

TEST_CASE("the daemon does not start on a broken rule set, and names the error") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.File("rules"));
  test::WriteFile(dir.File("rules/bad.toml"), "[[rule]]\nid = \"x-1\"\ncategory = \"nope\"\n");
  test::Child child({kDaemon, "--data-dir", dir.File("data"), "--listen", "127.0.0.1:0", "--no-checks",
                     "--rules", dir.File("rules")},
                    dir.path());
  CHECK(child.Wait() == 1);
  CHECK_THAT(child.Stderr(), Catch::Contains("bad.toml:1: rule \"x-1\""));
  CHECK_THAT(child.Stderr(), Catch::Contains("rule set refused"));
}

TEST_CASE("rules check and rules test work offline on files") {
  test::TempDir dir;
  test::WriteFile(dir.File("cd.toml"), kRule);
  test::WriteFile(dir.File("page.html"), kCp1251Page);
  test::WriteFile(dir.File("bad.toml"), "[[rule]]\nid = \"b-1\"\ncategory = \"extremist\"\nseverity = 9\n"
                                        "description = \"d\"\nlegal_basis = \"l\"\npatterns = ['x']\n");

  const auto ok = test::Run({kCli, "rules", "check", dir.File("cd.toml")});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("ok: 1 rule, 0 hash entries"));
  const auto bad = test::Run({kCli, "rules", "check", dir.File("bad.toml")});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("bad.toml:4: rule \"b-1\""));
  CHECK_THAT(bad.err, Catch::Contains("the rule set is refused (1 error)\n"));

  const auto tested = test::Run({kCli, "--json", "rules", "test", "--rules", dir.File("cd.toml"), dir.File("page.html")});
  INFO(tested.err);
  REQUIRE(tested.exit_code == 0);
  const json verdict = json::parse(tested.out);
  CHECK(verdict["flagged"] == true);
  CHECK(verdict["page"]["charset"] == "windows-1251");
  CHECK(verdict["page"]["charset_source"] == "meta");
  REQUIRE(verdict["matches"].size() == 1);
  CHECK(verdict["matches"][0]["rule_id"] == "cd-001");
  CHECK_THAT(verdict["matches"][0]["excerpt"].get<std::string>(), Catch::Contains("алая заря восходит"));

  test::WriteFile(dir.File("clean.html"), "<p>nothing</p>");
  const auto clean = test::Run({kCli, "rules", "test", "--rules", dir.File("cd.toml"), dir.File("clean.html")});
  CHECK(clean.exit_code == 0);
  CHECK_THAT(clean.out, Catch::Contains("not flagged"));

  // A known page by the SHA-256 of its bytes: flagged with the list entry's category and basis.
  const auto digest = test::Run({"/usr/bin/sha256sum", dir.File("clean.html")});
  REQUIRE(digest.exit_code == 0);
  test::WriteFile(dir.File("known.txt"),
                  digest.out.substr(0, 64) + " terrorist \"Order 55/2024\" leaflet-7\n");
  const auto known = test::Run({kCli, "--json", "rules", "test", "--rules", dir.File("cd.toml"), "--hashes",
                                dir.File("known.txt"), dir.File("clean.html")});
  INFO(known.err);
  REQUIRE(known.exit_code == 0);
  const json hit = json::parse(known.out);
  CHECK(hit["flagged"] == true);
  REQUIRE(hit["matches"].size() == 1);
  CHECK(hit["matches"][0]["kind"] == "hash");
  CHECK(hit["matches"][0]["digest_of"] == "body");
  CHECK(hit["matches"][0]["category"] == "terrorist");
  CHECK(hit["matches"][0]["legal_basis"] == "Order 55/2024");
  CHECK(hit["matches"][0]["label"] == "leaflet-7");
}

TEST_CASE("rules test asks the daemon when no rule files are given, for a file or a URL") {
  Monitoring m;
  m.web.SetBody("/flag", kFlaggedPage);
  const auto by_url = m.Cli({"--json", "rules", "test", m.web.Url("/flag")});
  INFO(by_url.err);
  REQUIRE(by_url.exit_code == 0);
  const json v = json::parse(by_url.out);
  CHECK(v["flagged"] == true);
  CHECK(v["fetch"]["http_status"] == 200);
  test::WriteFile(m.dir.File("page.html"), kCp1251Page);
  const auto by_file = m.Cli({"rules", "test", m.dir.File("page.html")});
  REQUIRE(by_file.exit_code == 0);
  CHECK_THAT(by_file.out, Catch::Contains("FLAGGED"));
  // A misspelt field is named, not ignored (here the page's charset would be lost).
  const auto typo = m.Raw("POST", "/v1/rules/test", {{"html", "<p>x</p>"}, {"content-type", "text/html"}});
  CHECK(typo.status == 400);
  CHECK(json::parse(typo.body)["error"]["field"] == "content-type");
  CHECK_THAT(typo.body, Catch::Contains("this request takes url, html, body_base64, content_type"));
  // Nothing was registered.
  CHECK(m.Call("GET", "/v1/links")["links"].empty());
}
