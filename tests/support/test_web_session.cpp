#include "test_web_session.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sstream>

#include "test_web_routes.h"
#include "test_web_state.h"

namespace linkwatch::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr size_t kHugeBlock = 64 << 10;
constexpr int kChunkedPieces = 4;

std::string StripPort(std::string_view host) {
  if (host.starts_with("[")) return std::string(host.substr(0, host.find(']') + 1));
  return std::string(host.substr(0, host.find(':')));
}

std::string Head(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                 const std::string& framing) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                     std::string(http::obsolete_reason(static_cast<http::status>(status))) + "\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  return head + framing + "\r\n";
}

std::string Chunk(std::string_view data) {
  std::ostringstream out;
  out << std::hex << data.size() << "\r\n" << data << "\r\n";
  return out.str();
}

// One accepted connection: read a request, answer it the way its route says,
// read the next one while the connection is kept alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<TestWebServer::State> state, std::string address)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        state_(std::move(state)),
        address_(std::move(address)) {
    state_->Open(address_);
  }
  ~Session() {
    if (in_request_) state_->End(host_);
    state_->Close(address_);
  }
  void Start() { do_read(); }

 private:
  void do_read() {
    request_ = {};
    http::async_read(socket_, buffer_, request_,
                     [self = shared_from_this()](error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec) return do_close(false);
    web::Incoming in = Describe();
    const std::optional<web::Override> override = state_->OverrideFor(in.path);
    web::Reply reply = web::Route(in, override ? &*override : nullptr);
    if (reply.delay.count() == 0) return do_reply(std::move(reply));
    timer_.expires_after(reply.delay);
    timer_.async_wait([self = shared_from_this(), reply = std::move(reply)](error_code ec) mutable {
      if (!ec) self->do_reply(std::move(reply));
    });
  }

  web::Incoming Describe() {
    TestWebServer::Request seen;
    seen.target = std::string(request_.target());
    web::Incoming in;
    in.target = web::OriginForm(seen.target, &seen.proxied);
    const size_t q = in.target.find('?');
    in.path = in.target.substr(0, q);
    if (q != std::string::npos) in.query = web::ParseQuery(in.target.substr(q + 1));
    in.if_none_match = std::string(request_[http::field::if_none_match]);
    in.if_modified_since = std::string(request_[http::field::if_modified_since]);
    for (const auto& field : request_) {
      in.header_text += std::string(field.name_string()) + ": " + std::string(field.value()) + "\n";
    }
    seen.path = in.path;
    seen.host = host_ = StripPort(std::string(request_[http::field::host]));
    seen.local_address = address_;
    seen.user_agent = std::string(request_[http::field::user_agent]);
    seen.accept_encoding = std::string(request_[http::field::accept_encoding]);
    seen.if_none_match = in.if_none_match;
    seen.if_modified_since = in.if_modified_since;
    seen.method = std::string(request_.method_string());
    seen.content_type = std::string(request_[http::field::content_type]);
    seen.body = request_.body();
    seen.at = TestWebServer::Clock::now();
    in_request_ = true;
    in.nth = state_->Begin(std::move(seen), in.target);
    return in;
  }

  void do_reply(web::Reply reply) {
    switch (reply.mode) {
      case web::Reply::Mode::kNormal:
        return do_write_normal(std::move(reply));
      case web::Reply::Mode::kChunked:
        return do_write_chunked(std::move(reply));
      case web::Reply::Mode::kRaw:
        return do_write_raw(std::move(reply));
      case web::Reply::Mode::kEndless:
        return do_write_endless(std::move(reply));
      case web::Reply::Mode::kHuge:
        return do_write_huge(std::move(reply));
    }
  }

  void do_write_normal(web::Reply reply) {
    auto response = std::make_shared<http::response<http::string_body>>();
    response->result(static_cast<unsigned>(reply.status));
    response->version(request_.version());
    for (const auto& [name, value] : reply.headers) response->set(name, value);
    response->body() = std::move(reply.body);
    response->keep_alive(request_.keep_alive());
    response->prepare_payload();
    http::async_write(socket_, *response,
                      [self = shared_from_this(), response](error_code ec, size_t) {
                        self->on_answered(ec, !response->need_eof());
                      });
  }

  // The whole answer in kChunkedPieces chunks, each its own write.
  void do_write_chunked(web::Reply reply) {
    auto pieces = std::make_shared<std::vector<std::string>>();
    pieces->push_back(Head(reply.status, reply.headers, "Transfer-Encoding: chunked\r\n"));
    const size_t step = reply.body.size() / kChunkedPieces + 1;
    for (size_t at = 0; at < reply.body.size(); at += step) {
      pieces->push_back(Chunk(std::string_view(reply.body).substr(at, step)));
    }
    pieces->push_back("0\r\n\r\n");
    do_write_pieces(pieces, 0);
  }

  void do_write_pieces(std::shared_ptr<std::vector<std::string>> pieces, size_t i) {
    if (i == pieces->size()) return on_answered({}, request_.keep_alive());
    asio::async_write(socket_, asio::buffer((*pieces)[i]),
                      [self = shared_from_this(), pieces, i](error_code ec, size_t) {
                        if (ec) return self->do_close(false);
                        self->do_write_pieces(pieces, i + 1);
                      });
  }

  void do_write_raw(web::Reply reply) {
    auto bytes = std::make_shared<std::string>(std::move(reply.body));
    const bool hard = reply.hard_reset;
    asio::async_write(
        socket_, asio::buffer(*bytes),
        [self = shared_from_this(), bytes, hard](error_code, size_t) { self->do_close(hard); });
  }

  void do_write_endless(web::Reply reply) {
    auto head = std::make_shared<std::string>(
        Head(reply.status, reply.headers, "Transfer-Encoding: chunked\r\n"));
    auto chunk = std::make_shared<std::string>(Chunk(std::string(reply.chunk_bytes, 'e')));
    const auto every = reply.every;
    asio::async_write(socket_, asio::buffer(*head),
                      [self = shared_from_this(), head, chunk, every](error_code ec, size_t) {
                        if (ec) return self->do_close(false);
                        self->do_endless_chunk(chunk, every);
                      });
  }

  void do_endless_chunk(std::shared_ptr<std::string> chunk, std::chrono::milliseconds every) {
    asio::async_write(socket_, asio::buffer(*chunk),
                      [self = shared_from_this(), chunk, every](error_code ec, size_t) {
                        if (ec) return self->do_close(false);
                        if (every.count() == 0) return self->do_endless_chunk(chunk, every);
                        self->timer_.expires_after(every);
                        self->timer_.async_wait([self, chunk, every](error_code ec) {
                          if (!ec) self->do_endless_chunk(chunk, every);
                        });
                      });
  }

  void do_write_huge(web::Reply reply) {
    auto head = std::make_shared<std::string>(
        Head(reply.status, reply.headers,
             "Content-Length: " + std::to_string(reply.total_bytes) + "\r\n"));
    const int64_t total = reply.total_bytes;
    asio::async_write(socket_, asio::buffer(*head),
                      [self = shared_from_this(), head, total](error_code ec, size_t) {
                        if (ec) return self->do_close(false);
                        self->do_huge_block(std::make_shared<std::string>(kHugeBlock, 'h'), total);
                      });
  }

  void do_huge_block(std::shared_ptr<std::string> block, int64_t left) {
    if (left == 0) return on_answered({}, request_.keep_alive());
    const size_t n =
        static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(block->size())));
    asio::async_write(socket_, asio::buffer(block->data(), n),
                      [self = shared_from_this(), block, left, n](error_code ec, size_t) {
                        if (ec) return self->do_close(false);
                        self->do_huge_block(block, left - static_cast<int64_t>(n));
                      });
  }

  void on_answered(error_code ec, bool keep_alive) {
    end_request();
    if (ec || !keep_alive) return do_close(false);
    do_read();
  }

  void end_request() {
    if (!in_request_) return;
    in_request_ = false;
    state_->End(host_);
  }

  // hard: RST (SO_LINGER 0) instead of an orderly FIN.
  void do_close(bool hard) {
    end_request();
    error_code ignored;
    if (hard)
      socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    else
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::shared_ptr<TestWebServer::State> state_;
  std::string address_;
  std::string host_;
  bool in_request_ = false;
};

}  // namespace

void StartSession(tcp::socket socket, std::shared_ptr<TestWebServer::State> state,
                  std::string local_address) {
  std::make_shared<Session>(std::move(socket), std::move(state), std::move(local_address))->Start();
}

}  // namespace linkwatch::test
