// TLS verification against `openssl s_server` with a self-signed certificate
// made for the test (/usr/bin/openssl, Debian's openssl package).
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <memory>

#include "fetch_harness.h"
#include "test_support.h"

namespace linkwatch::crawler {
namespace {

using linkwatch::test::Child;
using linkwatch::test::Run;
using linkwatch::test::TempDir;
using test::FastOptions;
using test::Harness;

uint16_t FreePort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// A TLS server answering any request with its status page ("-www").
struct SelfSignedServer {
  explicit SelfSignedServer(const TempDir& dir) : port(FreePort()) {
    const auto made = Run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", dir.File("key.pem"),
                           "-out", dir.File("cert.pem")});
    if (made.exit_code != 0) return;
    server = std::make_unique<Child>(
        std::vector<std::string>{"/usr/bin/openssl", "s_server", "-www", "-accept",
                                 "127.0.0.1:" + std::to_string(port), "-cert", dir.File("cert.pem"),
                                 "-key", dir.File("key.pem")},
        dir.path());
    if (!server->WaitFor("ACCEPT")) server.reset();
  }
  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port) + "/"; }

  uint16_t port;
  std::unique_ptr<Child> server;
};

TEST_CASE("TLS certificates are verified unless verify_tls is off", "[fetcher][tls]") {
  TempDir dir;
  SelfSignedServer tls(dir);
  if (!tls.server) {
    WARN("openssl s_server unavailable; TLS verification not exercised");
    return;
  }
  SECTION("verified by default: a self-signed certificate fails, without retries") {
    Harness h;
    const FetchResult r = h.Fetch(tls.Url());
    CHECK(r.error == FetchError::kTls);
    CHECK(r.error_text.find("TLS failure with 127.0.0.1:") != std::string::npos);
    CHECK(r.attempts == 1);
  }
  SECTION("verify_tls = false accepts it") {
    FetchOptions options = FastOptions();
    options.verify_tls = false;
    Harness h(options);
    const FetchResult r = h.Fetch(tls.Url());
    INFO(r.error_text);
    CHECK(r.error == FetchError::kNone);
    CHECK(r.http_status == 200);
  }
}

}  // namespace
}  // namespace linkwatch::crawler
