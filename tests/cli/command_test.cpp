// The commands end to end through Run(), against a canned loopback daemon.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app.h"
#include "loopback_server.h"
#include "test_support.h"

using linkwatch::cli::Io;
using linkwatch::cli::Run;
using linkwatch::cli::test::ClosedLoopbackPort;
using linkwatch::cli::test::HttpReply;
using linkwatch::cli::test::HttpRequest;
using linkwatch::cli::test::LoopbackServer;
using linkwatch::test::TempDir;
using linkwatch::test::WriteFile;
using nlohmann::json;

namespace {

constexpr char kToken[] = "good-token";

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs `linkwatch args...` with only `env` as the environment (no HOME: no
// config file is read) and `input` on stdin.
Outcome RunCli(std::vector<std::string> args, std::map<std::string, std::string> env = {},
               const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  args.insert(args.begin(), "linkwatch");
  Io io{in, out, err, false, [env](const char* name) -> std::optional<std::string> {
          const auto it = env.find(name);
          if (it == env.end()) return std::nullopt;
          return it->second;
        }};
  const int code = Run(args, io);
  return {code, out.str(), err.str()};
}

HttpReply Error(int status, const std::string& code, const std::string& message,
                const std::string& field = "") {
  json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  return {status, json{{"error", error}}.dump()};
}

json Link(int id) {
  return {{"id", id},
          {"canonical_url", "https://a.example/" + std::to_string(id)},
          {"status", "alive"},
          {"category", "extremist"},
          {"origin", "registered"},
          {"first_agency", "police"},
          {"flagged", true},
          {"views", nullptr},
          {"reports", json::array({{{"id", 1},
                                    {"agency", "police"},
                                    {"basis", "Court 1"},
                                    {"reported_at", "2026-11-20T10:00:00.000Z"},
                                    {"duplicate", false}},
                                   {{"id", 2},
                                    {"agency", "fsb"},
                                    {"basis", "Order 9"},
                                    {"reported_at", "2026-11-21T10:00:00.000Z"},
                                    {"duplicate", true}}})}};
}

// "dup" URLs were registered before; "found-pending" / "found-rejected" ones are machine findings.
HttpReply Submit(const json& item) {
  const std::string url = item["url"];
  const bool dup = url.find("dup") != std::string::npos;
  json finding = nullptr;
  if (url.find("found-") != std::string::npos) finding = url.substr(url.find("found-") + 6);
  return {dup ? 200 : 201, json{{"link_id", 12},
                                {"report_id", 40},
                                {"canonical_url", item["url"]},
                                {"duplicate", dup},
                                {"first_agency", dup ? "fsb" : "police"},
                                {"first_reported_at", "2026-11-20T10:00:00.000Z"},
                                {"confirmed_finding", finding}}
                               .dump()};
}

// Rows whose URL contains "bad" are invalid; all others are new links.
HttpReply Batch(const json& request) {
  json results = json::array();
  int added = 0, invalid = 0;
  for (size_t i = 0; i < request["items"].size(); ++i) {
    const json& item = request["items"][i];
    const bool bad = item["url"].get<std::string>().find("bad") != std::string::npos;
    json row = {{"index", i}, {"line", item.value("line", static_cast<int>(i) + 1)}, {"ok", !bad}};
    if (bad)
      row["error"] = {
          {"code", "invalid_argument"}, {"message", "host is blocked"}, {"field", "url"}};
    results.push_back(row);
    (bad ? invalid : added) += 1;
  }
  return {200, json{{"results", results},
                    {"summary", {{"new", added}, {"duplicate", 0}, {"invalid", invalid}}}}
                   .dump()};
}

HttpReply Page(const std::string& target) {
  if (target.find("after=2") != std::string::npos) {
    return {200, json{{"links", {Link(3)}}, {"next_after", nullptr}}.dump()};
  }
  return {200, json{{"links", {Link(1), Link(2)}}, {"next_after", 2}}.dump()};
}

// Link 12 has three checks; a page of two says where the next one starts.
HttpReply History(const std::string& target) {
  const json checks = json::array({
      {{"id", 30}, {"checked_at", "2026-11-21T10:00:00.000Z"}, {"http_status", 200},
       {"status", "removed"}, {"final_url", "https://a.example/12"}, {"elapsed_ms", 5}, {"error", nullptr},
       {"reason", "content removed: no rule matches the page any more"}},
      {{"id", 20}, {"checked_at", "2026-11-20T10:00:00.000Z"}, {"http_status", 200},
       {"status", "alive"}, {"final_url", "https://a.example/12"}, {"elapsed_ms", 7}, {"error", ""}},
      {{"id", 10}, {"checked_at", "2026-11-19T10:00:00.000Z"}, {"http_status", 200},
       {"status", "alive"}, {"final_url", "https://a.example/12"}, {"elapsed_ms", 9}, {"error", ""}}});
  json page = {{"link_id", 12}, {"url", "https://a.example/12"}, {"next_before", nullptr}};
  if (target.find("limit=2") != std::string::npos) {
    page["checks"] = {checks[0], checks[1]};
    page["next_before"] = 20;
  } else {
    page["checks"] = checks;
  }
  return {200, page.dump()};
}

// Link 12's copies: reach unknown (no views), link 13's: one of two shows views.
HttpReply Cluster(int64_t id) {
  json members = json::array({{{"id", id}, {"status", "alive"}, {"views", nullptr}, {"origin", "registered"},
                               {"review_state", nullptr}, {"canonical_url", "https://a.example/12"}},
                              {{"id", 40}, {"status", "alive"}, {"views", id == 13 ? json(700) : json(nullptr)},
                               {"origin", "discovered"}, {"review_state", "confirmed"},
                               {"canonical_url", "https://b.example/12"}}});
  return {200, json{{"cluster_id", 5}, {"link_id", id}, {"repost_count", 1},
                    {"reach", id == 13 ? json(700) : json(nullptr)}, {"members", members}}
                   .dump()};
}

HttpReply FakeDaemon(const HttpRequest& r) {
  if (r.Header("authorization") != std::string("Bearer ") + kToken) {
    return Error(401, "unauthenticated", "missing, unknown or revoked token");
  }
  const std::string& t = r.target;
  if (t == "/v1/whoami") return {200, R"({"token_id":3,"agency":"police","role":"operator"})"};
  if (t == "/v1/links" && r.method == "POST") return Submit(json::parse(r.body));
  if (t == "/v1/links/batch") return Batch(json::parse(r.body));
  if (t == "/v1/links/12" || t.rfind("/v1/links/lookup?url=", 0) == 0)
    return {200, Link(12).dump()};
  if (t.rfind("/v1/links?", 0) == 0) return Page(t);
  if (t.rfind("/v1/links/12/history?", 0) == 0) return History(t);
  if (t == "/v1/links/12/cluster") return Cluster(12);
  if (t == "/v1/links/13/cluster") return Cluster(13);
  if (t == "/v1/rescan") return {200, R"({"queued":1})"};
  if (t == "/v1/status") {
    return {200, R"({"links":9,"due_now":1,"leased":8,"next_due":null,"checks_last_hour":4,"by_status":{"alive":9},
      "crawler":{"in_flight":8,"fetch_running":1,"fetch_queued":5,"links_postponed":2,"checks_per_minute":4.0,
      "checks_recorded":4,"leases_lost":0}})"};
  }
  if (t == "/v1/audit/verify") {
    return {200, R"({"ok":false,"rows_checked":40,"first_broken_id":17,"reason":"hash mismatch"})"};
  }
  return Error(404, "not_found", "no such link");
}

struct FakeDaemonFixture {
  LoopbackServer server{&FakeDaemon};
  std::map<std::string, std::string> env{{"LINKWATCH_URL", server.url()},
                                         {"LINKWATCH_TOKEN", kToken}};

