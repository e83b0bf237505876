// The CLI as an operator uses it, against a real daemon.
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include <signal.h>
#include <sqlite3.h>

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

// A daemon on a free port plus a CLI runner that points at it.
struct Setup {
  test::TempDir dir;
  test::Daemon daemon = test::StartDaemon(kDaemon, dir.File("data"));

  std::map<std::string, std::string> Env(const std::string& token) const {
    return {{"LINKWATCH_URL", "http://127.0.0.1:" + std::to_string(daemon.port)},
            {"LINKWATCH_TOKEN", token},
            {"HOME", dir.path()}};
  }
  test::RunResult Cli(const std::string& token, std::vector<std::string> args,
                      const std::string& input = {}) const {
    args.insert(args.begin(), kCli);
    return test::Run(args, input, Env(token));
  }
  std::string Token(const std::string& agency, const std::string& role = "operator") const {
    Cli(daemon.first_token, {"agency", "add", agency});
    auto r = Cli(daemon.first_token, {"token", "create", "--agency", agency, "--role", role, "--quiet"});
    REQUIRE(r.exit_code == 0);
    std::string token = r.out;
    while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
    return token;
  }
};

void ExecSql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("two agencies, one resource: the second is told who registered it first") {
  Setup s;
  const std::string a = s.Token("National Security");
  const std::string b = s.Token("City Council");
  auto first = s.Cli(a, {"submit", "https://Example.org/news/1?utm_source=vk", "--basis",
                         "Court decision 2-1234/2021", "--category", "extremist", "--json"});
  REQUIRE(first.exit_code == 0);
  const json one = json::parse(first.out);
  CHECK(one["duplicate"] == false);
  CHECK(one["canonical_url"] == "https://example.org/news/1");

  auto second = s.Cli(b, {"submit", "HTTPS://EXAMPLE.ORG:443/news/1?fbclid=abc#top", "--basis",
                          "Order 55/2024", "--category", "extremist"});
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.out, Catch::Contains("National Security"));

  auto shown = s.Cli(b, {"show", "https://example.org/news/1", "--json"});
  REQUIRE(shown.exit_code == 0);
  const json link = json::parse(shown.out);
  CHECK(link["id"] == one["link_id"]);
  REQUIRE(link["reports"].size() == 2);
  CHECK(link["reports"][0]["agency"] == "National Security");
  CHECK(link["reports"][1]["agency"] == "City Council");
  CHECK(link["reports"][1]["duplicate"] == true);

  auto human = s.Cli(a, {"show", one["link_id"].dump()});
  CHECK(human.exit_code == 0);
  CHECK_THAT(human.out, Catch::Contains("City Council"));
}

