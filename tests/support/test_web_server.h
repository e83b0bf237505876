// A local web server for tests (Boost.Beast, HTTP/1.1) that behaves like the
// web at its worst, and counts what it sees.
//
//   linkwatch::test::TestWebServer server;             // 127.0.0.1, a free port
//   fetch(server.Url("/redirect/3"));                  // 3 hops, then 200
//   server.Set("/ok", 404);                            // take the page down
//   REQUIRE(server.Count("/ok") == 2);
//
// Built-in routes (a path set with Set()/SetBody() wins over them):
//   /ok, /page, /               200 HTML page (PageHtml())
//   /status/N                   status N with a small HTML body
//   /flaky?fail=N               500 for the first N requests to this exact target, then 200
//   /retry-after?seconds=S&fail=N[&status=503][&date=1]
//                               429 (or 503) with Retry-After: S (or as an HTTP date) for the
//                               first N requests to this exact target, then 200
//   /redirect/N                 302 to /redirect/N-1; /redirect/0 is the 200 page
//   /loop/a, /loop/b            302 to each other
//   /redirect-to-404            301 to /status/404
//   /redirect-to?url=U          302 to U (percent-decoded)
//   /slow-headers?ms=N          the 200 page after N ms (a timer: other connections go on)
//   /reset[?rst=1]              Content-Length 20000, half the body, then close (RST with rst=1)
//   /endless[?chunk=B&every_ms=M]
//                               chunked body that never ends, B bytes (1024) every M ms (0)
//   /huge[?mib=N]               N MiB (20) of text with Content-Length
//   /gzip-bomb                  Content-Encoding: gzip; 100 MiB of zeros, ~100 KiB on the wire
//   /gzip                       the 200 page, gzip-encoded
//   /invalid-utf8               InvalidUtf8Body(), labelled charset=utf-8
//   /chunked                    the 200 page in several chunks
//   /http10                     HTTP/1.0 answer without Content-Length, closed after the body
//   /video-unavailable          200 "This video is unavailable" page
//   /blocked                    200 block-page stub "Access restricted by <b>court</b>&nbsp;order"
//   /etag                       ETag and Last-Modified; 304 to a matching conditional request
//   /echo                       the request's headers as text/plain
//   anything else               404
// A request in absolute form ("GET http://site.example/ok", as sent to a
// proxy) is served by its path and logged with proxied = true, so the server
// doubles as an HTTP proxy for tests.
//
// Thread-safety: the server runs on its own thread; every public method may be
// called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace linkwatch::test {

class TestWebServer {
 public:
  using Clock = std::chrono::steady_clock;

  // One request as the server saw it.
  struct Request {
    std::string target;         // as sent (absolute form when proxied)
    std::string path;           // without the query
    std::string host;           // Host header without the port
    std::string local_address;  // the listening address that accepted it
    bool proxied = false;
    std::string user_agent, accept_encoding, if_none_match, if_modified_since;
    std::string method, content_type, body;  // as sent (webhook tests read POST bodies)
    Clock::time_point at;  // when its head had been read
  };

  // Listens on a free port of each address; the first is the default host.
  // Other loopback addresses ("127.0.0.2") stand for other hosts.
  explicit TestWebServer(std::vector<std::string> addresses = {"127.0.0.1"});
  ~TestWebServer();  // stops serving; open connections are dropped
  TestWebServer(const TestWebServer&) = delete;
  TestWebServer& operator=(const TestWebServer&) = delete;

  uint16_t port(size_t host = 0) const;
  const std::string& address(size_t host = 0) const;
  std::string Origin(size_t host = 0) const;  // "http://127.0.0.1:PORT"
  std::string Url(std::string_view target, size_t host = 0) const;

  // Changes what `path` (query ignored) serves from now on, on every host.
  void Set(const std::string& path, int status);  // a small HTML page with that status
  void SetBody(const std::string& path, std::string body, int status = 200,
               std::string content_type = "text/html; charset=utf-8");
  void Unset(const std::string& path);  // back to the built-in route

  // What the server saw, in arrival order.
  std::vector<Request> Requests() const;
  // Requests to `path_or_target`: compared with the full target when it has
  // a '?', else with the path.
  int Count(const std::string& path_or_target) const;
  // Arrival times of the requests for one Host ("127.0.0.1").
  std::vector<Clock::time_point> StartTimes(const std::string& host) const;
  // Most requests in progress at once (head read, answer not yet fully sent).
  int MaxConcurrentRequests() const;
  int MaxConcurrentRequests(const std::string& host) const;
  // Most TCP connections open at once, in all and on one listening address.
  int MaxConcurrentConnections() const;
  int MaxConcurrentConnections(const std::string& local_address) const;
  // TCP connections accepted so far, in all (connection reuse shows here).
  int ConnectionsAccepted() const;
  void ResetStats();

  // Bodies tests compare with, byte for byte.
  static const std::string& PageHtml();
  static const std::string& InvalidUtf8Body();
  static const std::string& GzipBomb();  // the compressed bytes; built on first use
  static constexpr int64_t kGzipBombDecodedBytes = int64_t{100} << 20;
  static constexpr int64_t kResetContentLength = 20000;
  static constexpr const char* kEtag = "\"lw-v1\"";
  static constexpr const char* kLastModified = "Wed, 21 Oct 2015 07:28:00 GMT";

  struct State;  // shared with the connections; defined in the .cpp

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace linkwatch::test
