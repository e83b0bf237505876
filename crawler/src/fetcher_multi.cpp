#include "fetcher_multi.h"

#include <poll.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

namespace linkwatch::crawler {

namespace asio = boost::asio;
using boost::system::error_code;

// A descriptor curl asked us to watch.
struct CurlMulti::Socket {
  std::optional<asio::ip::tcp::socket> owned;              // opened for curl; closing it is ours
  std::optional<asio::posix::stream_descriptor> borrowed;  // curl's own; released, never closed
  int want = 0;                                            // CURL_POLL_IN / CURL_POLL_OUT bits
  bool waiting[2] = {false, false};
  // Bumped on every cancel so that a wait completed just before it is ignored.
  unsigned generation[2] = {0, 0};

  template <typename Handler>
  void AsyncWait(Direction dir, Handler&& handler) {
    const auto type = dir == kIn ? asio::socket_base::wait_read : asio::socket_base::wait_write;
    if (owned) {
      owned->async_wait(type, std::forward<Handler>(handler));
    } else {
      borrowed->async_wait(type == asio::socket_base::wait_read
                               ? asio::posix::descriptor_base::wait_read
                               : asio::posix::descriptor_base::wait_write,
                           std::forward<Handler>(handler));
    }
  }

  void Cancel() {
    error_code ignored;
    if (owned) owned->cancel(ignored);
    if (borrowed) borrowed->cancel(ignored);
    for (int d : {kIn, kOut}) {
      waiting[d] = false;
      ++generation[d];
    }
  }
};

namespace {

constexpr int kPollBit[2] = {CURL_POLL_IN, CURL_POLL_OUT};
constexpr int kSelectBit[2] = {CURL_CSELECT_IN, CURL_CSELECT_OUT};
constexpr short kPollEvents[2] = {POLLIN, POLLOUT};

// Asio registers descriptors edge-triggered. Curl may ask again for a
// direction that is already ready (a writable socket stays writable, no new
// edge comes), so readiness is checked once before each wait.
bool ReadyNow(curl_socket_t fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, 0) > 0;
}

// Idle connections kept for reuse, all hosts together.
constexpr long kIdleConnections = 1024;

}  // namespace

std::shared_ptr<CurlMulti> CurlMulti::Create(asio::io_context& io, DoneHandler on_done) {
  return std::shared_ptr<CurlMulti>(new CurlMulti(io, std::move(on_done)));
}

CurlMulti::CurlMulti(asio::io_context& io, DoneHandler on_done)
    : io_(io), on_done_(std::move(on_done)), multi_(curl_multi_init()), timer_(io) {
  if (multi_ == nullptr) return;
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  // HTTP/2 streams share one connection per host where the server offers it.
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, long{CURLPIPE_MULTIPLEX});
  // curl's default cache holds 4x the transfers running now, which is near
  // zero between two bursts of due links: connections would be closed and
  // opened again for every burst.
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, kIdleConnections);
}

CurlMulti::~CurlMulti() { Shutdown(); }

void CurlMulti::Adopt(CURL* easy) {
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &CurlMulti::OnOpenSocket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlMulti::OnCloseSocket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
}

bool CurlMulti::Add(CURL* easy) {
  return multi_ != nullptr && curl_multi_add_handle(multi_, easy) == CURLM_OK;
}

void CurlMulti::Remove(CURL* easy) {
  if (multi_ != nullptr) curl_multi_remove_handle(multi_, easy);
}

void CurlMulti::Shutdown() {
  if (multi_ == nullptr) return;
  timer_.cancel();
  deadline_.reset();
  // Closes the cached connections through OnCloseSocket, so `this` must still be whole.
  curl_multi_cleanup(multi_);
  multi_ = nullptr;
  for (auto& [fd, socket] : sockets_) {
    socket->Cancel();
    if (socket->borrowed) socket->borrowed->release();
  }
  sockets_.clear();
}

// --- curl callbacks (run inside curl; they only record what curl wants) ---

int CurlMulti::OnSocket(CURL*, curl_socket_t fd, int what, void* self, void*) {
  static_cast<CurlMulti*>(self)->watch(fd, what);
  return 0;
}

int CurlMulti::OnTimer(CURLM*, long timeout_ms, void* self) {
  static_cast<CurlMulti*>(self)->set_timer(timeout_ms);
  return 0;
}

curl_socket_t CurlMulti::OnOpenSocket(void* self, curlsocktype purpose, curl_sockaddr* address) {
  return static_cast<CurlMulti*>(self)->open_socket(purpose, *address);
}

int CurlMulti::OnCloseSocket(void* self, curl_socket_t fd) {
  static_cast<CurlMulti*>(self)->close_socket(fd);
  return 0;
}

curl_socket_t CurlMulti::open_socket(curlsocktype purpose, const curl_sockaddr& address) {
  const bool tcp =
      purpose == CURLSOCKTYPE_IPCXN && (address.family == AF_INET || address.family == AF_INET6);
  if (!tcp) return ::socket(address.family, address.socktype, address.protocol);
  asio::ip::tcp::socket socket(io_);
  error_code ec;
  socket.open(address.family == AF_INET ? asio::ip::tcp::v4() : asio::ip::tcp::v6(), ec);
  if (ec) return CURL_SOCKET_BAD;
  const curl_socket_t fd = socket.native_handle();
  auto entry = std::make_shared<Socket>();
  entry->owned.emplace(std::move(socket));
  sockets_[fd] = std::move(entry);
  return fd;
}