  Outcome Cli(std::vector<std::string> args, const std::string& input = "") {
    return RunCli(std::move(args), env, input);
  }
  std::vector<json> BatchBodies() const {
    std::vector<json> bodies;
    for (const HttpRequest& r : server.requests()) {
      if (r.target == "/v1/links/batch") bodies.push_back(json::parse(r.body));
    }
    return bodies;
  }
};

constexpr char kMixedCsv[] =
    "url,basis,category,note\n"                  // 1
    "https://a.example/1,B,extremist,\n"         // 2
    "https://bad.example/2,B,extremist\n"        // 3: rejected by the daemon
    "https://a.example/3,B\n"                    // 4: too few columns
    "https://a.example/4,B,extremist,\"multi\n"  // 5
    "line note\"\n"                              // 6
    "\n"                                         // 7
    "https://a.example/5,B,extremist\n";         // 8

}  // namespace

TEST_CASE_METHOD(FakeDaemonFixture,
                 "whoami prints agency and role, or the API object with --json") {
  const Outcome text = Cli({"whoami"});
  CHECK(text.code == 0);
  CHECK(text.out == "token #3 of agency 'police', role operator\n");
  const Outcome machine = Cli({"whoami", "--json"});  // a global flag after the command
  CHECK(machine.code == 0);
  CHECK(json::parse(machine.out) ==
        json::parse(R"({"token_id":3,"agency":"police","role":"operator"})"));
}

