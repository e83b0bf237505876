// HTTP/1.1 transport for the Api (Boost.Beast), keep-alive, body limits,
// timeouts, graceful stop. A request's headers are read first: a body sent
// without a bearer token is refused unread (401), `Expect: 100-continue` is
// answered, HEAD gets GET's headers without the body, malformed HTTP gets 400.
//
// HttpServer lives on one io_context: construct, Listen() and Stop() from that
// context's thread (Stop() may also be posted from a signal handler there).
// Boost types stay out of this header.
#pragma once

#include <cstdint>
#include <memory>

#include "linkwatch/base/status.h"
#include "linkwatch/daemon/api.h"
#include "linkwatch/daemon/config.h"

namespace boost::asio {
class io_context;
}

namespace linkwatch::daemon {

struct HttpOptions {
  uint64_t max_body_bytes = 8u << 20;  // larger bodies are answered with 413
  int request_timeout_seconds = 30;    // for reading one request or writing one answer
  // Connections open at once; beyond it new ones wait in the kernel's queue.
  int max_connections = 1024;
};

class HttpServer {
 public:
  // `io` and `api` must outlive the server.
  HttpServer(boost::asio::io_context& io, Api& api, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Returns the bound port (useful with port 0).
  // kIOError when the address cannot be bound, naming it.
  Result<uint16_t> Listen(const Endpoint& endpoint);

  // Stops accepting; connections with a request in progress finish it and
  // close, idle ones close now. io.run() returns once all are done.
  void Stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace linkwatch::daemon
