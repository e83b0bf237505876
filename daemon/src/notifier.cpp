#include "linkwatch/daemon/notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include "lease_loop.h"

namespace linkwatch::daemon {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

constexpr int64_t kConnectTimeoutMs = 3000;
// A delivery not recorded by then (a crash) is tried again.
constexpr int64_t kLeaseSlackMs = 60 * 1000;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool Wants(const WebhookConfig& hook, const std::string& event) {
  return std::find(hook.events.begin(), hook.events.end(), event) != hook.events.end();
}

crawler::FetchOptions WebhookFetchOptions(const NotificationsConfig& c, const crawler::FetchOptions& d) {
  crawler::FetchOptions o;
  o.max_in_flight = c.max_in_flight;
  o.max_per_host = c.max_in_flight;
  o.per_host_delay_ms = 0;
  o.connect_timeout_ms = std::min(kConnectTimeoutMs, c.timeout_ms);
  o.first_byte_timeout_ms = c.timeout_ms;
  o.total_timeout_ms = c.timeout_ms;
  o.max_redirects = 0;
  o.max_retries = 0;  // retries are the queue's, with backoff across restarts
  o.max_body_bytes = 64 * 1024;
  o.user_agent = d.user_agent;
  o.verify_tls = d.verify_tls;
  o.proxies = d.proxies;
  return o;
}

// The last error of a notification whose webhook left the configuration: it
// is never sent there again (an operator may have removed it on purpose).
constexpr const char* kUnconfigured = "not sent: the webhook is no longer in the configuration";

}  // namespace

std::vector<std::string> EventsOf(const CheckEvent& e) {
  std::vector<std::string> out;
  if (e.status_after != e.status_before) {
    if (e.status_after == "removed") out.push_back("link.removed");
    if (e.status_after == "blocked") out.push_back("link.blocked");
    if (e.status_before == "removed" && e.status_after == "alive") out.push_back("link.reappeared");
  }
  if (e.judged && e.flagged_after && !e.flagged_before) out.push_back("link.flagged");
  return out;
}

std::string PayloadOf(const std::string& event, const CheckEvent& e) {
  json rules = json::parse(e.matched_rules.empty() ? "[]" : e.matched_rules, nullptr, false);
  return Dump({{"event", event},
               {"link_id", e.link_id},
               {"url", e.url},
               {"host", e.host},
               {"origin", e.origin},
               {"review_state", e.review_state},
               {"status", e.status_after},
               {"previous_status", e.status_before},
               {"at", FormatIso8601(e.checked_at)},
               {"http_status", e.http_status ? json(*e.http_status) : json(nullptr)},
               {"reason", e.reason.empty() ? json(nullptr) : json(e.reason)},
               {"error", e.error.empty() ? json(nullptr) : json(e.error)},
               {"flagged", e.flagged_after},
               {"rules", rules.is_array() ? rules : json::array()}});
}

std::string PayloadOf(const DiscoveryEvent& e) {
  return Dump({{"event", "link.discovered"},
               {"link_id", e.link_id},
               {"url", e.url},
               {"origin", "discovered"},
               {"found_from", e.found_from},
               {"reason", e.reason},
               {"review_state", "pending"}});
}

// The delivery id lets a receiver tell a retry from a new event.
std::string WithDelivery(const storage::Notification& n) {
  json payload = json::parse(n.payload, nullptr, false);
  if (!payload.is_object()) return n.payload;
  payload["delivery_id"] = n.id;
  payload["attempt"] = n.attempts + 1;
  return Dump(payload);
}

std::optional<TimeMs> RetryAt(TimeMs now, int attempts, const NotificationsConfig& c) {
  if (attempts >= c.max_attempts) return std::nullopt;
  int64_t delay = c.retry_base_ms;
  for (int i = 1; i < attempts && delay < c.retry_max_ms; ++i) delay *= 2;
  return now + std::min(delay, c.retry_max_ms);
}

struct Notifier::Impl : std::enable_shared_from_this<Notifier::Impl> {
  Impl(asio::io_context& io, Executor workers, storage::Store& store, NotificationsConfig config,
       const crawler::FetchOptions& defaults, const Clock& clock)
      : io(io), workers(std::move(workers)), store(store), config(std::move(config)),
        fetcher(io, WebhookFetchOptions(this->config, defaults)), clock(clock),
        loop(io, this->workers, this->config.poll_interval_ms, "notifications") {}

  // On a worker: the notifications for `event`, queued durably, then a poke.
  void Queue(const std::string& event, std::optional<int64_t> link_id, const std::string& payload) {
    std::vector<storage::Notification> items;
    for (const auto& hook : config.webhooks) {
      if (!Wants(hook, event)) continue;
      storage::Notification n;
      n.event = event;
      n.link_id = link_id;
      n.webhook = hook.url;
      n.payload = payload;
      items.push_back(std::move(n));
    }
    if (items.empty()) return;
    auto ids = store.QueueNotifications(std::move(items));
    if (!ids.ok()) {
      spdlog::error("queueing {} notifications: {}", event, ids.status().ToString());
      return;
    }
    asio::post(io, [self = shared_from_this()] { self->Poll(); });
  }

