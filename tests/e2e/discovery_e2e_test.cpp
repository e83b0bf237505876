// Reach and spread end to end: one article reposted on several hosts and
// linked from a flagged page. A user registers one copy; the daemon discovers
// the others within its scope; the review queue shows them with their source;
// the cluster lists every copy with its views; repost count and reach add up;
// a rejected link is never fetched again; links leaving the scope never are.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>
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

constexpr char kRule[] = R"toml(
[[rule]]
id = "cd-001"
category = "extremist"
severity = 3
description = "Slogan of the (fictional) Crimson Dawn movement"
legal_basis = "Court decision No. 2-1234/2021 (fictional)"
patterns = ['crimson\s+dawn\s+rises']
)toml";

constexpr char kConfig[] = R"toml(
[schedule]
alive_interval_s = 1
confirm_interval_s = 1
jitter = 0
poll_interval_ms = 100

[crawler]
per_host_delay_ms = 0
max_per_host = 8
max_retries = 0

[rules]
paths = ["RULES"]

[discovery]
allow_hosts = ["127.0.0.2", "127.0.0.3"]
max_depth = 1
poll_interval_ms = 100
remember_s = 3600
)toml";

// An article of about 250 invented words; the slogan closes it.
std::string Article(bool with_slogan) {
  std::string text;
  const char* sentences[] = {
      "The harbour council met on a grey morning to discuss the old lighthouse and its keepers.",
      "Fishermen from the northern villages brought nets, stories and complaints about the tides.",
      "A teacher read letters written by children who had never seen the sea in winter storms.",
      "The mayor promised new benches for the square and a bus that runs after nine in the evening.",
      "Someone asked about the bakery that closed last spring, and nobody had a good answer for it.",
      "Volunteers painted the railings along the promenade in a shade of blue chosen by a vote.",
      "An engineer explained why the pier needs new pillars before the autumn gales arrive again.",
      "The library will open on Sundays, and the museum will lend its maps of the coast to schools.",
      "Farmers spoke about the road to the market and the bridge that floods every other year.",
      "The meeting ended with tea, a short song, and a list of tasks for the next four weeks."};
  for (int round = 0; round < 2; ++round) {
    for (const char* s : sentences) text += std::string("<p>") + s + "</p>\n";
  }
  if (with_slogan) text += "<p>At the very end someone wrote that crimson dawn rises.</p>\n";
  return text;
}

std::string JsonLdViews(int64_t views) {
  return R"(<script type="application/ld+json">{"@context":"https://schema.org","@type":"Article",)"
         R"("interactionStatistic":{"@type":"InteractionCounter","interactionType":"https://schema.org/WatchAction",)"
         R"("userInteractionCount":)" + std::to_string(views) + "}}</script>";
}

// One site's template around an article.
std::string Page(const std::string& site, const std::string& article, int64_t views,
                 const std::string& links) {
  return "<html><head><title>" + site + "</title>" + JsonLdViews(views) + "</head><body>" +
         "<nav><a href=\"/\">" + site + " home</a> | news | sport | weather | contact</nav>" +
         "<header><h1>" + site + " daily</h1></header><article>" + article + "</article>" +
         "<aside>Most read on " + site + ": markets, football, recipes</aside>" + links +
         "<footer>(c) " + site + " 2026, all rights reserved</footer></body></html>";
}

struct Corpus {
  test::TempDir dir;
  test::TestWebServer web{{"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"}};
  test::Daemon daemon;
  std::string admin;

