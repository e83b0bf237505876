// Webhook notifications end to end: a page is taken down and a receiver on
// localhost gets the event within seconds; a failing webhook is retried, then
// kept as failed and visible; a slow one never slows checking.
#include <catch2/catch.hpp>

#include <signal.h>

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

std::string Config(const test::TestWebServer& hooks) {
  return test::kFastSchedule + R"toml(removed_max_s = 1  # no backoff: the slow-webhook check below counts checks per second

[crawler]
per_host_delay_ms = 0
max_per_host = 8
max_retries = 0

[notifications]
max_attempts = 2
retry_base_ms = 100
timeout_ms = 1000
poll_interval_ms = 100

[[webhook]]
url = ")toml" + hooks.Url("/hook") + R"toml("

[[webhook]]
url = ")toml" + hooks.Url("/hook-500") + R"toml("
events = ["link.removed"]

[[webhook]]
url = ")toml" + hooks.Url("/slow-headers?ms=5000") + R"toml("
)toml";
}

std::vector<json> Posts(const test::TestWebServer& hooks, const std::string& path) {
  std::vector<json> out;
  for (const auto& r : hooks.Requests()) {
    if (r.path == path && r.method == "POST") out.push_back(json::parse(r.body, nullptr, false));
  }
  return out;
}

}  // namespace

