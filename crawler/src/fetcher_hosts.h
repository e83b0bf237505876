// Politeness: decides when a queued request may start.
//
// A request to host H starts only when (1) fewer than max_in_flight requests
// run in all, (2) fewer than max_per_host run to H, (3) per_host_delay has
// passed since the last request to H actually left (curl's pre-request
// callback, so connection setup does not eat into the gap) -- or since its
// answer began to arrive, whichever is later, and (4) H's
// Retry-After, if any, has passed. Hosts blocked only by the global cap wait
// in FIFO order, so one busy host cannot starve the others; requests to one
// host start in FIFO order. A host is forgotten once idle and past its delay.
// A request may carry the latest time it may start: when its host is held
// past that (Retry-After, pace), it is dropped and told how long the host is
// held, instead of waiting on.
//
// Internal to the fetcher. Not thread-safe: io_context thread only, except
// running() and waiting(), which any thread may read.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace linkwatch::crawler {

class HostQueue : public std::enable_shared_from_this<HostQueue> {
 public:
  using Clock = std::chrono::steady_clock;
  using Start = std::function<void()>;
  // A dropped request: `held` is how long its host takes no request from now.
  using Expire = std::function<void(Clock::duration held)>;
  using Ticket = uint64_t;
  struct Limits {
    int max_in_flight = 1;
    int max_per_host = 1;
    Clock::duration per_host_delay{};
  };

  static std::shared_ptr<HostQueue> Create(boost::asio::io_context& io, Limits limits);

  // Queues a request to `host`; `start` is posted to the io_context once the
  // request may go. Every started request must call Finished() exactly once.
  // With `latest`, `expire` is posted instead once the host is held past it
  // (checked whenever the host's next start moves; see also Withdraw).
  // Returns 0 when the request was granted or dropped at once, else the
  // ticket it waits under.
  Ticket Enqueue(const std::string& host, Start start,
                 std::optional<Clock::time_point> latest = std::nullopt, Expire expire = nullptr);
  // Takes a waiting request out; false when it has been granted (its start
  // is posted) or dropped already.
  bool Withdraw(const std::string& host, Ticket ticket);
  // How long `host` takes no request from now (0 when it may take one).
  Clock::duration HeldFor(const std::string& host) const;
  // A request to `host` is on the wire now: it is leaving, or its answer has
  // begun to arrive. The delay counts from the latest such moment. Counting
  // from the answer makes the gap hold as the server sees it: the server has
  // surely read the request before it answered, however late its thread ran.
  void MarkActive(const std::string& host);
  // No request to `host` starts before `delay` from now (Retry-After); the
  // waiting requests that cannot start in time are dropped.
  void Defer(const std::string& host, Clock::duration delay);
  void Finished(const std::string& host);
  // Drops every waiting request and all host state (used by Stop).
  void Clear();

  int running() const { return running_.load(); }
  int waiting() const { return waiting_.load(); }

 private:
  struct Host;
  HostQueue(boost::asio::io_context& io, Limits limits);

  void evaluate(const std::string& key);
  void expire_late(Host& host, Clock::time_point next);
  void grant(Host& host);
  void drain_ready();
  void arm_timer(const std::string& key, Host& host, Clock::time_point at);
  void on_timer(const std::string& key);
  Clock::time_point next_start(const Host& host) const;

  boost::asio::io_context& io_;
  Limits limits_;
  std::unordered_map<std::string, std::unique_ptr<Host>> hosts_;
  std::deque<std::string> ready_;  // hosts that wait only for a global slot
  std::atomic<int> running_{0};
  std::atomic<int> waiting_{0};
  Ticket next_ticket_ = 1;
};

}  // namespace linkwatch::crawler