  // LeaseLoop's hooks (io thread)
  bool Stopping() const { return stopping; }
  int Room() const { return config.max_in_flight - running; }
  Result<std::vector<storage::Notification>> Lease(int n) {  // on a worker
    return store.LeaseNotifications(clock.Now(), n, config.timeout_ms + kLeaseSlackMs);
  }
  void Start(storage::Notification n) {
    if (!Configured(n.webhook)) return Unsent(n);
    DoSend(std::move(n));
  }
  void LeaseEnded() {}
  void Poll() { loop.Poll(shared_from_this()); }

  bool Configured(const std::string& url) const {
    return std::any_of(config.webhooks.begin(), config.webhooks.end(),
                       [&](const WebhookConfig& hook) { return hook.url == url; });
  }

  // A notification sent again (`notifications retry`) to a webhook removed
  // since the start: failed at once, unsent.
  void Unsent(const storage::Notification& n) {
    spdlog::warn("notification {} ({}) to {}: {}", n.id, n.event, n.webhook, kUnconfigured);
    storage::DeliveryResult d;
    d.id = n.id;
    d.error = kUnconfigured;
    Record(std::move(d));
  }

  void Record(storage::DeliveryResult d) {
    workers([self = shared_from_this(), d = std::move(d)] {
      if (auto st = self->store.RecordDeliveries({d}); !st.ok()) {
        spdlog::error("recording a notification delivery: {}", st.ToString());
      }
    });
  }

  // On a worker, at the start: what was pending for a webhook no longer
  // configured fails, unsent, rather than waiting for ever or going there.
  void FailUnconfigured() {
    std::vector<std::string> urls;
    for (const auto& hook : config.webhooks) urls.push_back(hook.url);
    auto failed = store.FailNotificationsExcept(std::move(urls), kUnconfigured);
    if (!failed.ok()) {
      spdlog::error("failing notifications of removed webhooks: {}", failed.status().ToString());
    } else if (*failed > 0) {
      spdlog::warn("{} pending notification(s) for webhooks no longer in the configuration failed, unsent "
                   "(linkwatch notifications failed)", *failed);
    }
  }

  void DoSend(storage::Notification n) {
    ++running;
    crawler::FetchRequest request;
    request.url = n.webhook;
    request.post_body = WithDelivery(n);
    fetcher.Fetch(std::move(request), [self = shared_from_this(), n = std::move(n)](crawler::FetchResult r) mutable {
      asio::post(self->io, [self, n = std::move(n), r = std::move(r)] { self->OnSent(n, r); });
    });
  }

  void OnSent(const storage::Notification& n, const crawler::FetchResult& r) {
    --running;
    if (stopping) return;  // the lease runs out; the next start sends it again
    storage::DeliveryResult d;
    d.id = n.id;
    d.delivered = r.error == crawler::FetchError::kNone && r.http_status >= 200 && r.http_status < 300;
    if (!d.delivered) {
      d.error = r.error != crawler::FetchError::kNone
                    ? std::string(crawler::FetchErrorName(r.error)) + ": " + r.error_text
                    : "HTTP " + std::to_string(r.http_status);
      d.retry_at = RetryAt(clock.Now(), n.attempts + 1, config);
      if (!d.retry_at) {
        spdlog::warn("notification {} ({}) to {} failed after {} attempts: {}", n.id, n.event,
                     n.webhook, n.attempts + 1, d.error);
      }
    }
    Record(std::move(d));
    Poll();
  }

  asio::io_context& io;
  Executor workers;
  storage::Store& store;
  const NotificationsConfig config;
  crawler::CurlFetcher fetcher;
  const Clock& clock;
  LeaseLoop<Impl, storage::Notification> loop;
  // io-thread state
  bool stopping = false;
  int running = 0;
};

Notifier::Notifier(asio::io_context& io, Executor workers, storage::Store& store,
                   NotificationsConfig config, const crawler::FetchOptions& fetch_defaults,
                   const Clock& clock)
    : impl_(std::make_shared<Impl>(io, std::move(workers), store, std::move(config), fetch_defaults,
                                   clock)) {}

Notifier::~Notifier() = default;

void Notifier::OnChecked(const CheckEvent& e) {
  if (impl_->config.webhooks.empty()) return;
  for (const auto& event : EventsOf(e)) {
    impl_->workers([impl = impl_, event, id = e.link_id, payload = PayloadOf(event, e)] {
      impl->Queue(event, id, payload);
    });
  }
}

void Notifier::OnDiscovered(const DiscoveryEvent& e) {
  if (impl_->config.webhooks.empty()) return;
  impl_->workers([impl = impl_, id = e.link_id, payload = PayloadOf(e)] {
    impl->Queue("link.discovered", id, payload);
  });
}

void Notifier::Start() {
  // Polled with no webhook too: a failed notification sent again then fails
  // at once, unsent, instead of staying pending.
  impl_->workers([impl = impl_] {
    impl->FailUnconfigured();
    asio::post(impl->io, [impl] { impl->Poll(); });
  });
}

void Notifier::Stop() {
  impl_->stopping = true;
  impl_->loop.Cancel();
  impl_->fetcher.Stop();
}

}  // namespace linkwatch::daemon