TEST_CASE_METHOD(FakeDaemonFixture, "submit tells a new link from one already registered") {
  const auto [url, expected] = GENERATE(table<std::string, std::string>({
      {"https://a.example/new", "new link #12: https://a.example/new\n"},
      {"https://a.example/dup",
       "already registered by fsb on 2026-11-20T10:00:00.000Z (link #12); your report was "
       "recorded\n"},
      {"https://a.example/found-pending",
       "link #12 (https://a.example/found-pending) was found by the crawler and is pending review; "
       "your registration confirms it and is its first report\n"},
      {"https://a.example/found-rejected",
       "link #12 (https://a.example/found-rejected) was found by the crawler and rejected in review; "
       "your registration confirms it and is its first report\n"},
  }));
  const Outcome result = Cli({"submit", url, "--basis", "Court 1", "--category", "extremist"});
  CHECK(result.code == 0);
  CHECK(result.out == expected);
  const HttpRequest sent = server.requests().back();
  CHECK(json::parse(sent.body) ==
        json{{"url", url}, {"basis", "Court 1"}, {"category", "extremist"}});
}

TEST_CASE_METHOD(FakeDaemonFixture, "submit --json prints the submit result verbatim") {
  const Outcome result = Cli({"--json", "submit", "https://a.example/dup", "--basis", "B",
                              "--category", "extremist", "--note", "seen twice"});
  CHECK(result.code == 0);
  const json printed = json::parse(result.out);
  CHECK(printed["duplicate"] == true);
  CHECK(printed["first_agency"] == "fsb");
  CHECK(printed["link_id"] == 12);
  CHECK(json::parse(server.requests().back().body)["note"] == "seen twice");
}

TEST_CASE_METHOD(FakeDaemonFixture,
                 "import sends batches with file line numbers, partial failure exits 5") {
  const Outcome result = Cli({"import", "-", "--batch-size", "2"}, kMixedCsv);
  CHECK(result.code == 5);
  CHECK(result.out ==
        "3 new, 0 duplicate, 2 invalid\n"
        "line 3: url: host is blocked\n"
        "line 4: expected 3 or 4 columns (url,basis,category[,note]), found 2\n");
  std::vector<json> batches = BatchBodies();
  REQUIRE(batches.size() == 2);
  // Two batches are on the wire at once: the server may see them in either order.
  std::sort(batches.begin(), batches.end(), [](const json& a, const json& b) {
    return a["items"][0]["line"].get<int>() < b["items"][0]["line"].get<int>();
  });
  CHECK(batches[0]["items"].size() == 2);
  CHECK(batches[0]["items"][0]["line"] == 2);
  CHECK(batches[0]["items"][1]["line"] == 3);
  CHECK(batches[1]["items"][0]["line"] == 5);
  CHECK(batches[1]["items"][0]["note"] == "multi\nline note");
  CHECK(batches[1]["items"][1]["line"] == 8);
  CHECK_FALSE(batches[0]["items"][0].contains("note"));  // an empty note is not sent
}

