// The check loop end to end: linkwatchd with checks on, a local web server,
// links that come up, go down, get blocked, and a crash in the middle of a cycle.
#include <catch2/catch.hpp>

#include <signal.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <cctype>
#include <numeric>
#include <thread>

#include "e2e_support.h"
#include "linkwatch/base/time.h"
#include "test_support.h"
#include "test_web_server.h"

using namespace linkwatch;
using test::kDaemon;
using nlohmann::json;

namespace {

// Seconds-scale intervals so that a test sees several cycles.
const std::string kFastConfig = test::kFastSchedule + R"(
[crawler]
per_host_delay_ms = 0
max_per_host = 8
first_byte_timeout_ms = 4000
total_timeout_ms = 8000
max_retries = 0

[[markers]]
removed = ["this video is unavailable"]
blocked = ["restricted by court order"]
)";

// For hostile pages: one retry, short timeouts, the default 5 MiB body cap.
constexpr char kHostileConfig[] = R"(
[schedule]
alive_interval_s = 3600
removed_initial_s = 3600
unreachable_initial_s = 3600
blocked_interval_s = 3600
poll_interval_ms = 100

[crawler]
per_host_delay_ms = 0
max_per_host = 16
first_byte_timeout_ms = 1000
total_timeout_ms = 4000
max_retries = 1
retry_base_delay_ms = 50

[[markers]]
removed = ["this video is unavailable"]
blocked = ["restricted by court order"]
)";

struct Checking {
  test::TempDir dir;
  test::TestWebServer web;
  test::Daemon daemon;

  explicit Checking(const std::string& config = kFastConfig) {
    test::WriteFile(dir.File("fast.toml"), config);
    daemon = Start();
  }
  test::Daemon Start() {
    return test::StartDaemon(kDaemon, dir.File("data"), {"--config", dir.File("fast.toml")}, true);
  }
  json Call(const std::string& method, const std::string& target, const json& body = nullptr) {
    auto r = test::Http(daemon.port, method, target, body.is_null() ? "" : body.dump(), daemon.first_token.empty() ? token : daemon.first_token);
    INFO(r.body);
    REQUIRE(r.status < 300);
    return json::parse(r.body);
  }
  int64_t Register(const std::string& path) {
    auto r = Call("POST", "/v1/links", {{"url", web.Url(path)}, {"basis", "Court 1/2026"}, {"category", "extremist"}});
    return r["link_id"].get<int64_t>();
  }
  json Link(int64_t id) { return Call("GET", "/v1/links/" + std::to_string(id)); }
  json History(int64_t id) { return Call("GET", "/v1/links/" + std::to_string(id) + "/history?limit=1000")["checks"]; }

