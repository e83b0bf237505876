// The webhook queue: queued, leased, delivered, retried, failed for good.
#include <catch2/catch.hpp>

#include "checks_fixture.h"

namespace linkwatch::storage::testing {
namespace {

Notification Item(const std::string& event, const std::string& hook) {
  Notification n;
  n.event = event;
  n.webhook = hook;
  n.payload = R"({"event":")" + event + R"("})";
  return n;
}

TEST_CASE("notifications are leased once, then delivered, retried or failed") {
  Fixture fx(0);
  auto ids = fx.store().QueueNotifications({Item("link.removed", "http://127.0.0.1:9/a"),
                                            Item("link.blocked", "http://127.0.0.1:9/b"),
                                            Item("link.flagged", "http://127.0.0.1:9/c")});
  REQUIRE(ids.ok());
  REQUIRE(ids->size() == 3);
  auto due = fx.store().LeaseNotifications(kStart, 10, 60'000);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 3);
  CHECK(fx.store().LeaseNotifications(kStart + 1, 10, 60'000)->empty());  // leased
  REQUIRE(fx.store()
              .RecordDeliveries({{ids->at(0), true, "", std::nullopt},
                                 {ids->at(1), false, "HTTP 500", kStart + 5000},
                                 {ids->at(2), false, "connect: refused", std::nullopt}})
              .ok());
  auto delivered = fx.store().ListNotifications("delivered", 10);
  REQUIRE(delivered->size() == 1);
  CHECK(delivered->at(0).attempts == 1);
  CHECK(delivered->at(0).finished_at.has_value());
  auto failed = fx.store().ListNotifications("failed", 10);
  REQUIRE(failed->size() == 1);
  CHECK(failed->at(0).last_error == "connect: refused");
  auto pending = fx.store().ListNotifications("pending", 10);
  REQUIRE(pending->size() == 1);
  CHECK(pending->at(0).attempts == 1);
  CHECK(pending->at(0).next_at == kStart + 5000);
  CHECK(fx.store().LeaseNotifications(kStart + 4999, 10, 60'000)->empty());
  CHECK(fx.store().LeaseNotifications(kStart + 5000, 10, 60'000)->size() == 1);
  // After a crash the lease runs out and the delivery is tried again.
  CHECK(fx.store().LeaseNotifications(kStart + 65'000, 10, 60'000)->size() == 1);

  CHECK(fx.store().QueueNotifications({Item("x", "")}).status().code() == Status::Code::kInvalidArgument);
  CHECK(fx.store().ListNotifications("lost", 10).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("failed notifications are sent again on request, one or all, and the request is audited") {
  Fixture fx(0);
  auto ids = fx.store().QueueNotifications({Item("link.removed", "http://127.0.0.1:9/a"),
                                            Item("link.blocked", "http://127.0.0.1:9/b"),
                                            Item("link.flagged", "http://127.0.0.1:9/c")});
  REQUIRE(ids.ok());
  REQUIRE(fx.store().LeaseNotifications(kStart, 10, 60'000)->size() == 3);
  REQUIRE(fx.store()
              .RecordDeliveries({{ids->at(0), false, "connect: refused", std::nullopt},
                                 {ids->at(1), false, "HTTP 500", std::nullopt},
                                 {ids->at(2), true, "", std::nullopt}})
              .ok());
  REQUIRE(fx.store().ListNotifications("failed", 10)->size() == 2);
  fx.clock().Set(kStart + 1000);

  // One by id; a delivered one, or an unknown id, is refused.
  CHECK(*fx.store().RetryNotifications(fx.police(), ids->at(0)) == 1);
  const auto delivered = fx.store().RetryNotifications(fx.police(), ids->at(2));
  CHECK(delivered.status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(delivered.status().message(), Catch::Contains("is delivered, not failed"));
  CHECK(fx.store().RetryNotifications(fx.police(), 999).status().code() == Status::Code::kNotFound);
  CHECK(fx.store().RetryNotifications(fx.police(), 0).status().code() == Status::Code::kInvalidArgument);
  auto pending = fx.store().ListNotifications("pending", 10);
  REQUIRE(pending->size() == 1);
  CHECK(pending->at(0).id == ids->at(0));
  CHECK(pending->at(0).attempts == 0);
  CHECK(pending->at(0).next_at == kStart + 1000);
  CHECK(pending->at(0).last_error == "connect: refused");  // kept until the next attempt
  // Every failed one.
  CHECK(*fx.store().RetryNotifications(fx.police(), std::nullopt) == 1);
  CHECK(*fx.store().RetryNotifications(fx.police(), std::nullopt) == 0);
  CHECK(fx.store().ListNotifications("failed", 10)->empty());
  CHECK(fx.store().LeaseNotifications(kStart + 1000, 10, 60'000)->size() == 2);

  const auto audit = AuditOf(fx.store(), "notification.retry");
  REQUIRE(audit.size() == 3);
  CHECK(audit[0].target == "notification:" + std::to_string(ids->at(0)));
  CHECK(audit[0].agency == "Police");
  CHECK(audit[1].target == "notifications:failed");
  RequireChainOk(fx.store());
}

TEST_CASE("pending notifications of a webhook no longer configured fail unsent, the others stay") {
  Fixture fx(0);
  auto ids = fx.store().QueueNotifications({Item("link.removed", "http://127.0.0.1:9/gone"),
                                            Item("link.removed", "http://127.0.0.1:9/kept"),
                                            Item("link.blocked", "http://127.0.0.1:9/gone"),
                                            Item("link.flagged", "http://127.0.0.1:9/gone2")});
  REQUIRE(ids.ok());
  // One of the removed webhook's was delivered already: it stays delivered.
  REQUIRE(fx.store().LeaseNotifications(kStart, 1, 60'000)->at(0).id == ids->at(0));
  REQUIRE(fx.store().RecordDeliveries({{ids->at(0), true, "", std::nullopt}}).ok());
  fx.clock().Set(kStart + 500);

  auto failed = fx.store().FailNotificationsExcept({"http://127.0.0.1:9/kept"}, "not sent: removed");
  REQUIRE(failed.ok());
  CHECK(*failed == 2);
  const auto rows = fx.store().ListNotifications("failed", 10);
  REQUIRE(rows->size() == 2);
  for (const Notification& n : *rows) {
    CHECK(n.webhook != "http://127.0.0.1:9/kept");
    CHECK(n.last_error == "not sent: removed");
    CHECK(n.attempts == 0);
    CHECK(n.finished_at == kStart + 500);
    CHECK_FALSE(n.next_at.has_value());
  }
  CHECK(fx.store().ListNotifications("pending", 10)->size() == 1);
  CHECK(fx.store().ListNotifications("delivered", 10)->size() == 1);
  // With no webhook at all, every pending one fails.
  CHECK(*fx.store().FailNotificationsExcept({}, "none") == 1);
  CHECK(fx.store().ListNotifications("pending", 10)->empty());
}

}  // namespace
}  // namespace linkwatch::storage::testing