TEST_CASE_METHOD(FakeDaemonFixture, "import --json prints the summary and the invalid rows") {
  const Outcome result = Cli({"import", "-", "--json"}, kMixedCsv);
  CHECK(result.code == 5);
  const json printed = json::parse(result.out);
  CHECK(printed["summary"] == json{{"new", 3}, {"duplicate", 0}, {"repeated", 0}, {"invalid", 2}});
  REQUIRE(printed["invalid"].size() == 2);
  CHECK(printed["invalid"][0] == json{{"line", 3}, {"error", "url: host is blocked"}});
  CHECK(printed["invalid"][1]["line"] == 4);
}

TEST_CASE_METHOD(FakeDaemonFixture, "a plain list with --basis and --category imports every URL") {
  TempDir dir;
  WriteFile(dir.File("urls.txt"), "https://a.example/1\n# skip\nhttps://a.example/2\n");
  const Outcome result =
      Cli({"import", dir.File("urls.txt"), "--basis", "Court 5", "--category", "terrorist"});
  CHECK(result.code == 0);
  CHECK(result.out == "2 new, 0 duplicate, 0 invalid\n");
  const std::vector<json> batches = BatchBodies();
  REQUIRE(batches.size() == 1);
  CHECK(batches[0]["items"][1] == json{{"url", "https://a.example/2"},
                                       {"basis", "Court 5"},
                                       {"category", "terrorist"},
                                       {"line", 3}});
}

TEST_CASE_METHOD(FakeDaemonFixture,
                 "broken quoting names the line, the rows before and after it are submitted") {
  const std::string csv =
      "https://a.example/1,B,C\nhttps://a.example/2,B,C\nhttps://a.example/3,\"B\"x,C\n"
      "https://a.example/4,B,C\n";
  const Outcome result = Cli({"import", "-"}, csv);
  CHECK(result.code == 5);
  CHECK(result.out ==
        "3 new, 0 duplicate, 1 invalid\n"
        "line 3: malformed CSV quoting (a quote inside an unquoted field, or text after a closing "
        "quote)\n");
  REQUIRE(BatchBodies().size() == 1);
  CHECK(BatchBodies()[0]["items"].size() == 3);
  CHECK(BatchBodies()[0]["items"][2]["line"] == 4);
}

TEST_CASE_METHOD(FakeDaemonFixture,
                 "an oversized row is refused locally, and batches stay small in bytes") {
  std::string csv = "https://a.example/huge,B,C,\"" + std::string(256 << 10, 'n') + "\"\n";
  const std::string note(40 * 1024, 'x');
  for (int i = 0; i < 40; ++i) csv += "https://a.example/" + std::to_string(i) + ",B,C," + note + "\n";
  const Outcome result = Cli({"import", "-"}, csv);
  CHECK(result.code == 5);
  CHECK_THAT(result.out, Catch::StartsWith("40 new, 0 duplicate, 1 invalid\nline 1: the row is "));
  const std::vector<json> batches = BatchBodies();
  REQUIRE(batches.size() == 2);  // 1.6 MB of rows: sent as two requests of about 1 MiB at most
  size_t rows = 0;
  for (const HttpRequest& r : server.requests()) {
    if (r.target != "/v1/links/batch") continue;
    CHECK(r.body.size() < size_t{2} << 20);
  }
  for (const json& b : batches) rows += b["items"].size();
  CHECK(rows == 40);
}

TEST_CASE_METHOD(FakeDaemonFixture, "import refuses --basis without --category before reading") {
  const Outcome result = Cli({"import", "-", "--basis", "B"}, "https://a.example/1\n");
  CHECK(result.code == 1);
  CHECK_THAT(result.err, Catch::Contains("--basis and --category"));
  CHECK(server.requests().empty());
}