TEST_CASE("with --no-checks a rescan marks links due and fetches nothing, and a restart frees old leases") {
  Setup s;
  test::TestWebServer web;
  const auto submit = s.Cli(s.daemon.first_token, {"submit", web.Url("/ok"), "--basis", "Court 1/2026", "--category", "extremist"});
  REQUIRE(submit.exit_code == 0);
  const auto rescan = s.Cli(s.daemon.first_token, {"rescan", "--all"});
  REQUIRE(rescan.exit_code == 0);
  CHECK_THAT(rescan.out, Catch::Contains("1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(web.Requests().empty());
  const auto status = json::parse(s.Cli(s.daemon.first_token, {"status", "--json"}).out);
  CHECK(status["due_now"] == 1);
  CHECK(status["crawler"]["checks_recorded"] == 0);

  // A lease left by a run that died is released at the next start, checking or not.
  s.daemon.child->Signal(SIGTERM);
  REQUIRE(s.daemon.child->Wait() == 0);
  ExecSql(s.dir.File("data/linkwatch.db"), "UPDATE link SET lease_until = 9999999999999, lease_id = 7");
  auto again = test::StartDaemon(kDaemon, s.dir.File("data"));
  CHECK_THAT(again.child->Stderr(), Catch::Contains("1 checks left unfinished by the previous run are due again"));
  const auto after = json::parse(test::Http(again.port, "GET", "/v1/status", "", s.daemon.first_token).body);
  CHECK(after["leased"] == 0);
  CHECK(after["due_now"] == 1);
  CHECK(web.Requests().empty());
}

TEST_CASE("audit verify passes, then names the row altered by hand") {
  Setup s;
  const std::string a = s.Token("Police");
  s.Cli(a, {"submit", "https://example.org/a", "--basis", "B-1", "--category", "extremist"});
  s.Cli(a, {"submit", "https://example.org/b", "--basis", "B-2", "--category", "terrorist"});
  auto ok = s.Cli(s.daemon.first_token, {"audit", "verify"});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("intact"));

  ExecSql(s.dir.File("data/linkwatch.db"),
          "UPDATE audit SET detail = replace(detail, 'B-1', 'B-9') WHERE detail LIKE '%B-1%'");
  auto broken = s.Cli(s.daemon.first_token, {"audit", "verify", "--json"});
  CHECK(broken.exit_code == 6);
  const json verdict = json::parse(broken.out);
  CHECK(verdict["ok"] == false);
  CHECK(verdict["first_broken_id"].get<int>() > 1);

  auto offline = test::Run({kCli, "audit", "verify", "--data-dir", s.dir.File("data")});
  CHECK(offline.exit_code == 6);
  CHECK_THAT(offline.out + offline.err, Catch::Contains("row " + verdict["first_broken_id"].dump()));
}

TEST_CASE("a head kept from audit verify catches rows deleted from the end of the log") {
  Setup s;
  const std::string a = s.Token("Police");
  s.Cli(a, {"submit", "https://example.org/a", "--basis", "B-1", "--category", "extremist"});
  s.Cli(a, {"submit", "https://example.org/b", "--basis", "B-2", "--category", "terrorist"});
  const auto first = s.Cli(s.daemon.first_token, {"--json", "audit", "verify"});
  REQUIRE(first.exit_code == 0);
  const json head = json::parse(first.out)["head"];
  REQUIRE(head.is_object());
  const std::string kept = head["id"].dump() + ":" + head["hash"].get<std::string>();
  const auto human = s.Cli(s.daemon.first_token, {"audit", "verify"});
  CHECK_THAT(human.out, Catch::Contains("; head "));
  CHECK(s.Cli(s.daemon.first_token, {"audit", "verify", "--head", kept}).exit_code == 0);

  // Someone with the file removes the last registration and everything after it.
  ExecSql(s.dir.File("data/linkwatch.db"),
          "DELETE FROM audit WHERE id >= (SELECT id FROM audit WHERE detail LIKE '%B-2%')");
  CHECK(s.Cli(s.daemon.first_token, {"audit", "verify"}).exit_code == 0);  // the chain alone holds
  const auto caught = s.Cli(s.daemon.first_token, {"audit", "verify", "--head", kept});
  CHECK(caught.exit_code == 6);
  CHECK_THAT(caught.out, Catch::Contains("the head kept"));  // gone, or a new row in its place
  const auto offline = test::Run({kCli, "audit", "verify", "--data-dir", s.dir.File("data"), "--head", kept});
  CHECK(offline.exit_code == 6);
  const auto bad = s.Cli(s.daemon.first_token, {"audit", "verify", "--head", "12"});
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("an audit head is ID:HASH"));
}

