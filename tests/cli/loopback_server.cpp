#include "loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace linkwatch::cli::test {
namespace {

constexpr int kPollMs = 20;            // how often the serving thread checks stop_
constexpr int kReceiveTimeoutSec = 5;  // a stuck client never blocks the server for long
constexpr size_t kMaxRequestBytes = 64 << 20;

// A socket bound to 127.0.0.1 on a free port; throws on failure.
int BindLoopback(uint16_t* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t size = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
    ::close(fd);
    throw std::runtime_error("bind failed");
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

// Parses the request line and headers (up to the blank line).
HttpRequest ParseHead(const std::string& head) {
  HttpRequest request;
  size_t start = 0;
  for (bool first = true; start < head.size(); first = false) {
    size_t end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    const std::string line = head.substr(start, end - start);
    start = end + 2;
    if (first) {
      const size_t a = line.find(' '), b = line.rfind(' ');
      request.method = line.substr(0, a);
      request.target = line.substr(a + 1, b - a - 1);
    } else if (const size_t colon = line.find(':'); colon != std::string::npos) {
      request.headers[Lower(line.substr(0, colon))] = Trim(line.substr(colon + 1));
    }
  }
  return request;
}

// Reads one request; false when the client went away first.
bool ReadRequest(int fd, HttpRequest* request) {
  std::string data;
  char buffer[8192];
  size_t head_end = std::string::npos;
  size_t want = kMaxRequestBytes;
  while (data.size() < want) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    data.append(buffer, static_cast<size_t>(n));
    if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
      *request = ParseHead(data.substr(0, head_end));
      const std::string length = request->Header("content-length");
      want = head_end + 4 + (length.empty() ? 0 : std::stoul(length));
    }
  }
  request->body = data.substr(head_end + 4);
  return true;
}

void SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

std::string Serialize(const HttpReply& reply) {
  return "HTTP/1.1 " + std::to_string(reply.status) + " Canned\r\n" +
         "Content-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(reply.body.size()) + "\r\n" +
         "Connection: close\r\n\r\n" + reply.body;
}

}  // namespace

LoopbackServer::LoopbackServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = BindLoopback(&port_);
  if (::listen(listen_fd_, SOMAXCONN) != 0) throw std::runtime_error("listen failed");
  thread_ = std::thread([this] { Serve(); });
}

LoopbackServer::~LoopbackServer() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::vector<HttpRequest> LoopbackServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void LoopbackServer::Serve() {
  while (!stop_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, kPollMs) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Answer(fd);
    ::close(fd);
  }
}

void LoopbackServer::Answer(int fd) {
  timeval timeout{kReceiveTimeoutSec, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  HttpRequest request;
  if (!ReadRequest(fd, &request)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
  }
  SendAll(fd, Serialize(handler_(request)));
}

SilentListener::SilentListener() {
  fd_ = BindLoopback(&port_);
  if (::listen(fd_, SOMAXCONN) != 0) throw std::runtime_error("listen failed");
}

SilentListener::~SilentListener() { ::close(fd_); }

uint16_t ClosedLoopbackPort() {
  uint16_t port = 0;
  ::close(BindLoopback(&port));
  return port;
}

}  // namespace linkwatch::cli::test