TEST_CASE_METHOD(FakeDaemonFixture, "import names an empty --basis or --category, even when both are given") {
  const auto [args, message] = GENERATE(table<std::vector<std::string>, std::string>({
      {{"--basis", "", "--category", "extremist"}, "--basis is empty: give the legal basis"},
      {{"--basis", "Court 5", "--category", " "}, "--category is empty: give the category"},
      {{"--basis", "", "--category", ""}, "--basis is empty"},
      {{"--category", "extremist", "--basis", "\t"}, "--basis is empty"},
  }));
  std::vector<std::string> argv = {"import", "-"};
  argv.insert(argv.end(), args.begin(), args.end());
  const Outcome result = Cli(argv, "https://a.example/1\n");
  CHECK(result.code == 1);
  CHECK_THAT(result.err, Catch::Contains(message));
  CHECK(server.requests().empty());
}

TEST_CASE_METHOD(FakeDaemonFixture, "an unreadable import file is a usage error") {
  const Outcome result = Cli({"import", "/nonexistent/links.csv"});
  CHECK(result.code == 1);
  CHECK_THAT(result.err, Catch::Contains("cannot open /nonexistent/links.csv: No such file or directory"));
}

TEST_CASE_METHOD(FakeDaemonFixture, "show asks by id for a number and by URL otherwise") {
  const auto [arg, target] = GENERATE(table<std::string, std::string>({
      {"12", "/v1/links/12"},
      {"https://a.example/12?x=1&y=2",
       "/v1/links/lookup?url=https%3A%2F%2Fa.example%2F12%3Fx%3D1%26y%3D2"},
  }));
  const Outcome result = Cli({"show", arg});
  CHECK(result.code == 0);
  CHECK(server.requests().back().target == target);
  CHECK_THAT(result.out, Catch::StartsWith("link #12  https://a.example/12\n"));
  CHECK_THAT(result.out, Catch::Contains("reports (2):"));
  CHECK_THAT(result.out, Catch::Contains("fsb     2026-11-21T10:00:00.000Z  yes"));
}

TEST_CASE_METHOD(FakeDaemonFixture, "list passes filters, --all follows next_after") {
  const Outcome one = Cli({"list", "--status", "alive", "--text", "a b", "--limit", "2"});
  CHECK(one.code == 0);
  CHECK(server.requests().back().target == "/v1/links?status=alive&q=a%20b&limit=2");
  CHECK_THAT(one.err, Catch::Contains("--after 2"));
  const Outcome all = Cli({"list", "--all", "--json"});
  CHECK(all.code == 0);
  const json printed = json::parse(all.out);
  CHECK(printed["links"].size() == 3);
  CHECK(printed["next_after"].is_null());
  CHECK(server.requests().back().target == "/v1/links?after=2");
}

TEST_CASE_METHOD(FakeDaemonFixture, "history says when it shows only the newest checks") {
  const Outcome all = Cli({"history", "12"});
  CHECK(all.code == 0);
  CHECK_THAT(all.out, Catch::StartsWith("link #12  https://a.example/12  (3 checks, newest first)\n"));
  CHECK(all.err.empty());
  const Outcome some = Cli({"history", "12", "--limit", "2"});
  CHECK(some.code == 0);
  CHECK(server.requests().back().target == "/v1/links/12/history?limit=2");
  CHECK_THAT(some.out,
             Catch::StartsWith("link #12  https://a.example/12  (the newest 2 checks, newest first)\n"));
  CHECK_THAT(some.err, Catch::Contains("older checks: --before 20"));
  const Outcome machine = Cli({"history", "12", "--limit", "2", "--json"});
  CHECK(machine.code == 0);
  const json printed = json::parse(machine.out);  // the list of checks, as the issue's interface says
  REQUIRE(printed.is_array());
  CHECK(printed.size() == 2);
  CHECK(printed[0]["status"] == "removed");
}

TEST_CASE_METHOD(FakeDaemonFixture, "history shows why a check counts as removed, --json keeps the field") {
  const Outcome text = Cli({"history", "12"});
  CHECK(text.code == 0);
  CHECK_THAT(text.out, Catch::Contains("ERROR  REASON\n"));
  CHECK_THAT(text.out, Catch::Contains("content removed: no rule matches the page any more\n"));
  const Outcome machine = Cli({"history", "12", "--json"});
  CHECK(machine.code == 0);
  const json printed = json::parse(machine.out);
  CHECK(printed[0]["reason"] == "content removed: no rule matches the page any more");
  CHECK(printed[0]["error"].is_null());
}