TEST_CASE("import commits the good rows and names the bad ones by line") {
  Setup s;
  const std::string a = s.Token("Police");
  test::WriteFile(s.dir.File("links.csv"),
                  "url,basis,category,note\n"
                  "https://example.org/1,Court 1/2024,extremist,first\n"
                  "javascript:alert(1),Court 1/2024,extremist,\n"
                  "https://example.org/2,,extremist,no basis\n"
                  "https://example.org/3,Court 1/2024,unknowncat,\n"
                  "\"https://example.org/4\",\"Court 1/2024, part 2\",terrorist,\"a, quoted note\"\n"
                  "https://EXAMPLE.org/1?utm_medium=x,Court 2/2024,extremist,dup\n");
  auto r = s.Cli(a, {"import", s.dir.File("links.csv"), "--json"});
  CHECK(r.exit_code == 5);
  const json out = json::parse(r.out);
  CHECK(out["summary"]["new"] == 2);
  CHECK(out["summary"]["duplicate"] == 1);
  CHECK(out["summary"]["invalid"] == 3);
  std::vector<int> lines;
  for (const auto& e : out["invalid"]) lines.push_back(e["line"]);
  CHECK(lines == std::vector<int>{3, 4, 5});

  auto listed = s.Cli(a, {"list", "--json"});
  REQUIRE(listed.exit_code == 0);
  CHECK(json::parse(listed.out)["links"].size() == 2);

  // The same file imported again, as after a partial failure: the rows already in count once.
  auto retried = s.Cli(a, {"import", s.dir.File("links.csv")});
  CHECK(retried.exit_code == 5);
  CHECK_THAT(retried.out, Catch::StartsWith("0 new, 3 duplicate, 3 invalid\n"
                                            "3 of the duplicates your agency had already reported"));
  auto shown = s.Cli(a, {"show", "https://example.org/1", "--json"});
  REQUIRE(shown.exit_code == 0);
  CHECK(json::parse(shown.out)["reports"].size() == 2);  // first, and "dup" with its own basis
  auto again = s.Cli(a, {"submit", "https://example.org/4", "--basis", "Court 1/2024, part 2",
                         "--category", "terrorist"});
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("your agency already reported link #") &&
                            Catch::Contains("nothing new was recorded"));
}

TEST_CASE("an import spread over many pipelined batches counts every row once") {
  Setup s;
  const std::string a = s.Token("Police");
  std::string csv = "url,basis,category\n";
  for (int i = 0; i < 23; ++i) {
    csv += (i == 9 ? std::string("mailto:x@example.org") : "https://example.org/m/" + std::to_string(i % 20)) +
           ",Court 3/2025,extremist\n";
  }
  test::WriteFile(s.dir.File("many.csv"), csv);
  auto r = s.Cli(a, {"import", s.dir.File("many.csv"), "--batch-size", "2", "--json"});
  CHECK(r.exit_code == 5);
  const json out = json::parse(r.out);
  CHECK(out["summary"]["new"] == 19);        // 20 distinct URLs, one of them (i = 9) invalid
  CHECK(out["summary"]["duplicate"] == 3);   // i = 20, 21, 22 repeat 0, 1, 2
  CHECK(out["summary"]["invalid"] == 1);
  REQUIRE(out["invalid"].size() == 1);
  CHECK(out["invalid"][0]["line"] == 11);
  CHECK(json::parse(s.Cli(a, {"list", "--all", "--json"}).out)["links"].size() == 19);
}

