#include "linkwatch/daemon/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>

namespace linkwatch::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr uint32_t kMaxHeaderBytes = 16 * 1024;
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);  // after a failed accept (no fds, ...)
constexpr auto kAcceptWarnEvery = std::chrono::seconds(10);

class Session;

// State shared by the listener and its sessions; touched only on the io thread.
struct Shared {
  Api& api;
  HttpOptions options;
  bool stopping = false;
  std::unordered_set<Session*> sessions;
  std::function<void()> on_session_end;  // the listener resumes accepting
};

std::string ErrorBody(std::string_view code, std::string_view message) {
  return nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump();
}

// Paths that take no token (api.cpp answers them): a body sent there is read.
bool IsPublic(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  return path == "/healthz" || path == "/metrics";
}

// One connection: read a request, hand it to the Api, write the answer, repeat.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    shared_->sessions.insert(this);
  }
  ~Session() {
    shared_->sessions.erase(this);
    if (shared_->on_session_end) shared_->on_session_end();
  }

  void Start() { DoRead(); }

  // The server is stopping: an idle connection closes now, a busy one after its answer.
  void OnStop() {
    if (!busy_) Close();
  }

 private:
  // Headers first: who asks, and whether a body is worth reading, is known before it is read.
  void DoRead() {
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body_bytes);
    parser_->header_limit(kMaxHeaderBytes);
    stream_.expires_after(std::chrono::seconds(shared_->options.request_timeout_seconds));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    const auto& req = parser_->get();
    const auto auths = req.equal_range(http::field::authorization);
    if (std::distance(auths.first, auths.second) > 1) {
      // Which one would count is a guess a proxy and this server might make differently.
      return Answer({400, ErrorBody("invalid_argument", "more than one Authorization header")}, false);
    }
    const bool has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
    if (has_body && req[http::field::authorization].empty() && !IsPublic(std::string_view(req.target().data(), req.target().size()))) {
      // Nothing unauthenticated is buffered: the body is never read, so the connection closes.
      return Answer({401, ErrorBody("unauthenticated", "a valid bearer token is required")}, false);
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      return http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, size_t) {
        if (wec) return self->Close();
        self->ReadBody();
      });
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    Dispatch(parser_->release());
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted) return Close();
    if (ec == http::error::body_limit) {
      return Answer({413, ErrorBody("payload_too_large", "the request body is larger than " +
                                                            std::to_string(shared_->options.max_body_bytes) +
                                                            " bytes")},
                    false);
    }
    if (ec == http::error::header_limit) {
      return Answer({431, ErrorBody("invalid_argument", "request headers too large")}, false);
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::partial_message) {
      // A request Beast cannot parse: say so, then close (the stream's framing is lost).
      return Answer({400, ErrorBody("invalid_argument", "malformed HTTP request: " + ec.message())}, false);
    }
    if (ec != beast::error::timeout) spdlog::debug("http read: {}", ec.message());
    Close();
  }

  void Dispatch(http::request<http::string_body> req) {
    busy_ = true;
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    ApiRequest api_req{std::string(req.method_string()), std::string(req.target()),
                       std::string(req[http::field::authorization]), std::move(req.body())};
    // The guard keeps io.run() alive while the answer is computed elsewhere.
    auto guard = asio::make_work_guard(stream_.get_executor());
    shared_->api.Handle(std::move(api_req),
                        [self = shared_from_this(), guard = std::move(guard)](ApiResponse r) mutable {
                          auto ex = self->stream_.get_executor();
                          asio::post(ex, [self = std::move(self), r = std::move(r),
                                          guard = std::move(guard)]() mutable {
                            self->Answer(std::move(r), self->keep_alive_);
                          });
                        });
  }

  template <typename Body>
  void Write(std::shared_ptr<http::response<Body>> res, bool keep_alive) {
    stream_.expires_after(std::chrono::seconds(shared_->options.request_timeout_seconds));
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
      self->OnWrite(ec, keep_alive);
    });
  }

  void Answer(ApiResponse r, bool keep_alive) {
    busy_ = true;
    keep_alive = keep_alive && !shared_->stopping;
    const auto status = static_cast<http::status>(r.status);
    auto fill = [&](auto& res) {
      res.set(http::field::server, "linkwatchd");
      res.set(http::field::content_type, r.content_type);
      if (!r.allow.empty()) res.set(http::field::allow, r.allow);
      res.keep_alive(keep_alive);
    };
    if (head_) {
      // HEAD: GET's headers, its length included, and no body.
      head_ = false;
      auto res = std::make_shared<http::response<http::empty_body>>(status, 11);
      fill(*res);
      res->content_length(r.body.size());
      return Write(res, keep_alive);
    }
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    fill(*res);
    res->body() = std::move(r.body);
    res->prepare_payload();
    Write(res, keep_alive);
  }

  void OnWrite(beast::error_code ec, bool keep_alive) {
    busy_ = false;
    if (ec || !keep_alive || shared_->stopping) return Close();
    DoRead();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Shared> shared_;
  bool busy_ = false;
  bool keep_alive_ = false;
  bool head_ = false;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, Api& api, HttpOptions options)
      : acceptor(io), retry(io), shared(std::make_shared<Shared>(Shared{api, options, false, {}, {}})) {}

  // At the connection cap the listener waits for a session to end; after a
  // failed accept (out of file descriptors, say) it waits a moment, so that
  // neither spins, and it warns once per kAcceptWarnEvery.
  void DoAccept() {
    if (accepting || !acceptor.is_open()) return;
    if (static_cast<int>(shared->sessions.size()) >= shared->options.max_connections) return;
    accepting = true;
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      self->accepting = false;
      if (ec) {
        if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
        self->WarnAccept(ec);
        self->retry.expires_after(kAcceptRetry);
        return self->retry.async_wait([self](beast::error_code wec) {
          if (!wec) self->DoAccept();
        });
      }
      std::make_shared<Session>(std::move(socket), self->shared)->Start();
      self->DoAccept();
    });
  }

  void WarnAccept(const beast::error_code& ec) {
    const auto now = std::chrono::steady_clock::now();
    ++accept_failures;
    if (now - last_warning < kAcceptWarnEvery) return;
    spdlog::warn("accept: {} ({} times since the last warning; retrying every {} ms)", ec.message(),
                 accept_failures, kAcceptRetry.count());
    accept_failures = 0;
    last_warning = now;
  }

  tcp::acceptor acceptor;
  asio::steady_timer retry;
  std::shared_ptr<Shared> shared;
  bool accepting = false;
  int64_t accept_failures = 0;
  std::chrono::steady_clock::time_point last_warning{};
};