TEST_CASE_METHOD(FakeDaemonFixture, "a paging cursor the API would refuse is refused naming the option") {
  const auto [args, message] = GENERATE(table<std::vector<std::string>, std::string>({
      {{"history", "12", "--before", "-1"}, "--before: must be a whole number from 1, not \"-1\""},
      {{"history", "12", "--before", "0"}, "--before: must be a whole number from 1, not \"0\""},
      {{"review", "list", "--after", "-1"}, "--after: must be a whole number from 1, not \"-1\""},
      {{"review", "list", "--after", "0"}, "--after: must be a whole number from 1, not \"0\""},
      {{"list", "--after", "-1"}, "--after: must be a whole number from 1, not \"-1\""},
      {{"list", "--after", "0"}, "--after: must be a whole number from 1, not \"0\""},
      {{"list", "--after", "99999999999999999999"}, "--after: must be a whole number from 1"},
  }));
  const Outcome result = Cli(args);
  CHECK(result.code == 1);
  CHECK_THAT(result.err, Catch::Contains(message));
  CHECK_THAT(result.err, !Catch::Contains("179769"));
  CHECK(result.out.empty());
  CHECK(server.requests().empty());
}

TEST_CASE_METHOD(FakeDaemonFixture, "a positive paging cursor is sent on") {
  const Outcome result = Cli({"history", "12", "--before", "20"});
  CHECK(result.code == 0);
  CHECK(server.requests().back().target == "/v1/links/12/history?before=20");
}

TEST_CASE("a --timeout that is not a positive number of seconds is refused saying so") {
  const std::string bad = GENERATE("-1", "0", "abc", "nan", "inf", "1e400", "86401", "1e300");
  const Outcome result = RunCli({"--timeout", bad, "whoami"});
  CHECK(result.code == 1);
  CHECK(result.err == std::string("linkwatch: --timeout: must be a positive number of seconds up to 86400, not \"")
                          .append(bad)
                          .append("\"\n"));
}

TEST_CASE_METHOD(FakeDaemonFixture, "a fractional --timeout is accepted") {
  const Outcome result = Cli({"--timeout", "2.5", "whoami"});
  CHECK(result.code == 0);
}

TEST_CASE_METHOD(FakeDaemonFixture, "rescan takes exactly one target and names the two given") {
  const auto [args, message] = GENERATE(table<std::vector<std::string>, std::string>({
      {{"rescan", "5", "--all"}, "; not both 5 and --all"},
      {{"rescan", "5", "--status", "removed"}, "; not both 5 and --status removed"},
      {{"rescan", "https://a.example/1", "--all"}, "; not both https://a.example/1 and --all"},
      {{"rescan", "--status", "alive", "--all"}, "; not both --status alive and --all"},
      {{"rescan"}, "\n"},
  }));
  const Outcome result = Cli(args);
  CHECK(result.code == 1);
  const std::string usage = "linkwatch: rescan takes one target: a link (URL or ID), --status S or --all";
  CHECK(result.err == usage + message + (message == "\n" ? "" : "\n"));
  CHECK(server.requests().empty());
}

TEST_CASE_METHOD(FakeDaemonFixture, "rescan sends its one target") {
  const auto [args, body] = GENERATE(table<std::vector<std::string>, json>({
      {{"rescan", "5"}, json{{"link_id", 5}}},
      {{"rescan", "https://a.example/1"}, json{{"url", "https://a.example/1"}}},
      {{"rescan", "--status", "removed"}, json{{"status", "removed"}}},
      {{"rescan", "--all"}, json{{"all", true}}},
  }));
  const Outcome result = Cli(args);
  CHECK(result.code == 0);
  CHECK(result.out == "1 link(s) queued for a check now\n");
  REQUIRE(server.requests().size() == 1);
  CHECK(json::parse(server.requests().back().body) == body);
}