void CurlMulti::close_socket(curl_socket_t fd) {
  const auto it = sockets_.find(fd);
  if (it == sockets_.end() || !it->second->owned) {
    if (it != sockets_.end()) unwatch(fd);
    ::close(fd);
    return;
  }
  it->second->Cancel();
  sockets_.erase(it);  // the Asio socket closes the descriptor
}

void CurlMulti::watch(curl_socket_t fd, int what) {
  if (what == CURL_POLL_REMOVE) return unwatch(fd);
  std::shared_ptr<Socket>& socket = sockets_[fd];
  if (!socket) {
    socket = std::make_shared<Socket>();
    socket->borrowed.emplace(io_);
    error_code ec;  // no exceptions inside a curl callback
    socket->borrowed->assign(fd, ec);
    if (ec) {
      sockets_.erase(fd);  // curl's own timeouts end the transfer
      return;
    }
  }
  socket->want = what & CURL_POLL_INOUT;
  for (Direction dir : {kIn, kOut}) {
    if ((socket->want & kPollBit[dir]) && !socket->waiting[dir]) do_wait(fd, socket, dir);
  }
}

void CurlMulti::unwatch(curl_socket_t fd) {
  const auto it = sockets_.find(fd);
  if (it == sockets_.end()) return;
  it->second->want = 0;
  it->second->Cancel();
  if (it->second->owned) return;  // an idle connection stays open in curl's cache
  it->second->borrowed->release();
  sockets_.erase(it);
}

// --- Asio side ---

void CurlMulti::do_wait(curl_socket_t fd, const std::shared_ptr<Socket>& socket, Direction dir) {
  socket->waiting[dir] = true;
  auto handler = [weak_self = weak_from_this(), weak_socket = std::weak_ptr<Socket>(socket), fd,
                  dir, generation = socket->generation[dir]](error_code ec) {
    if (auto self = weak_self.lock()) self->on_ready(fd, weak_socket, dir, generation, ec);
  };
  if (ReadyNow(fd, kPollEvents[dir])) {
    asio::post(io_, [handler = std::move(handler)]() mutable { handler(error_code()); });
  } else {
    socket->AsyncWait(dir, std::move(handler));
  }
}

void CurlMulti::on_ready(curl_socket_t fd, const std::weak_ptr<Socket>& weak_socket, Direction dir,
                         unsigned generation, error_code ec) {
  std::shared_ptr<Socket> socket = weak_socket.lock();
  if (!socket || ec == asio::error::operation_aborted || generation != socket->generation[dir]) {
    return;
  }
  socket->waiting[dir] = false;
  if (!(socket->want & kPollBit[dir])) return;
  do_action(fd, ec ? CURL_CSELECT_ERR : kSelectBit[dir]);
  // curl may have removed the socket, or still want this direction.
  const auto it = sockets_.find(fd);
  if (it != sockets_.end() && it->second == socket && (socket->want & kPollBit[dir]) &&
      !socket->waiting[dir]) {
    do_wait(fd, socket, dir);
  }
}

// Each call replaces the previous timeout. A timeout action curl did not
// need (the deadline moved while a wait or a post was pending) is harmless:
// curl finds nothing expired.
void CurlMulti::set_timer(long timeout_ms) {
  if (timeout_ms < 0) {
    deadline_.reset();  // a pending wait finds nothing to do
    return;
  }
  if (timeout_ms == 0) {
    // Never act from inside this callback: curl forbids re-entry.
    deadline_.reset();
    return post_timeout();
  }
  const auto at = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  deadline_ = at;
  if (timer_armed_ && timer_.expiry() <= at) return;  // fires first, then waits the rest
  arm_timer(at);
}

void CurlMulti::arm_timer(std::chrono::steady_clock::time_point at) {
  timer_armed_ = true;
  timer_.expires_at(at);  // cancels a pending wait, whose handler then does nothing
  timer_.async_wait([weak_self = weak_from_this()](error_code ec) {
    if (auto self = weak_self.lock()) self->on_timer(ec);
  });
}

void CurlMulti::on_timer(error_code ec) {
  if (ec == asio::error::operation_aborted) return;
  timer_armed_ = false;
  if (!deadline_) return;
  if (std::chrono::steady_clock::now() < *deadline_) return arm_timer(*deadline_);
  deadline_.reset();
  do_action(CURL_SOCKET_TIMEOUT, 0);
}

void CurlMulti::post_timeout() {
  if (timeout_posted_) return;
  timeout_posted_ = true;
  asio::post(io_, [weak_self = weak_from_this()] {
    auto self = weak_self.lock();
    if (!self) return;
    self->timeout_posted_ = false;
    self->do_action(CURL_SOCKET_TIMEOUT, 0);
  });
}

void CurlMulti::do_action(curl_socket_t fd, int events) {
  if (multi_ == nullptr) return;
  int running = 0;
  curl_multi_socket_action(multi_, fd, events, &running);
  check_done();
}

void CurlMulti::check_done() {
  std::vector<std::pair<CURL*, CURLcode>> done;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg == CURLMSG_DONE) done.emplace_back(msg->easy_handle, msg->data.result);
  }
  for (const auto& [easy, code] : done) {
    if (multi_ == nullptr) return;  // a handler shut everything down
    on_done_(easy, code);
  }
}

}  // namespace linkwatch::crawler