HttpServer::HttpServer(asio::io_context& io, Api& api, HttpOptions options)
    : impl_(std::make_shared<Impl>(io, api, options)) {}

HttpServer::~HttpServer() = default;

Result<uint16_t> HttpServer::Listen(const Endpoint& endpoint) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(endpoint.host, ec);
  if (ec) return Status::InvalidArgument("\"" + endpoint.host + "\" is not an IP address");
  const tcp::endpoint ep(address, endpoint.port);
  auto& a = impl_->acceptor;
  const std::string where = endpoint.host + ":" + std::to_string(endpoint.port);
  if (a.open(ep.protocol(), ec); ec) return Status::IOError("cannot open a socket: " + ec.message());
  a.set_option(asio::socket_base::reuse_address(true), ec);
  if (a.bind(ep, ec); ec) return Status::IOError("cannot listen on " + where + ": " + ec.message());
  if (a.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return Status::IOError("cannot listen on " + where + ": " + ec.message());
  }
  impl_->shared->on_session_end = [weak = std::weak_ptr<Impl>(impl_)] {
    if (auto self = weak.lock()) self->DoAccept();
  };
  impl_->DoAccept();
  return a.local_endpoint().port();
}

void HttpServer::Stop() {
  impl_->shared->stopping = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->retry.cancel();
  // Copy: closing a session may destroy it, which edits the set.
  const auto sessions = impl_->shared->sessions;
  for (Session* s : sessions) s->OnStop();
}

}  // namespace linkwatch::daemon
