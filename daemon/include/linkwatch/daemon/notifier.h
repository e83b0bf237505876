// Webhook notifications: link removed, reappeared, blocked, newly flagged, a
// discovered link pending review. Each event is queued in storage first (so a
// restart loses none), then POSTed as JSON by the notifier's own fetcher (its
// own connections and caps: a slow or dead webhook never slows checking),
// retried with exponential backoff; after the last attempt it stays "failed"
// and visible (linkwatch notifications failed).
//
// OnChecked/OnDiscovered may be called from any thread; the delivery loop
// lives on the io_context thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "linkwatch/base/time.h"
#include "linkwatch/crawler/fetcher.h"
#include "linkwatch/daemon/config.h"
#include "linkwatch/daemon/events.h"
#include "linkwatch/storage/store.h"

namespace boost::asio {
class io_context;
}

namespace linkwatch::daemon {

// The notification events a recorded check means ("link.removed", ...).
std::vector<std::string> EventsOf(const CheckEvent& e);
// The JSON body of one event.
std::string PayloadOf(const std::string& event, const CheckEvent& e);
std::string PayloadOf(const DiscoveryEvent& e);
// What one attempt POSTs: the stored payload with "delivery_id" (the same on
// every retry) and "attempt" (1 = the first).
std::string WithDelivery(const storage::Notification& n);
// When attempt `attempts` (1 = the first) failed: the next try, or nullopt when it was the last.
std::optional<TimeMs> RetryAt(TimeMs now, int attempts, const NotificationsConfig& config);

class Notifier {
 public:
  using Executor = std::function<void(std::function<void()>)>;

  // `io`, `store` and `clock` must outlive it.
  Notifier(boost::asio::io_context& io, Executor workers, storage::Store& store,
           NotificationsConfig config, const crawler::FetchOptions& fetch_defaults,
           const Clock& clock = SystemClock::Instance());
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void OnChecked(const CheckEvent& e);
  void OnDiscovered(const DiscoveryEvent& e);
  void Start();  // io thread
  void Stop();   // io thread; deliveries in flight are retried after a restart

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace linkwatch::daemon