TEST_CASE_METHOD(FakeDaemonFixture, "digits that are no link id are refused as such, not looked up as a URL") {
  const auto [args, bad] = GENERATE(table<std::vector<std::string>, std::string>({
      {{"show", "--", "-5"}, "-5"},
      {{"show", "99999999999999999999"}, "99999999999999999999"},
      {{"show", "0"}, "0"},
      {{"history", "9223372036854775808"}, "9223372036854775808"},
      {{"history", "--", "-1"}, "-1"},
      {{"cluster", "--", "-12"}, "-12"},
      {{"evidence", "00"}, "00"},
      {{"rescan", "--", "-5"}, "-5"},
  }));
  const Outcome result = Cli(args);
  CHECK(result.code == 1);
  CHECK(result.err == std::string("linkwatch: LINK: \"") + bad +
                          "\" is not a valid link id (ids are whole numbers from 1 to "
                          "9223372036854775807)\n");
  CHECK(server.requests().empty());
}

TEST_CASE_METHOD(FakeDaemonFixture, "the largest link id is asked for by id") {
  const Outcome result = Cli({"show", "9223372036854775807"});
  CHECK(result.code == 2);  // the fake daemon knows no such link
  CHECK(server.requests().back().target == "/v1/links/9223372036854775807");
}

TEST_CASE_METHOD(FakeDaemonFixture, "cluster says reach unknown, never 0, when no copy shows its views") {
  const Outcome none = Cli({"cluster", "12"});
  CHECK(none.code == 0);
  CHECK_THAT(none.out, Catch::StartsWith("cluster #5: 2 copies, repost count 1, reach unknown (no copy shows its views)\n"));
  const Outcome some = Cli({"cluster", "13"});
  CHECK(some.code == 0);
  CHECK_THAT(some.out, Catch::StartsWith("cluster #5: 2 copies, repost count 1, reach 700 views (1 of 2 copies show their views)\n"));
}

TEST_CASE_METHOD(FakeDaemonFixture, "status accounts for every fetch in flight") {
  const Outcome r = Cli({"status"});
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("in flight      8 (on the wire 1, waiting for a host slot 5, "
                                    "waiting to retry or being recorded 2)\n"));
}

TEST_CASE_METHOD(FakeDaemonFixture, "audit verify exits 6 when the chain is broken") {
  const Outcome result = Cli({"audit", "verify"});
  CHECK(result.code == 6);
  CHECK(result.out == "audit chain broken at row 17: hash mismatch\n");
}

TEST_CASE_METHOD(FakeDaemonFixture, "daemon errors print the API message and map to exit codes") {
  const Outcome missing = Cli({"show", "99"});
  CHECK(missing.code == 2);
  CHECK(missing.err == "linkwatch: no such link\n");
  env["LINKWATCH_TOKEN"] = "revoked";
  const Outcome denied = Cli({"whoami"});
  CHECK(denied.code == 3);
  CHECK(denied.err == "linkwatch: missing, unknown or revoked token\n");
}

TEST_CASE("without a token the client stops before calling: exit 3") {
  const Outcome result = RunCli({"whoami"}, {{"LINKWATCH_URL", "http://127.0.0.1:1"}});
  CHECK(result.code == 3);
  CHECK_THAT(result.err, Catch::Contains("LINKWATCH_TOKEN"));
}

TEST_CASE("an unreachable daemon exits 4 and suggests starting linkwatchd") {
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedLoopbackPort());
  const Outcome result = RunCli({"--url", url, "--token", "t", "whoami"});
  CHECK(result.code == 4);
  CHECK_THAT(result.err, Catch::StartsWith("linkwatch: cannot reach linkwatchd at " + url));
  CHECK_THAT(result.err, Catch::Contains("Start it with `linkwatchd`"));
}

TEST_CASE("a mistyped command is refused with a suggestion") {
  const auto [args, message] = GENERATE(table<std::vector<std::string>, std::string>({
      {{"sumbit", "https://a.example/"}, "unknown command 'sumbit'; did you mean 'submit'?"},
      {{"agency", "ad", "x"}, "unknown command 'agency ad'; did you mean 'agency add'?"},
      {{"token", "revok", "3"}, "unknown command 'token revok'; did you mean 'token revoke'?"},
      {{"frobnicate"}, "unknown command 'frobnicate'; see 'linkwatch --help'"},
  }));
  const Outcome result = RunCli(args);
  CHECK(result.code == 1);
  CHECK_THAT(result.err, Catch::Contains(message));
}

