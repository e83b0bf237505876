// The lease-and-poll loop the discovery fetcher and the notifier share, run
// on the io thread: when the owner has room, lease up to that many due items
// from storage on a worker, start each back on the io thread, then poll again
// after the interval. Poll() may also be called at any time (new work queued,
// an item finished); one lease runs at a time.
//
// The owner is held by shared_ptr in every callback, so it outlives them; it
// provides (io thread unless said):
//   bool Stopping() const;
//   int Room() const;                        free slots
//   Result<std::vector<Item>> Lease(int n);  on a worker
//   void Start(Item item);
//   void LeaseEnded();                       a lease came back while stopping
#pragma once

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "linkwatch/base/status.h"

namespace linkwatch::daemon {

template <typename Owner, typename Item>
class LeaseLoop {
 public:
  using Executor = std::function<void(std::function<void()>)>;

  // what: the items, for the log ("discovery candidates").
  LeaseLoop(boost::asio::io_context& io, Executor workers, int interval_ms, std::string what)
      : io_(io), timer_(io), workers_(std::move(workers)), interval_ms_(interval_ms), what_(std::move(what)) {}

  void Poll(const std::shared_ptr<Owner>& owner) {
    if (owner->Stopping() || leasing_) return;
    const int room = owner->Room();
    if (room <= 0) return;
    leasing_ = true;
    workers_([this, owner, room] {
      auto due = owner->Lease(room);
      boost::asio::post(io_, [this, owner, due = std::move(due)]() mutable { OnLeased(owner, std::move(due)); });
    });
  }

  // Stops the wait for the next poll (the owner is stopping).
  void Cancel() { timer_.cancel(); }
  bool leasing() const { return leasing_; }

 private:
  void OnLeased(const std::shared_ptr<Owner>& owner, Result<std::vector<Item>> due) {
    leasing_ = false;
    if (owner->Stopping()) return owner->LeaseEnded();
    if (!due.ok()) {
      spdlog::error("leasing {}: {}", what_, due.status().ToString());
    } else {
      for (auto& item : *due) owner->Start(std::move(item));
    }
    if (owner->Stopping()) return;
    timer_.expires_after(std::chrono::milliseconds(interval_ms_));
    timer_.async_wait([this, owner](const boost::system::error_code& ec) {
      if (!ec) Poll(owner);
    });
  }

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  Executor workers_;
  const int interval_ms_;
  const std::string what_;
  bool leasing_ = false;
};

}  // namespace linkwatch::daemon
