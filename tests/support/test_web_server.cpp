#include "test_web_server.h"

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>
#include <thread>

#include "test_web_routes.h"
#include "test_web_session.h"
#include "test_web_state.h"

namespace linkwatch::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct TestWebServer::Impl {
  struct Listener {
    Listener(asio::io_context& io, const std::string& address)
        : acceptor(io, tcp::endpoint(asio::ip::make_address(address), 0)),
          address(address),
          port(acceptor.local_endpoint().port()) {}
    tcp::acceptor acceptor;
    std::string address;
    uint16_t port;
  };

  void do_accept(Listener& listener) {
    listener.acceptor.async_accept([this, &listener](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) StartSession(std::move(socket), state, listener.address);
      do_accept(listener);
    });
  }

  std::shared_ptr<State> state = std::make_shared<State>();
  asio::io_context io;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::thread thread;
};

TestWebServer::TestWebServer(std::vector<std::string> addresses) : impl_(std::make_unique<Impl>()) {
  if (addresses.empty()) throw std::invalid_argument("TestWebServer needs an address");
  for (const std::string& address : addresses) {
    impl_->listeners.push_back(std::make_unique<Impl::Listener>(impl_->io, address));
    impl_->do_accept(*impl_->listeners.back());
  }
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

TestWebServer::~TestWebServer() {
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t TestWebServer::port(size_t host) const { return impl_->listeners.at(host)->port; }
const std::string& TestWebServer::address(size_t host) const {
  return impl_->listeners.at(host)->address;
}

std::string TestWebServer::Origin(size_t host) const {
  return "http://" + address(host) + ":" + std::to_string(port(host));
}

std::string TestWebServer::Url(std::string_view target, size_t host) const {
  return Origin(host) + std::string(target);
}

void TestWebServer::Set(const std::string& path, int status) {
  SetBody(
      path,
      "<!doctype html><html><body><h1>Status " + std::to_string(status) + "</h1></body></html>\n",
      status);
}

void TestWebServer::SetBody(const std::string& path, std::string body, int status,
                            std::string content_type) {
  std::lock_guard lock(impl_->state->mu);
  impl_->state->overrides[path] = {status, std::move(body), std::move(content_type)};
}

void TestWebServer::Unset(const std::string& path) {
  std::lock_guard lock(impl_->state->mu);
  impl_->state->overrides.erase(path);
}

std::vector<TestWebServer::Request> TestWebServer::Requests() const {
  std::lock_guard lock(impl_->state->mu);
  return impl_->state->log;
}

int TestWebServer::Count(const std::string& path_or_target) const {
  const bool by_target = path_or_target.find('?') != std::string::npos;
  std::lock_guard lock(impl_->state->mu);
  return static_cast<int>(
      std::count_if(impl_->state->log.begin(), impl_->state->log.end(), [&](const Request& r) {
        bool proxied = false;
        return (by_target ? web::OriginForm(r.target, &proxied) : r.path) == path_or_target;
      }));
}

std::vector<TestWebServer::Clock::time_point> TestWebServer::StartTimes(
    const std::string& host) const {
  std::vector<Clock::time_point> out;
  std::lock_guard lock(impl_->state->mu);
  for (const Request& r : impl_->state->log) {
    if (r.host == host) out.push_back(r.at);
  }
  return out;
}

int TestWebServer::MaxConcurrentRequests() const {
  std::lock_guard lock(impl_->state->mu);
  return impl_->state->requests.max;
}

int TestWebServer::MaxConcurrentRequests(const std::string& host) const {
  std::lock_guard lock(impl_->state->mu);
  const auto it = impl_->state->host_requests.find(host);
  return it == impl_->state->host_requests.end() ? 0 : it->second.max;
}

int TestWebServer::MaxConcurrentConnections() const {
  std::lock_guard lock(impl_->state->mu);
  return impl_->state->connections.max;
}

int TestWebServer::MaxConcurrentConnections(const std::string& local_address) const {
  std::lock_guard lock(impl_->state->mu);
  const auto it = impl_->state->address_connections.find(local_address);
  return it == impl_->state->address_connections.end() ? 0 : it->second.max;
}

int TestWebServer::ConnectionsAccepted() const {
  std::lock_guard lock(impl_->state->mu);
  return impl_->state->accepted;
}

void TestWebServer::ResetStats() {
  std::lock_guard lock(impl_->state->mu);
  State& s = *impl_->state;
  s.log.clear();
  s.target_hits.clear();
  s.accepted = 0;
  s.requests.ResetMax();
  s.connections.ResetMax();
  for (auto& [key, gauge] : s.host_requests) gauge.ResetMax();
  for (auto& [key, gauge] : s.address_connections) gauge.ResetMax();
}

const std::string& TestWebServer::PageHtml() {
  static const std::string page =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Test page</title></head>\n"
      "<body><h1>Test page</h1><p>Material under monitoring. Материал под наблюдением.</p>\n"
      "<a href=\"/page\">next</a></body></html>\n";
  return page;
}

const std::string& TestWebServer::InvalidUtf8Body() {
  // A lone continuation byte, a truncated sequence, an overlong '/', 0xFF.
  static const std::string body =
      std::string("<html><body>bad: \x80 \xC3 \xC0\xAF \xFF end</body></html>\n");
  return body;
}

const std::string& TestWebServer::GzipBomb() {
  static const std::string bomb = web::GzipZeros(kGzipBombDecodedBytes);
  return bomb;
}

}  // namespace linkwatch::test
