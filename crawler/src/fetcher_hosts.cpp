#include "fetcher_hosts.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <optional>

namespace linkwatch::crawler {

namespace asio = boost::asio;

namespace {

struct Waiting {
  HostQueue::Ticket ticket;
  HostQueue::Start start;
  std::optional<HostQueue::Clock::time_point> latest;
  HostQueue::Expire expire;
};

}  // namespace

struct HostQueue::Host {
  explicit Host(asio::io_context& io) : timer(io) {}
  std::deque<Waiting> waiting;
  int running = 0;
  std::optional<Clock::time_point> last_start;
  Clock::time_point not_before{};
  bool in_ready = false;  // listed in ready_
  asio::steady_timer timer;
  std::optional<Clock::time_point> timer_at;
};

std::shared_ptr<HostQueue> HostQueue::Create(asio::io_context& io, Limits limits) {
  return std::shared_ptr<HostQueue>(new HostQueue(io, limits));
}

HostQueue::HostQueue(asio::io_context& io, Limits limits) : io_(io), limits_(limits) {
  limits_.max_in_flight = std::max(1, limits_.max_in_flight);
  limits_.max_per_host = std::max(1, limits_.max_per_host);
}

HostQueue::Ticket HostQueue::Enqueue(const std::string& key, Start start,
                                     std::optional<Clock::time_point> latest, Expire expire) {
  std::unique_ptr<Host>& host = hosts_[key];
  if (!host) host = std::make_unique<Host>(io_);
  const Ticket ticket = next_ticket_++;
  host->waiting.push_back({ticket, std::move(start), latest, std::move(expire)});
  ++waiting_;
  evaluate(key);
  // Granted or dropped at once: nothing waits under the ticket.
  const auto it = hosts_.find(key);
  const bool waits = it != hosts_.end() && !it->second->waiting.empty() &&
                     it->second->waiting.back().ticket == ticket;
  return waits ? ticket : 0;
}

bool HostQueue::Withdraw(const std::string& key, Ticket ticket) {
  const auto it = hosts_.find(key);
  if (it == hosts_.end()) return false;
  auto& waiting = it->second->waiting;
  const auto entry = std::find_if(waiting.begin(), waiting.end(),
                                  [ticket](const Waiting& w) { return w.ticket == ticket; });
  if (entry == waiting.end()) return false;
  waiting.erase(entry);
  --waiting_;
  evaluate(key);
  return true;
}

HostQueue::Clock::duration HostQueue::HeldFor(const std::string& key) const {
  const auto it = hosts_.find(key);
  if (it == hosts_.end()) return {};
  return std::max(Clock::duration{}, next_start(*it->second) - Clock::now());
}

void HostQueue::MarkActive(const std::string& key) {
  const auto it = hosts_.find(key);
  if (it != hosts_.end()) it->second->last_start = Clock::now();
}

void HostQueue::Defer(const std::string& key, Clock::duration delay) {
  const auto it = hosts_.find(key);
  if (it == hosts_.end()) return;
  it->second->not_before = std::max(it->second->not_before, Clock::now() + delay);
  evaluate(key);
}

void HostQueue::Finished(const std::string& key) {
  const auto it = hosts_.find(key);
  if (it == hosts_.end()) return;  // cleared by Stop
  --it->second->running;
  --running_;
  drain_ready();
  evaluate(key);
}

void HostQueue::Clear() {
  hosts_.clear();  // destroying the timers aborts their waits
  ready_.clear();
  running_ = 0;
  waiting_ = 0;
}

HostQueue::Clock::time_point HostQueue::next_start(const Host& host) const {
  Clock::time_point next = host.not_before;
  if (host.last_start) next = std::max(next, *host.last_start + limits_.per_host_delay);
  return next;
}

// Starts what may start for `key`, then decides what the host waits for: a
// running request, its timer, or a global slot. May forget the host.
void HostQueue::evaluate(const std::string& key) {
  const auto it = hosts_.find(key);
  if (it == hosts_.end()) return;
  Host& host = *it->second;
  while (!host.waiting.empty() && !host.in_ready && host.running < limits_.max_per_host) {
    const Clock::time_point next = next_start(host);
    if (Clock::now() < next) {
      expire_late(host, next);
      if (host.waiting.empty()) break;
      return arm_timer(key, host, next);
    }
    if (running_ >= limits_.max_in_flight) {
      host.in_ready = true;
      ready_.push_back(key);
      return;
    }
    grant(host);
  }
  if (!host.waiting.empty() || host.running > 0 || host.in_ready) return;
  // Idle: keep the host only while its delay or Retry-After still applies.
  const Clock::time_point next = next_start(host);
  if (Clock::now() < next) return arm_timer(key, host, next);
  hosts_.erase(it);
}

// Drops the waiting requests whose latest start is before `next`.
void HostQueue::expire_late(Host& host, Clock::time_point next) {
  const Clock::duration held = next - Clock::now();
  std::erase_if(host.waiting, [&](Waiting& w) {
    if (!w.latest || *w.latest >= next) return false;
    --waiting_;
    if (w.expire) asio::post(io_, [expire = std::move(w.expire), held] { expire(held); });
    return true;
  });
}

void HostQueue::grant(Host& host) {
  Start start = std::move(host.waiting.front().start);
  host.waiting.pop_front();
  --waiting_;
  ++host.running;
  ++running_;
  // Provisional: MarkActive() moves it to when the request really leaves.
  host.last_start = Clock::now();
  asio::post(io_, std::move(start));
}

void HostQueue::drain_ready() {
  while (running_ < limits_.max_in_flight && !ready_.empty()) {
    const std::string key = std::move(ready_.front());
    ready_.pop_front();
    const auto it = hosts_.find(key);
    if (it == hosts_.end()) continue;
    it->second->in_ready = false;
    evaluate(key);
  }
}

void HostQueue::arm_timer(const std::string& key, Host& host, Clock::time_point at) {
  if (host.timer_at == at) return;
  host.timer_at = at;
  host.timer.expires_at(at);
  host.timer.async_wait([weak_self = weak_from_this(), key](boost::system::error_code ec) {
    if (ec == asio::error::operation_aborted) return;
    if (auto self = weak_self.lock()) self->on_timer(key);
  });
}

void HostQueue::on_timer(const std::string& key) {
  const auto it = hosts_.find(key);
  if (it == hosts_.end()) return;
  it->second->timer_at.reset();
  evaluate(key);
}

}  // namespace linkwatch::crawler
