#include "linkwatch/daemon/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <unordered_set>

namespace linkwatch::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr uint32_t kMaxHeaderBytes = 16 * 1024;

class Session;

// State shared by the listener and its sessions; touched only on the io thread.
struct Shared {
  Api& api;
  HttpOptions options;
  bool stopping = false;
  std::unordered_set<Session*> sessions;
};

// One connection: read a request, hand it to the Api, write the answer, repeat.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    shared_->sessions.insert(this);
  }
  ~Session() { shared_->sessions.erase(this); }

  void Start() { DoRead(); }

  // The server is stopping: an idle connection closes now, a busy one after its answer.
  void OnStop() {
    if (!busy_) Close();
  }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body_bytes);
    parser_->header_limit(kMaxHeaderBytes);
    stream_.expires_after(std::chrono::seconds(shared_->options.request_timeout_seconds));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted) return Close();
    if (ec == http::error::body_limit) {
      return Answer({413, R"({"error":{"code":"payload_too_large","message":"the request body is larger than )" +
                              std::to_string(shared_->options.max_body_bytes) + R"( bytes"}})"},
                    false);
    }
    if (ec == http::error::header_limit) {
      return Answer({431, R"({"error":{"code":"invalid_argument","message":"request headers too large"}})"}, false);
    }
    if (ec) {
      if (ec != beast::error::timeout) spdlog::debug("http read: {}", ec.message());
      return Close();
    }
    Dispatch(parser_->release());
  }

  void Dispatch(http::request<http::string_body> req) {
    busy_ = true;
    keep_alive_ = req.keep_alive();
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

  void Answer(ApiResponse r, bool keep_alive) {
    busy_ = true;
    keep_alive = keep_alive && !shared_->stopping;
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "linkwatchd");
    res->set(http::field::content_type, r.content_type);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    stream_.expires_after(std::chrono::seconds(shared_->options.request_timeout_seconds));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                        self->OnWrite(ec, keep_alive);
                      });
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
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, Api& api, HttpOptions options)
      : acceptor(io), shared(std::make_shared<Shared>(Shared{api, options, false, {}})) {}

  void DoAccept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) spdlog::warn("accept: {}", ec.message());
        if (!self->acceptor.is_open()) return;
      } else {
        std::make_shared<Session>(std::move(socket), self->shared)->Start();
      }
      self->DoAccept();
    });
  }

  tcp::acceptor acceptor;
  std::shared_ptr<Shared> shared;
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
  impl_->DoAccept();
  return a.local_endpoint().port();
}

void HttpServer::Stop() {
  impl_->shared->stopping = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  // Copy: closing a session may destroy it, which edits the set.
  const auto sessions = impl_->shared->sessions;
  for (Session* s : sessions) s->OnStop();
}

}  // namespace linkwatch::daemon
