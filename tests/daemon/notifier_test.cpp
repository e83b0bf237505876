// Which events a recorded check means, their JSON, and the retry schedule.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "linkwatch/daemon/notifier.h"

using namespace linkwatch;
using namespace linkwatch::daemon;

namespace {

CheckEvent Check(const std::string& before, const std::string& after, bool flagged_before = false,
                 bool judged = false, bool flagged_after = false) {
  CheckEvent e;
  e.link_id = 7;
  e.url = "https://example.org/p";
  e.status_before = before;
  e.status_after = after;
  e.flagged_before = flagged_before;
  e.judged = judged;
  e.flagged_after = flagged_after;
  return e;
}

}  // namespace

TEST_CASE("a check means the events of its confirmed changes only") {
  using V = std::vector<std::string>;
  CHECK(EventsOf(Check("alive", "removed")) == V{"link.removed"});
  CHECK(EventsOf(Check("alive", "blocked")) == V{"link.blocked"});
  CHECK(EventsOf(Check("removed", "alive")) == V{"link.reappeared"});
  CHECK(EventsOf(Check("blocked", "alive")).empty());
  CHECK(EventsOf(Check("alive", "alive")).empty());
  CHECK(EventsOf(Check("pending", "alive", false, true, true)) == V{"link.flagged"});
  CHECK(EventsOf(Check("alive", "alive", true, true, true)).empty());  // flagged before
  CHECK(EventsOf(Check("alive", "alive", false, false, true)).empty()); // not judged
  CHECK(EventsOf(Check("alive", "unreachable")).empty());
}

TEST_CASE("an event's JSON names the link, the change and the rules") {
  CheckEvent e = Check("alive", "removed");
  e.http_status = 404;
  e.matched_rules = R"(["cd-001"])";
  e.checked_at = 1'795'453'029'000;
  const auto j = nlohmann::json::parse(PayloadOf("link.removed", e));
  CHECK(j["event"] == "link.removed");
  CHECK(j["link_id"] == 7);
  CHECK(j["status"] == "removed");
  CHECK(j["previous_status"] == "alive");
  CHECK(j["http_status"] == 404);
  CHECK(j["rules"] == nlohmann::json::array({"cd-001"}));
  CHECK(j["at"] == "2026-11-23T16:57:09.000Z");
  const auto d = nlohmann::json::parse(PayloadOf(DiscoveryEvent{9, "https://x.example/", 7, "rules: cd-001"}));
  CHECK(d["event"] == "link.discovered");
  CHECK(d["found_from"] == 7);
  CHECK(d["review_state"] == "pending");
}

TEST_CASE("deliveries back off exponentially up to a cap, then fail for good") {
  NotificationsConfig c;
  c.max_attempts = 5;
  c.retry_base_ms = 1000;
  c.retry_max_ms = 5000;
  CHECK(RetryAt(0, 1, c) == 1000);
  CHECK(RetryAt(0, 2, c) == 2000);
  CHECK(RetryAt(0, 3, c) == 4000);
  CHECK(RetryAt(0, 4, c) == 5000);  // capped
  CHECK_FALSE(RetryAt(0, 5, c).has_value());
}