TEST_CASE("an import cut off by a daemon stop names the lines not recorded and a second run finishes it") {
  Setup s;
  const std::string a = s.Token("Police");
  constexpr int kRows = 20000;
  std::string csv = "url,basis,category\n";
  for (int i = 0; i < kRows; ++i) csv += "https://example.org/cut/" + std::to_string(i) + ",Court 4/2025,extremist\n";
  test::WriteFile(s.dir.File("cut.csv"), csv);
  // One row per request, so that the stop lands in the middle.
  auto running = std::async(std::launch::async, [&] {
    return s.Cli(a, {"import", s.dir.File("cut.csv"), "--batch-size", "1", "--json"});
  });
  auto links = [&] {
    const auto r = test::Http(s.daemon.port, "GET", "/v1/status", "", a);
    return r.status == 200 ? json::parse(r.body)["links"].get<int64_t>() : int64_t{-1};
  };
  for (int i = 0; i < 300 && links() < 50; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  s.daemon.child->Signal(SIGTERM);
  REQUIRE(s.daemon.child->Wait() == 0);
  const test::RunResult cut = running.get();
  INFO(cut.out << cut.err);
  CHECK(cut.exit_code == 5);  // some rows in, others not
  const json out = json::parse(cut.out);
  const int64_t added = out["summary"]["new"];
  CHECK(added >= 50);
  CHECK(added < kRows);
  CHECK(out["error"].is_string());
  // Every row is accounted for: recorded, sent but not confirmed, or not sent.
  int64_t unconfirmed = 0;
  int64_t previous_last = -1;
  for (const auto& r : out.value("unconfirmed", json::array())) {
    unconfirmed += r["last_line"].get<int64_t>() - r["first_line"].get<int64_t>() + 1;
    // Batches in flight together are one range: never 100-100 then 101-101.
    CHECK(r["first_line"].get<int64_t>() != previous_last + 1);
    previous_last = r["last_line"].get<int64_t>();
  }
  const int64_t unsent_from = out.value("unsent_from_line", int64_t{0});
  const int64_t unsent = unsent_from > 0 ? kRows + 1 - unsent_from + 1 : 0;  // rows are lines 2..kRows+1
  CHECK(unconfirmed + unsent > 0);
  CHECK(added + unconfirmed + unsent == kRows);

  // The same import again, after a restart: the rest goes in, nothing twice.
  s.daemon = test::StartDaemon(kDaemon, s.dir.File("data"));
  const auto again = s.Cli(a, {"import", s.dir.File("cut.csv"), "--json"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  const json rest = json::parse(again.out);
  CHECK(rest["summary"]["new"].get<int64_t>() + rest["summary"]["duplicate"].get<int64_t>() == kRows);
  CHECK(rest["summary"]["duplicate"].get<int64_t>() >= added);
  CHECK(links() == kRows);
}

TEST_CASE("import of a plain list with broken CSV quoting keeps the rows before the error") {
  Setup s;
  const std::string a = s.Token("Police");
  test::WriteFile(s.dir.File("plain.txt"), "https://example.org/p1\n# comment\n\nhttps://example.org/p2\n");
  auto plain = s.Cli(a, {"import", s.dir.File("plain.txt"), "--basis", "Order 9", "--category", "extremist"});
  CHECK(plain.exit_code == 0);
  CHECK_THAT(plain.out, Catch::Contains("2 new"));

  test::WriteFile(s.dir.File("broken.csv"),
                  "https://example.org/q1,B,extremist,ok\n"
                  "https://example.org/q2,\"B,extremist,never closed\n"
                  "https://example.org/q3,B,extremist,after\n");
  auto broken = s.Cli(a, {"import", s.dir.File("broken.csv")});
  CHECK(broken.exit_code != 0);
  CHECK_THAT(broken.err + broken.out, Catch::Contains("line 2"));
  auto q1 = s.Cli(a, {"show", "https://example.org/q1", "--json"});
  CHECK(q1.exit_code == 0);
}

TEST_CASE("exit codes tell scripts what went wrong") {
  Setup s;
  const std::string a = s.Token("Police");
  CHECK(s.Cli(a, {"show", "https://nothing.example/"}).exit_code == 2);
  CHECK(s.Cli(a, {"show", "999999"}).exit_code == 2);
  const auto neither = s.Cli(a, {"show", "abc"});
  CHECK(neither.exit_code == 1);
  CHECK_THAT(neither.err, Catch::Contains("\"abc\" is neither a link id (a whole number) nor a URL (url: the URL is relative"));
  CHECK(s.Cli("lw_wrong", {"list"}).exit_code == 3);
  CHECK(s.Cli(a, {"agency", "add", "Other"}).exit_code == 3);  // operator may not
  CHECK(s.Cli(a, {"submit", "ftp://example.org/", "--basis", "x", "--category", "extremist"}).exit_code == 1);
  CHECK(s.Cli(a, {"frobnicate"}).exit_code == 1);
  auto typo = s.Cli(a, {"sbumit"});
  CHECK(typo.exit_code == 1);
  CHECK_THAT(typo.err, Catch::Contains("submit"));

  s.daemon.child->Signal(SIGTERM);
  REQUIRE(s.daemon.child->Wait() == 0);
  auto down = s.Cli(a, {"list"});
  CHECK(down.exit_code == 4);
  CHECK_THAT(down.err, Catch::Contains("127.0.0.1:" + std::to_string(s.daemon.port)));
}

TEST_CASE("init creates the database and prints the first admin token once") {
  test::TempDir dir;
  auto r = test::Run({kCli, "init", "--data-dir", dir.File("data"), "--quiet"});
  REQUIRE(r.exit_code == 0);
  const std::string token = r.out.substr(0, r.out.find('\n'));
  CHECK(token.rfind("lw_", 0) == 0);
  auto again = test::Run({kCli, "init", "--data-dir", dir.File("data")});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("already"));
  auto d = test::StartDaemon(kDaemon, dir.File("data"));
  CHECK(d.first_token.empty());
  CHECK(test::Http(d.port, "GET", "/v1/whoami", "", token).status == 200);
}