  Corpus() {
    std::filesystem::create_directories(dir.File("rules"));
    test::WriteFile(dir.File("rules/cd.toml"), kRule);
    std::string config = kConfig;
    config.replace(config.find("RULES"), 5, dir.File("rules"));
    test::WriteFile(dir.File("d.toml"), config);
    const std::string links =
        "<p><a href=\"" + web.Url("/copy-b", 1) + "\">copy b</a> <a href=\"" + web.Url("/copy-c", 2) +
        "\">copy c</a> <a href=\"" + web.Url("/copy-d", 1) + "\">copy d</a> <a href=\"" +
        web.Url("/outside", 3) + "\">elsewhere</a> <a href=\"/unrelated\">unrelated</a></p>";
    const std::string onward = "<p><a href=\"" + web.Url("/deeper", 0) + "\">deeper</a></p>";
    web.SetBody("/article", Page("Harbour Herald", Article(true), 1000, links));
    web.SetBody("/copy-b", Page("Coast Courier", Article(true), 250, onward));
    web.SetBody("/copy-c", Page("Bay Bulletin", Article(false), 40, onward));
    web.SetBody("/copy-d", Page("Mirror Mill", Article(true), 5, ""));
    web.SetBody("/outside", Page("Far Away", Article(true), 9, ""));
    web.SetBody("/deeper", Page("Deep Site", Article(true), 9, ""));
    web.SetBody("/unrelated", "<html><body><p>Opening hours of the town pool.</p></body></html>");
    daemon = test::StartDaemon(kDaemon, dir.File("data"), {"--config", dir.File("d.toml")}, true);
    admin = daemon.first_token;
  }
  json Call(const std::string& method, const std::string& target, const json& body = nullptr,
            const std::string& token = "") {
    auto r = test::Http(daemon.port, method, target, body.is_null() ? "" : body.dump(),
                        token.empty() ? admin : token);
    INFO(method << " " << target << ": " << r.body);
    REQUIRE(r.status < 300);
    return json::parse(r.body);
  }
  test::RunResult Cli(const std::string& token, std::vector<std::string> args) {
    args.insert(args.begin(), {kCli, "--url", "http://127.0.0.1:" + std::to_string(daemon.port), "--token", token});
    return test::Run(args);
  }
  std::string Token(const std::string& agency, const std::string& role) {
    Call("POST", "/v1/agencies", {{"name", agency}});
    return Call("POST", "/v1/tokens", {{"agency", agency}, {"role", role}})["token"];
  }
  template <typename Pred>
  bool Wait(Pred pred, int seconds = 40) {
    for (int i = 0; i < seconds * 10; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

}  // namespace

TEST_CASE("one registered copy leads to the others, reviewed, clustered and counted") {
  Corpus c;
  const std::string reviewer = c.Token("Prosecutor", "reviewer");
  const std::string operator_token = c.Token("Police", "operator");
  const int64_t a = c.Call("POST", "/v1/links",
                           {{"url", c.web.Url("/article")}, {"basis", "Court 1/2026"}, {"category", "extremist"}},
                           operator_token)["link_id"];

  // The copies on the allow-listed hosts are discovered: two by the rule, one by its text.
  const bool found = c.Wait([&] { return c.Call("GET", "/v1/review")["links"].size() == 3; });
  INFO(c.daemon.child->Stderr() << "\n" << c.Call("GET", "/v1/status").dump() << "\n"
                                << c.Call("GET", "/v1/links?origin=discovered").dump());
  REQUIRE(found);
  const json queue = c.Call("GET", "/v1/review")["links"];
  std::map<std::string, json> by_path;
  for (const auto& l : queue) {
    CHECK(l["origin"] == "discovered");
    CHECK(l["review_state"] == "pending");
    CHECK(l["found_from"]["id"] == a);
    CHECK(l["found_from"]["url"] == c.Call("GET", "/v1/links/" + std::to_string(a))["canonical_url"]);
    CHECK(l["depth"] == 1);
    const std::string url = l["canonical_url"];
    by_path[url.substr(url.rfind('/'))] = l;
  }
  REQUIRE(by_path.count("/copy-b") == 1);
  REQUIRE(by_path.count("/copy-c") == 1);
  REQUIRE(by_path.count("/copy-d") == 1);
  const int64_t b = by_path["/copy-b"]["id"], cc = by_path["/copy-c"]["id"], d = by_path["/copy-d"]["id"];
  // Each says why it was kept: the rule that flagged it, or the cluster its text joined.
  CHECK(by_path["/copy-b"]["found_from"]["reason"] == "rules: cd-001");
  CHECK(by_path["/copy-d"]["found_from"]["reason"] == "rules: cd-001");
  CHECK_THAT(by_path["/copy-c"]["found_from"]["reason"].get<std::string>(), Catch::StartsWith("cluster: "));
  const auto why = c.Cli(reviewer, {"review", "show", std::to_string(b)});
  REQUIRE(why.exit_code == 0);
  CHECK_THAT(why.out, Catch::Contains("found for    rules: cd-001"));

  // The review queue on the command line shows the source page.
  const auto listed = c.Cli(reviewer, {"review", "list"});
  REQUIRE(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains("127.0.0.3:" + std::to_string(c.web.port(2)) + "/copy-c"));
  CHECK_THAT(listed.out, Catch::Contains("FOUND ON"));

  // An operator may not decide; a reviewer rejects one copy and accepts another.
  CHECK(c.Cli(operator_token, {"review", "reject", std::to_string(d), "--reason", "x"}).exit_code == 3);
  const auto rejected = c.Cli(reviewer, {"review", "reject", std::to_string(d), "--reason", "a parody, not the material"});
  INFO(rejected.err);
  REQUIRE(rejected.exit_code == 0);
  // A basis as a registration takes it: a string, not blank, at most 500 characters.
  const std::string accept_path = "/v1/review/" + std::to_string(b) + "/accept";
  for (const auto& [body, message] : std::vector<std::pair<json, std::string>>{
           {{{"basis", 5}}, "basis must be a string"},
           {{{"basis", "  \t "}}, "accepting needs the legal basis"},
           {{{"basis", std::string(501, 'x')}}, "basis is longer than 500 characters"}}) {
    const auto refused = test::Http(c.daemon.port, "POST", accept_path, body.dump(), reviewer);
    CHECK(refused.status == 400);
    CHECK_THAT(refused.body, Catch::Contains(message));
  }
  const auto accepted = c.Cli(reviewer, {"review", "accept", std::to_string(b), "--basis", "Court decision 9/2026"});
  INFO(accepted.err);
  REQUIRE(accepted.exit_code == 0);
  CHECK_THAT(accepted.out, Catch::Contains("confirmed"));
  const int d_requests = c.web.Count("/copy-d");

  // Every copy is checked and clustered; the rejected one leaves the counts.
  REQUIRE(c.Wait([&] {
    const json l = c.Call("GET", "/v1/links/" + std::to_string(a));
    return l["repost_count"] == 2 && c.Call("GET", "/v1/links/" + std::to_string(cc))["views"] == 40;
  }));
  const json cluster = c.Call("GET", "/v1/links/" + std::to_string(a) + "/cluster");
  REQUIRE(cluster["members"].size() == 3);
  std::set<int64_t> members;
  for (const auto& m : cluster["members"]) members.insert(m["id"].get<int64_t>());
  CHECK(members == std::set<int64_t>{a, b, cc});
  CHECK(cluster["reach"] == 1000 + 250 + 40);
  CHECK(cluster["repost_count"] == 2);
  const json link = c.Call("GET", "/v1/links/" + std::to_string(a));
  CHECK(link["views"] == 1000);
  CHECK(link["cluster_id"] == cluster["cluster_id"]);
  CHECK(c.Call("GET", "/v1/links/" + std::to_string(cc))["cluster_id"] == cluster["cluster_id"]);
  const auto shown = c.Cli(operator_token, {"cluster", std::to_string(b)});
  REQUIRE(shown.exit_code == 0);
  CHECK_THAT(shown.out, Catch::Contains("3 copies, repost count 2, reach 1290 views"));

  // Scope: the host that is neither monitored nor allow-listed is never fetched,
  // nor is a link one step deeper than max_depth; the unrelated page was
  // fetched once, matched nothing, and is not a finding.
  CHECK(c.web.Count("/outside") == 0);
  CHECK(c.web.Count("/deeper") == 0);
  CHECK(c.web.Count("/unrelated") >= 1);
  const json discovered = c.Call("GET", "/v1/links?origin=discovered");  // outlives the loop
  for (const auto& l : discovered["links"]) {
    CHECK(l["canonical_url"].get<std::string>().find("/unrelated") == std::string::npos);
  }
  // The rejected copy is never fetched again.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  CHECK(c.web.Count("/copy-d") == d_requests);
  CHECK(c.Call("GET", "/v1/links/" + std::to_string(d))["next_check_at"].is_null());
  CHECK(c.Call("GET", "/v1/audit/verify")["ok"] == true);
}