TEST_CASE("a page taken down reaches the webhook within seconds, failures stay visible") {
  test::TempDir dir;
  test::TestWebServer web;    // the monitored site
  test::TestWebServer hooks;  // the receivers
  hooks.SetBody("/hook", "{\"ok\":true}", 200, "application/json");
  hooks.Set("/hook-500", 500);
  test::WriteFile(dir.File("d.toml"), Config(hooks));
  test::Daemon d = test::StartDaemon(kDaemon, dir.File("data"), {"--config", dir.File("d.toml")}, true);
  const std::string token = d.first_token;
  auto call = [&](const std::string& method, const std::string& target, const std::string& body = "") {
    auto r = test::Http(d.port, method, target, body, token);
    INFO(target << ": " << r.body);
    REQUIRE(r.status < 300);
    return json::parse(r.body);
  };
  web.SetBody("/post", "<p>post</p>");
  const int64_t id = call("POST", "/v1/links",
                          json{{"url", web.Url("/post")}, {"basis", "Court 1"}, {"category", "extremist"}}.dump())
                         ["link_id"];
  auto wait = [](auto pred, int seconds) {
    for (int i = 0; i < seconds * 10; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  REQUIRE(wait([&] { return call("GET", "/v1/links/" + std::to_string(id))["status"] == "alive"; }, 20));

  web.Set("/post", 404);
  REQUIRE(wait([&] { return !Posts(hooks, "/hook").empty(); }, 20));  // two confirming checks, then the POST
  const json event = Posts(hooks, "/hook").front();
  CHECK(event["event"] == "link.removed");
  CHECK(event["link_id"] == id);
  CHECK(event["status"] == "removed");
  CHECK(event["previous_status"] == "alive");
  CHECK(event["http_status"] == 404);
  CHECK(event["url"] == call("GET", "/v1/links/" + std::to_string(id))["canonical_url"]);
  for (const auto& r : hooks.Requests()) {
    if (r.path == "/hook") CHECK(r.content_type == "application/json");
  }

  // The webhook answering 500 is tried max_attempts times, then kept as failed
  // (the slow webhook fails too, later: it is not the one looked for).
  const auto failed_500 = [&]() -> json {
    const json failed = call("GET", "/v1/notifications?state=failed");  // kept alive for the loop
    for (const auto& n : failed["notifications"]) {
      if (n["webhook"] == hooks.Url("/hook-500")) return n;
    }
    return nullptr;
  };
  REQUIRE(wait([&] { return !failed_500().is_null(); }, 20));
  const json n = failed_500();
  REQUIRE(n.is_object());
  CHECK(n["attempts"] == 2);
  CHECK(n["event"] == "link.removed");
  CHECK(n["last_error"] == "HTTP 500");
  CHECK(hooks.Count("/hook-500") == 2);
  const auto cli = test::Run({kCli, "--url", "http://127.0.0.1:" + std::to_string(d.port), "--token", token,
                              "notifications", "failed"});
  REQUIRE(cli.exit_code == 0);
  CHECK_THAT(cli.out, Catch::Contains("link.removed"));
  CHECK_THAT(cli.out, Catch::Contains("HTTP 500"));
  // Every attempt carried the same delivery id, numbered.
  const std::vector<json> tries = Posts(hooks, "/hook-500");
  REQUIRE(tries.size() == 2);
  CHECK(tries[0]["delivery_id"] == n["id"]);
  CHECK(tries[1]["delivery_id"] == n["id"]);
  CHECK(tries[0]["attempt"] == 1);
  CHECK(tries[1]["attempt"] == 2);
  CHECK(tries[0]["origin"] == "registered");
  CHECK(tries[0]["review_state"] == "confirmed");

  // The receiver is back: an operator sends the failed event again, and it arrives.
  hooks.SetBody("/hook-500", "ok");
  const auto retry = test::Run({kCli, "--url", "http://127.0.0.1:" + std::to_string(d.port), "--token", token,
                                "notifications", "retry", n["id"].dump()});
  INFO(retry.err);
  REQUIRE(retry.exit_code == 0);
  CHECK_THAT(retry.out, Catch::Contains("1 notification(s) queued"));
  REQUIRE(wait([&] { return Posts(hooks, "/hook-500").size() == 3; }, 20));
  CHECK(Posts(hooks, "/hook-500").back()["delivery_id"] == n["id"]);
  const auto delivered_again = [&] {
    const json delivered = call("GET", "/v1/notifications?state=delivered");  // kept alive for the loop
    for (const auto& x : delivered["notifications"]) {
      if (x["id"] == n["id"]) return true;
    }
    return false;
  };
  CHECK(wait(delivered_again, 20));
  const auto twice = test::Run({kCli, "--url", "http://127.0.0.1:" + std::to_string(d.port), "--token", token,
                                "notifications", "retry", n["id"].dump()});
  CHECK(twice.exit_code != 0);
  CHECK_THAT(twice.err, Catch::Contains("is delivered, not failed"));

  // The slow webhook (5 s per answer, 1 s timeout) never held the checks up:
  // the link was checked about once a second throughout.
  const size_t before = call("GET", "/v1/links/" + std::to_string(id) + "/history?limit=1000")["checks"].size();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const size_t after = call("GET", "/v1/links/" + std::to_string(id) + "/history?limit=1000")["checks"].size();
  CHECK(after >= before + 2);
  CHECK(call("GET", "/v1/audit/verify")["ok"] == true);
}

TEST_CASE("a webhook taken out of the configuration is never posted to again") {
  test::TempDir dir;
  test::TestWebServer web;
  test::TestWebServer hooks;
  hooks.Set("/old-hook", 500);
  hooks.SetBody("/new-hook", "ok");
  // The old webhook's first attempt fails; the next would be a minute later.
  const std::string schedule = test::kFastSchedule + R"toml(
[crawler]
per_host_delay_ms = 0
max_retries = 0

[notifications]
max_attempts = 5
retry_base_ms = 60000
timeout_ms = 1000
poll_interval_ms = 100
)toml";
  test::WriteFile(dir.File("old.toml"), schedule + "\n[[webhook]]\nurl = \"" + hooks.Url("/old-hook") + "\"\n");
  test::WriteFile(dir.File("new.toml"), schedule + "\n[[webhook]]\nurl = \"" + hooks.Url("/new-hook") + "\"\n");
  web.Set("/gone", 404);

  test::Daemon d = test::StartDaemon(kDaemon, dir.File("data"), {"--config", dir.File("old.toml")}, true);
  const std::string token = d.first_token;
  auto call = [&](uint16_t port, const std::string& method, const std::string& target, const std::string& body = "") {
    auto r = test::Http(port, method, target, body, token);
    INFO(target << ": " << r.body);
    REQUIRE(r.status < 300);
    return json::parse(r.body);
  };
  auto wait = [](auto pred) {
    for (int i = 0; i < 200; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  call(d.port, "POST", "/v1/links",
       json{{"url", web.Url("/gone")}, {"basis", "Court 1"}, {"category", "extremist"}}.dump());
  REQUIRE(wait([&] { return hooks.Count("/old-hook") == 1; }));
  const auto pending = [&](uint16_t port) {
    const json page = call(port, "GET", "/v1/notifications?state=pending");  // kept alive for the loop
    return page["notifications"];
  };
  REQUIRE(wait([&] { return pending(d.port).size() == 1 && pending(d.port)[0]["attempts"] == 1; }));
  const json id = pending(d.port)[0]["id"];
  d.child->Signal(SIGTERM);
  REQUIRE(d.child->Wait() == 0);

  // Restarted without it: the pending delivery fails at once, unsent, and says why.
  test::Daemon again = test::StartDaemon(kDaemon, dir.File("data"), {"--config", dir.File("new.toml")}, true);
  const auto failed = [&] {
    const json page = call(again.port, "GET", "/v1/notifications?state=failed");  // kept alive for the loop
    for (const auto& n : page["notifications"]) {
      if (n["id"] == id) return n;
    }
    return json(nullptr);
  };
  REQUIRE(wait([&] { return !failed().is_null(); }));
  CHECK(failed()["last_error"] == "not sent: the webhook is no longer in the configuration");
  CHECK(failed()["attempts"] == 1);
  // The log line may come a moment after the failure is recorded.
  CHECK(wait([&] { return again.child->Stderr().find("no longer in the configuration") != std::string::npos; }));

  // Sent again by an operator, it fails at once too: the old receiver never hears of it.
  const auto retry = test::Run({kCli, "--url", "http://127.0.0.1:" + std::to_string(again.port), "--token", token,
                                "notifications", "retry", id.dump()});
  REQUIRE(retry.exit_code == 0);
  REQUIRE(wait([&] { return !failed().is_null() && failed()["finished_at"] != nullptr; }));
  CHECK(wait([&] { return again.child->Stderr().find("notification " + id.dump() + " (link.removed)") !=
                          std::string::npos; }));
  CHECK(failed()["last_error"] == "not sent: the webhook is no longer in the configuration");
  CHECK(hooks.Count("/old-hook") == 1);
  CHECK(hooks.Count("/new-hook") == 0);
  CHECK(pending(again.port).empty());
}