TEST_CASE("usage errors exit 1, --help exits 0 and lists the exit codes") {
  CHECK(RunCli({}).code == 1);
  CHECK(RunCli({"agency"}).code == 1);
  CHECK(RunCli({"submit", "https://a.example/"}).code == 1);  // --basis missing
  CHECK(RunCli({"whoami", "extra"}).code == 1);
  CHECK(RunCli({"--nope", "whoami"}).code == 1);
  CHECK(RunCli({"token", "create", "--agency", "a", "--role", "king"}).code == 1);
  const Outcome help = RunCli({"--help"});
  CHECK(help.code == 0);
  CHECK_THAT(help.out, Catch::Contains("6  audit verify: the audit chain is broken"));
}

TEST_CASE("an ID that is not a whole number from 1 is a usage error saying so") {
  const auto [args, bad] = GENERATE(table<std::vector<std::string>, std::string>({
      {{"review", "show", "abc"}, "abc"},
      {{"review", "show", "1.5"}, "1.5"},
      {{"review", "accept", "0", "--basis", "B"}, "0"},
      {{"review", "reject", "--reason", "R", "--", "-1"}, "-1"},
      {{"token", "revoke", "x7"}, "x7"},
  }));
  const Outcome result = RunCli(args);
  CHECK(result.code == 1);
  CHECK_THAT(result.err, Catch::Contains("must be a whole number from 1, not \"" + bad + "\""));
  CHECK_THAT(result.err, !Catch::Contains("179769"));
}

TEST_CASE("canon prints one canonical URL, or answers JSON lines in order") {
  const Outcome one = RunCli({"canon", "HTTPS://Example.ORG:443/a/../b?utm_source=x"});
  CHECK(one.code == 0);
  CHECK(one.out == "https://example.org/b\n");
  const Outcome lines = RunCli({"canon", "--key"}, {},
                               "{\"input\":\"http://a.example/x\",\"base\":null}\n"
                               "garbage\n"
                               "{\"input\":\"y\",\"base\":\"http://b.example/\"}\n");
  CHECK(lines.code == 0);
  CHECK(lines.out ==
        "{\"href\":\"https://a.example/x\"}\n"
        "{\"error\":\"input line is not valid JSON (or UTF-8)\"}\n"
        "{\"href\":\"https://b.example/y\"}\n");
  CHECK(RunCli({"canon", "javascript:alert(1)"}).code == 1);
}

TEST_CASE("init creates the database and prints the first admin token once") {
  TempDir dir;
  const std::string data = dir.File("data/nested");
  const Outcome first = RunCli({"init", "--data-dir", data, "--quiet"});
  REQUIRE(first.code == 0);
  CHECK(first.out.size() > 10);
  CHECK(first.out.find('\n') == first.out.size() - 1);  // only the token
  CHECK(std::filesystem::exists(data + "/linkwatch.db"));
  const Outcome again = RunCli({"init", "--data-dir", data});
  CHECK(again.code == 1);
  CHECK_THAT(again.err, Catch::Contains("already initialized"));
  const Outcome verify = RunCli({"audit", "verify", "--data-dir", data});
  CHECK(verify.code == 0);
  CHECK_THAT(verify.out, Catch::StartsWith("audit chain intact: "));
}

TEST_CASE("init explains the token unless --quiet") {
  TempDir dir;
  const Outcome result = RunCli({"init", "--data-dir", dir.path(), "--agency", "prosecutors"});
  REQUIRE(result.code == 0);
  CHECK_THAT(result.out, Catch::Contains("agency 'prosecutors'"));
  CHECK_THAT(result.out, Catch::Contains("shown only now"));
}

TEST_CASE("audit verify --data-dir on a missing database fails without creating one") {
  TempDir dir;
  const Outcome result = RunCli({"audit", "verify", "--data-dir", dir.path()});
  CHECK(result.code != 0);
  CHECK_FALSE(std::filesystem::exists(dir.File("linkwatch.db")));
}
