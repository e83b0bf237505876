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
  CHECK(d["origin"] == "discovered");
  CHECK(j["origin"] == "registered");
  CHECK(j["review_state"] == "confirmed");
  // A discovered link no person has confirmed says so in every event of its checks.
  CheckEvent found = Check("alive", "removed");
  found.origin = "discovered";
  found.review_state = "pending";
  const auto f = nlohmann::json::parse(PayloadOf("link.removed", found));
  CHECK(f["origin"] == "discovered");
  CHECK(f["review_state"] == "pending");
}

TEST_CASE("each attempt carries the delivery id, the same on every retry, and its number") {
  storage::Notification n;
  n.id = 41;
  n.payload = PayloadOf("link.removed", Check("alive", "removed"));
  const auto first = nlohmann::json::parse(WithDelivery(n));
  CHECK(first["delivery_id"] == 41);
  CHECK(first["attempt"] == 1);
  CHECK(first["event"] == "link.removed");
  n.attempts = 3;
  const auto fourth = nlohmann::json::parse(WithDelivery(n));
  CHECK(fourth["delivery_id"] == 41);
  CHECK(fourth["attempt"] == 4);
}

TEST_CASE("the default retries last hours, not a minute") {
  const NotificationsConfig c;
  TimeMs at = 0;
  int attempts = 1;
  for (auto next = RetryAt(at, attempts, c); next; next = RetryAt(at, ++attempts, c)) at = *next;
  CHECK(attempts == c.max_attempts);
  CHECK(at >= 8 * 3600 * 1000);  // a receiver down for a night still gets the event
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