  // Polls until the link has `status`, for at most `seconds`.
  bool WaitStatus(int64_t id, const std::string& status, int seconds = 30) {
    for (int i = 0; i < seconds * 10; ++i) {
      if (Link(id)["status"] == status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  std::string token;  // kept across restarts (first_token is empty after one)
};

}  // namespace

TEST_CASE("a host with many due links never holds up the links of other hosts") {
  // One fetch at a time and one a second for each host, four fetch slots in
  // all: the busy host may hold three (its slot and two seconds of its pace).
  Checking c(test::kFastSchedule + R"(
[crawler]
max_in_flight = 4
max_per_host = 1
per_host_delay_ms = 1000
max_retries = 0
)");
  c.token = c.daemon.first_token;
  std::vector<int64_t> busy;
  for (int i = 0; i < 12; ++i) {
    const std::string path = "/busy/" + std::to_string(i);
    c.web.SetBody(path, "<p>post " + std::to_string(i) + "</p>");
    busy.push_back(c.Register(path));
  }
  test::TestWebServer other{{"127.0.0.2"}};
  other.SetBody("/quiet", "<p>elsewhere</p>");
  const int64_t quiet = c.Call("POST", "/v1/links", {{"url", other.Url("/quiet")}, {"basis", "Court 1/2026"},
                                                     {"category", "extremist"}})["link_id"];
  // Due after every busy link, the other host's link is checked while most of
  // them still wait for their host (before, it waited for them all).
  REQUIRE(c.WaitStatus(quiet, "alive"));
  int waiting = 0;
  for (int64_t id : busy) waiting += c.Link(id)["status"] == "pending" ? 1 : 0;
  CHECK(waiting >= 6);
  CHECK(c.Call("GET", "/v1/status")["crawler"]["links_postponed"].get<int64_t>() > 0);
  // The busy host's links, given back to wait, are all checked in their turn.
  for (int64_t id : busy) CHECK(c.WaitStatus(id, "alive"));
}

TEST_CASE("a host that asks to wait past the lease is answered in time and not asked again before its wait") {
  // Every answer of the host is 503 with Retry-After: 3600. Leases of 5 s:
  // each fetch must end within 4.5 s, so no retry fits.
  Checking c(test::kFastSchedule + R"(
lease_seconds = 5

[crawler]
max_per_host = 1
per_host_delay_ms = 0
total_timeout_ms = 2000
max_retries = 2
retry_base_delay_ms = 50
)");
  c.token = c.daemon.first_token;
  std::vector<int64_t> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(c.Register("/retry-after?seconds=3600&fail=1000000&status=503&post=" + std::to_string(i)));
  }
  // The one link the host answered is recorded with its 503 (before, its
  // retry waited an hour while its lease ran out and it was leased again).
  int64_t answered = 0;
  for (int i = 0; i < 100 && answered == 0; ++i) {
    for (int64_t id : held) {
      if (c.Link(id)["status"] == "unreachable") answered = id;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(answered != 0);
  // Past a whole lease: nothing piles up in the fetcher, no lease was lost,
  // and the host was asked once.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  const json status = c.Call("GET", "/v1/status");
  INFO(status.dump());
  CHECK(status["crawler"]["in_flight"] == 0);
  CHECK(status["crawler"]["leases_lost"] == 0);
  CHECK(status["crawler"]["links_postponed"].get<int64_t>() >= 3);
  CHECK(status["due_now"] == 0);
  CHECK(c.web.Count("/retry-after") == 1);
  const json history = c.History(answered);
  REQUIRE(history.size() == 1);
  CHECK(history[0]["http_status"] == 503);
  // None of them is due before the hour the host asked for.
  const TimeMs now = SystemClock::Instance().Now();
  for (int64_t id : held) {
    const json link = c.Link(id);
    INFO(link.dump());
    const auto next = ParseIso8601(link["next_check_at"].get<std::string>());
    REQUIRE(next.has_value());
    CHECK(*next > now + 3500 * 1000);
    if (id != answered) CHECK(link["status"] == "pending");
  }
}

TEST_CASE("every link of a host that keeps asking to wait gets its turn") {
  // Every answer is 429 with Retry-After: 3, so each wait lets one request
  // through, and the link that waited longest goes first. Before, the link
  // answered last was due again the moment the wait ended, ahead of the
  // others that waited for it: a few links took every turn.
  Checking c(test::kFastSchedule + R"(
lease_seconds = 5

[crawler]
max_per_host = 2
per_host_delay_ms = 200
total_timeout_ms = 2000
)");
  c.token = c.daemon.first_token;
  std::vector<int64_t> links;
  for (int i = 0; i < 6; ++i) {
    links.push_back(c.Register("/retry-after?seconds=3&fail=1000000&post=" + std::to_string(i)));
  }
  auto checks = [&] {
    std::vector<size_t> n;
    for (int64_t id : links) n.push_back(c.History(id).size());
    return n;
  };
  auto all_checked = [](const std::vector<size_t>& n) {
    return std::all_of(n.begin(), n.end(), [](size_t k) { return k > 0; });
  };
  // Six links, one request per 3 s wait: all checked in about 18 s.
  std::vector<size_t> seen = checks();
  for (int i = 0; i < 600 && !all_checked(seen); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen = checks();
  }
  std::string counts;
  for (size_t k : seen) counts += std::to_string(k) + " ";
  INFO("checks per link: " << counts);
  REQUIRE(all_checked(seen));
  // In turn: no link had a second check before each had its first (one
  // more may have landed while the histories were read).
  CHECK(std::accumulate(seen.begin(), seen.end(), size_t{0}) <= links.size() + 1);
  // And the host was never asked during a wait it asked for.
  const std::vector<test::TestWebServer::Clock::time_point> asked = c.web.StartTimes("127.0.0.1");
  REQUIRE(asked.size() >= links.size());
  for (size_t i = 1; i < asked.size(); ++i) {
    CHECK(asked[i] - asked[i - 1] >= std::chrono::milliseconds(2900));
  }
}

TEST_CASE("links turn alive, then removed and blocked, with history saying when") {
  Checking c;
  c.token = c.daemon.first_token;
  c.web.SetBody("/a", "<p>post a</p>");
  c.web.SetBody("/b", "<p>post b</p>");
  c.web.SetBody("/c", "<p>post c</p>");
  const int64_t a = c.Register("/a"), b = c.Register("/b"), cc = c.Register("/c");
  for (int64_t id : {a, b, cc}) REQUIRE(c.WaitStatus(id, "alive"));

  c.web.Set("/a", 404);
  c.web.Set("/b", 451);
  REQUIRE(c.WaitStatus(a, "removed"));
  REQUIRE(c.WaitStatus(b, "blocked"));
  CHECK(c.Link(cc)["status"] == "alive");

  const json removed = c.Call("GET", "/v1/links?status=removed");
  REQUIRE(removed["links"].size() == 1);
  CHECK(removed["links"][0]["id"] == a);

  // The link was removed when the first 404 was seen; the second confirmed it.
  const json history = c.History(a);
  std::vector<json> not_found;
  for (const auto& check : history) {
    if (check["http_status"] == 404) not_found.push_back(check);
  }
  REQUIRE(not_found.size() >= 2);
  CHECK(c.Link(a)["removed_since"] == not_found.back()["checked_at"]);  // oldest 404 (newest first)
  CHECK(not_found.back()["status"] == "removed");
  CHECK(history.back()["status"] == "alive");
  CHECK(c.Link(a)["http_status"] == 404);

  // The page comes back: the link reappears, and says when.
  c.web.SetBody("/a", "<p>post a, re-uploaded</p>");
  REQUIRE(c.WaitStatus(a, "alive"));
  CHECK(c.Link(a)["reappeared_at"].is_string());
  CHECK(c.Link(a)["removed_since"].is_null());
}

TEST_CASE("a page restored unchanged after a 404 or an outage is alive again: no 304 stands for a page not seen") {
  Checking c;
  c.token = c.daemon.first_token;
  const std::string body = "<p>post, served with an ETag</p>";
  c.web.SetBody("/gone", body);
  c.web.SetBody("/down", body);
  const int64_t gone = c.Register("/gone"), down = c.Register("/down");
  REQUIRE(c.WaitStatus(gone, "alive"));
  REQUIRE(c.WaitStatus(down, "alive"));
  // Checks of an unchanged page are conditional and answered 304.
  for (int i = 0; i < 100 && c.web.Count("/gone") < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  bool revalidated = false;
  for (const auto& r : c.web.Requests()) revalidated = revalidated || (r.path == "/gone" && !r.if_none_match.empty());
  CHECK(revalidated);

  c.web.Set("/gone", 404);
  c.web.Set("/down", 500);
  REQUIRE(c.WaitStatus(gone, "removed"));
  REQUIRE(c.WaitStatus(down, "unreachable"));
  // The same bytes come back, with the same ETag as before.
  c.web.ResetStats();
  c.web.SetBody("/gone", body);
  c.web.SetBody("/down", body);
  REQUIRE(c.WaitStatus(gone, "alive"));
  REQUIRE(c.WaitStatus(down, "alive"));
  CHECK(c.Link(gone)["reappeared_at"].is_string());
  CHECK(c.Link(gone)["removed_since"].is_null());
  // The first request after the outage asked for the whole page.
  for (const std::string path : {"/gone", "/down"}) {
    for (const auto& r : c.web.Requests()) {
      if (r.path != path) continue;
      INFO(path);
      CHECK(r.if_none_match.empty());
      CHECK(r.if_modified_since.empty());
      break;
    }
  }
  // Newest first: the page itself (200) was fetched after the last 404, not only 304s.
  const json history = c.History(gone);
  size_t newest_200 = history.size(), newest_404 = history.size();
  for (size_t i = history.size(); i-- > 0;) {
    if (history[i]["http_status"] == 200) newest_200 = i;
    if (history[i]["http_status"] == 404) newest_404 = i;
  }
  REQUIRE(newest_404 < history.size());
  CHECK(newest_200 < newest_404);
}

TEST_CASE("a 200 page that says the video is gone is removed, a court stub is blocked") {
  Checking c;
  c.token = c.daemon.first_token;
  const int64_t video = c.Register("/video-unavailable");
  const int64_t stub = c.Register("/blocked");
  const int64_t moved = c.Register("/redirect/3");
  REQUIRE(c.WaitStatus(video, "removed"));
  REQUIRE(c.WaitStatus(stub, "blocked"));
  REQUIRE(c.WaitStatus(moved, "alive"));
  const json link = c.Link(moved);
  CHECK(link["final_url"] == c.web.Url("/redirect/0"));
  const json last = c.History(moved).front();
  CHECK(last["redirects"].size() == 3);
  CHECK(last["http_status"] == 200);
}

TEST_CASE("a rescan makes links due now and status shows the queue") {
  Checking c;
  c.token = c.daemon.first_token;
  const int64_t id = c.Register("/ok");
  REQUIRE(c.WaitStatus(id, "alive"));
  const json queued = c.Call("POST", "/v1/rescan", {{"all", true}});
  CHECK(queued["queued"].get<int>() >= 0);
  const json status = c.Call("GET", "/v1/status");
  CHECK(status["links"] == 1);
  CHECK(status["by_status"]["alive"] == 1);
  CHECK(status["crawler"].is_object());
}

TEST_CASE("kill -9 in the middle of a cycle loses no check and records none twice") {
  Checking c;
  c.token = c.daemon.first_token;
  std::vector<std::pair<int64_t, std::string>> links;
  for (int i = 0; i < 24; ++i) {
    const std::string target = "/slow-headers?ms=1500&n=" + std::to_string(i);
    links.emplace_back(c.Register(target), target);
  }
  // Fetches are on the wire (1.5 s each) when the daemon dies.
  for (int i = 0; i < 100 && c.web.Requests().size() < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  c.daemon.child->Signal(SIGKILL);
  REQUIRE(c.daemon.child->Wait() == 128 + SIGKILL);

  c.daemon = c.Start();
  for (const auto& [id, target] : links) REQUIRE(c.WaitStatus(id, "alive"));
  c.daemon.child->Signal(SIGTERM);
  REQUIRE(c.daemon.child->Wait() == 0);
  c.daemon = c.Start();  // read the final state with checks stopped soon after
  for (const auto& [id, target] : links) {
    const size_t recorded = c.History(id).size();
    CAPTURE(target);
    CHECK(recorded >= 1);                                        // none lost
    CHECK(recorded <= static_cast<size_t>(c.web.Count(target)));  // none recorded twice
  }
}

namespace {

// The number just before `words` in a log; -1 when absent.
int64_t NumberBefore(const std::string& log, const std::string& words) {
  const size_t at = log.find(words);
  if (at == std::string::npos) return -1;
  size_t from = at;
  while (from > 0 && std::isdigit(static_cast<unsigned char>(log[from - 1]))) --from;
  return from == at ? -1 : std::stoll(log.substr(from, at - from));
}

}  // namespace

TEST_CASE("SIGTERM in the middle of a cycle says how many fetches it cut short, and redoes them") {
  Checking c;
  c.token = c.daemon.first_token;
  std::vector<std::pair<int64_t, std::string>> links;
  for (int i = 0; i < 12; ++i) {
    const std::string target = "/slow-headers?ms=3000&n=" + std::to_string(i);
    links.emplace_back(c.Register(target), target);
  }
  for (int i = 0; i < 100 && c.web.Requests().size() < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto on_wire = static_cast<int64_t>(c.web.Requests().size());
  REQUIRE(on_wire >= 8);  // max_per_host: the other 4 wait in the politeness queue
  c.daemon.child->Signal(SIGTERM);
  REQUIRE(c.daemon.child->Wait() == 0);
  const std::string log = c.daemon.child->Stderr();
  INFO(log);
  CHECK_THAT(log, Catch::Contains("are not, and are due again at the next start"));
  CHECK_THAT(log, !Catch::Contains("checks in flight recorded"));
  const int64_t answered = NumberBefore(log, " since start)");
  const int64_t cut = NumberBefore(log, " fetches cut short");
  REQUIRE(answered >= 0);
  CHECK(cut >= on_wire - answered);                              // at least those on the wire
  CHECK(answered + cut <= static_cast<int64_t>(links.size()));  // a link is one or the other

  c.daemon = c.Start();
  for (const auto& [id, target] : links) REQUIRE(c.WaitStatus(id, "alive"));
  int64_t recorded = 0;
  for (const auto& [id, target] : links) recorded += static_cast<int64_t>(c.History(id).size());
  int64_t served = 0;
  for (const auto& [id, target] : links) served += c.web.Count(target);
  // Every link has its check; a fetch on the wire that was cut short was served but left no row.
  CHECK(recorded >= static_cast<int64_t>(links.size()));
  CHECK(recorded <= served - (on_wire - answered));
}

TEST_CASE("every hostile server behaviour is recorded with the right status and history") {
  struct Case {
    std::string target;
    std::string status;
    int http;               // 0: no HTTP answer
    std::string error;      // substring of the recorded error; "" = none
    bool truncated;
  };
  const std::vector<Case> cases = {
      {"/ok", "alive", 200, "", false},
      {"/status/410", "removed", 410, "", false},
      {"/status/451", "blocked", 451, "", false},
      {"/status/500", "unreachable", 500, "answered 500 on the last of 2 attempts", false},
      {"/flaky?fail=1", "alive", 200, "", false},                   // 500, then 200 on the retry
      {"/retry-after?seconds=1&fail=1", "alive", 200, "", false},   // 429 Retry-After, then 200
      {"/redirect/4", "alive", 200, "", false},
      {"/redirect-to-404", "removed", 404, "", false},
      {"/loop/a", "unreachable", 302, "redirect loop", false},
      {"/slow-headers?ms=3000", "unreachable", 0, "timeout", false},
      {"/reset", "unreachable", 200, "reset", false},  // the head came, then the reset
      {"/endless", "alive", 200, "", true},
      {"/huge?mib=8", "alive", 200, "", true},
      {"/gzip-bomb", "unreachable", 200, "bomb", false},
      {"/invalid-utf8", "alive", 200, "", false},
      {"/chunked", "alive", 200, "", false},
      {"/http10", "alive", 200, "", false},
      {"/video-unavailable", "removed", 200, "", false},
      {"/blocked", "blocked", 200, "", false},
  };
  Checking c(kHostileConfig);
  c.token = c.daemon.first_token;
  std::vector<int64_t> ids;
  for (const auto& k : cases) ids.push_back(c.Register(k.target));
  bool all_checked = false;
  for (int i = 0; i < 600 && !all_checked; ++i) {
    all_checked = c.Call("GET", "/v1/links?status=pending")["links"].empty();
    if (!all_checked) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(all_checked);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& k = cases[i];
    CAPTURE(k.target);
    const json link = c.Link(ids[i]);
    const json check = c.History(ids[i]).back();  // the first check
    CHECK(link["status"] == k.status);
    CHECK(check["status"] == k.status);
    if (k.http == 0) {
      CHECK(check["http_status"].is_null());
    } else {
      CHECK(check["http_status"] == k.http);
    }
    if (k.error.empty()) {
      CHECK(check["error"].is_null());
    } else {
      REQUIRE(check["error"].is_string());
      CHECK_THAT(check["error"].get<std::string>(), Catch::Contains(k.error, Catch::CaseSensitive::No));
    }
    CHECK(check["truncated"] == k.truncated);
    // A page judged by a marker says which.
    if (k.target == std::string("/video-unavailable") || k.target == std::string("/blocked")) {
      REQUIRE(check["reason"].is_string());
      CHECK_THAT(check["reason"].get<std::string>(), Catch::StartsWith("the page carries the "));
    }
  }
}

TEST_CASE("GET /metrics counts the checks and shows the due backlog without a token, so does /healthz") {
  Checking c;
  c.token = c.daemon.first_token;
  const int64_t id = c.Register("/ok");
  REQUIRE(c.WaitStatus(id, "alive"));
  // The hooks hear of a check just after it is recorded: poll briefly.
  std::string text;
  double alive = 0;
  for (int i = 0; i < 50 && alive < 1; ++i) {
    const auto r = test::Http(c.daemon.port, "GET", "/metrics");  // no token
    REQUIRE(r.status == 200);
    text = r.body;
    const std::string series = "linkwatch_checks_total{status=\"alive\"} ";
    const size_t at = text.find("\n" + series);
    if (at != std::string::npos) alive = std::stod(text.substr(at + 1 + series.size()));
    if (alive < 1) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(text);
  CHECK(alive >= 1);
  CHECK(text.find("\nlinkwatch_due_backlog ") != std::string::npos);
  CHECK(text.find("\nlinkwatch_links{status=\"alive\"} 1") != std::string::npos);
  CHECK(text.find("\nlinkwatch_rules_info{version=\"") != std::string::npos);
  CHECK(text.find(c.web.Url("/ok")) == std::string::npos);  // counts, never URLs

  const auto health = test::Http(c.daemon.port, "GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(json::parse(health.body) == json{{"status", "ok"}});
}
