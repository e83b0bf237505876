// The curl multi handle, driven by curl_multi_socket_action from an Asio
// io_context: curl says which sockets to watch (CURLMOPT_SOCKETFUNCTION) and
// when to call it back (CURLMOPT_TIMERFUNCTION); Asio does the waiting. No
// thread per transfer, no polling loop.
//
// curl's timer is kept lazily: a zero timeout is a posted call (no timer), a
// later deadline leaves the armed timer alone (it fires early and waits the
// rest), and only an earlier one re-arms it. Curl moves its deadline on almost
// every call, and each re-arm of the io_context's earliest timer is a
// timerfd_settime system call.
//
// Connection sockets are opened through CURLOPT_OPENSOCKETFUNCTION as Asio
// sockets and closed through CURLOPT_CLOSESOCKETFUNCTION, so Asio owns their
// lifetime and never sees a descriptor number reused under it. Descriptors
// curl makes itself (the threaded resolver's wake-up pair) are watched without
// being owned; curl announces CURL_POLL_REMOVE before it closes them.
//
// Internal to the fetcher. Not thread-safe: every call and every callback runs
// on the io_context's thread.
#pragma once

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

namespace linkwatch::crawler {

class CurlMulti : public std::enable_shared_from_this<CurlMulti> {
 public:
  // Called once per finished transfer (CURLMSG_DONE), outside curl callbacks,
  // so the handler may Remove() and Add().
  using DoneHandler = std::function<void(CURL* easy, CURLcode code)>;

  static std::shared_ptr<CurlMulti> Create(boost::asio::io_context& io, DoneHandler on_done);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  bool ok() const { return multi_ != nullptr; }
  // Routes the handle's sockets through this object. Call before Add().
  void Adopt(CURL* easy);
  // Starts a transfer; false when curl refuses it (or after Shutdown).
  bool Add(CURL* easy);
  // Takes a transfer out, finished or not.
  void Remove(CURL* easy);
  // Closes every cached connection and the multi handle; later Add()s fail.
  // REQUIRES: every added handle has been removed.
  void Shutdown();

 private:
  struct Socket;
  enum Direction { kIn = 0, kOut = 1 };

  CurlMulti(boost::asio::io_context& io, DoneHandler on_done);

  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* self, void* socketp);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);
  static curl_socket_t OnOpenSocket(void* self, curlsocktype purpose, curl_sockaddr* address);
  static int OnCloseSocket(void* self, curl_socket_t fd);

  curl_socket_t open_socket(curlsocktype purpose, const curl_sockaddr& address);
  void close_socket(curl_socket_t fd);
  void watch(curl_socket_t fd, int what);
  void unwatch(curl_socket_t fd);
  void do_wait(curl_socket_t fd, const std::shared_ptr<Socket>& socket, Direction dir);
  void on_ready(curl_socket_t fd, const std::weak_ptr<Socket>& socket, Direction dir,
                unsigned generation, boost::system::error_code ec);
  void set_timer(long timeout_ms);
  void arm_timer(std::chrono::steady_clock::time_point at);
  void on_timer(boost::system::error_code ec);
  void post_timeout();
  void do_action(curl_socket_t fd, int events);
  void check_done();

  boost::asio::io_context& io_;
  DoneHandler on_done_;
  CURLM* multi_ = nullptr;
  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;    // a wait on timer_ is pending
  bool timeout_posted_ = false;  // a zero-timeout action is queued on the io_context
  // When curl wants its timeout action; none: curl wants no timer.
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::unordered_map<curl_socket_t, std::shared_ptr<Socket>> sockets_;
};

}  // namespace linkwatch::crawler
