// A tiny HTTP/1.1 server on 127.0.0.1 for testing the CLI's API client: plain
// POSIX sockets, one thread, one request per connection ("Connection: close"),
// canned answers from a handler. Stopped by its destructor.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace linkwatch::cli::test {

struct HttpRequest {
  std::string method;
  std::string target;                          // "/v1/links?limit=5"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpReply {
  int status = 200;
  std::string body;  // sent with Content-Type: application/json
};

class LoopbackServer {
 public:
  using Handler = std::function<HttpReply(const HttpRequest&)>;

  // Binds 127.0.0.1 on a free port and starts serving on a thread.
  explicit LoopbackServer(Handler handler);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Every request received so far, in order.
  std::vector<HttpRequest> requests() const;

 private:
  void Serve();
  void Answer(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;  // guarded by mu_
  std::thread thread_;
};

// A socket that listens on 127.0.0.1 but never accepts: connections succeed
// (the kernel completes them) and requests are never answered.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A loopback port that was just bound and closed: connecting is refused.
uint16_t ClosedLoopbackPort();

}  // namespace linkwatch::cli::test
