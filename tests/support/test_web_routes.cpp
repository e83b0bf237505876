#include "test_web_routes.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>
#include <functional>
#include <stdexcept>
#include <string_view>

#include "test_web_server.h"

namespace linkwatch::test::web {
namespace {

using Handler = std::function<Reply(const Incoming&)>;

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr int kGzipWindowBits = 15 + 16;  // zlib: +16 writes a gzip wrapper
constexpr int kZlibMemLevel = 9;
constexpr size_t kZlibBlock = 1 << 20;
constexpr int64_t kDefaultHugeMib = 20;
constexpr int kDefaultChunk = 1024;

int IntParam(const Incoming& in, const std::string& name, int fallback) {
  const auto it = in.query.find(name);
  if (it == in.query.end()) return fallback;
  int value = fallback;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  return value;
}

Reply Html(int status, std::string body) {
  Reply r;
  r.status = status;
  r.headers = {{"Content-Type", kHtml}};
  r.body = std::move(body);
  return r;
}

Reply StatusPage(int status) {
  return Html(status, "<!doctype html><html><head><title>" + std::to_string(status) +
                          "</title></head><body><h1>Status " + std::to_string(status) +
                          "</h1></body></html>\n");
}

Reply Redirect(int status, std::string location) {
  Reply r = StatusPage(status);
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

Reply Page() { return Html(200, TestWebServer::PageHtml()); }

Reply Flaky(const Incoming& in) {
  return in.nth <= IntParam(in, "fail", 1) ? StatusPage(500) : Page();
}

std::string HttpDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 64> out{};
  std::strftime(out.data(), out.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return out.data();
}

Reply RetryAfter(const Incoming& in) {
  if (in.nth > IntParam(in, "fail", 1)) return Page();
  const int seconds = IntParam(in, "seconds", 1);
  Reply r = StatusPage(IntParam(in, "status", 429));
  const bool as_date = IntParam(in, "date", 0) != 0;
  r.headers.emplace_back(
      "Retry-After", as_date ? HttpDate(std::time(nullptr) + seconds) : std::to_string(seconds));
  return r;
}

Reply RedirectChain(const Incoming& in) {
  const std::string_view rest =
      std::string_view(in.path).substr(std::string_view("/redirect/").size());
  int n = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), n);
  if (n <= 0) return Page();
  return Redirect(302, "/redirect/" + std::to_string(n - 1));
}

Reply SlowHeaders(const Incoming& in) {
  Reply r = Page();
  r.delay = std::chrono::milliseconds(IntParam(in, "ms", 1000));
  return r;
}

Reply ResetMidBody(const Incoming& in) {
  Reply r;
  r.mode = Reply::Mode::kRaw;
  r.hard_reset = IntParam(in, "rst", 0) != 0;
  r.body = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
           std::to_string(TestWebServer::kResetContentLength) + "\r\n\r\n" +
           std::string(TestWebServer::kResetContentLength / 2, 'r');
  return r;
}

// Response headers past curl's limits: one line of `kib` KiB, or `n` lines
// of 100 bytes.
Reply HugeHeaders(const Incoming& in) {
  Reply r;
  r.mode = Reply::Mode::kRaw;
  std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n";
  if (const int kib = IntParam(in, "kib", 0); kib > 0) {
    head += "X-Big: " + std::string(static_cast<size_t>(kib) << 10, 'a') + "\r\n";
  }
  for (int i = 0; i < IntParam(in, "n", 0); ++i) {
    head += "X-H" + std::to_string(i) + ": " + std::string(100, 'b') + "\r\n";
  }
  r.body = head + "Content-Length: 2\r\n\r\nok";
  return r;
}

Reply Endless(const Incoming& in) {
  Reply r;
  r.mode = Reply::Mode::kEndless;
  r.headers = {{"Content-Type", "text/plain"}};
  r.chunk_bytes = static_cast<size_t>(IntParam(in, "chunk", kDefaultChunk));
  r.every = std::chrono::milliseconds(IntParam(in, "every_ms", 0));
  return r;
}

Reply Huge(const Incoming& in) {
  Reply r;
  r.mode = Reply::Mode::kHuge;
  r.headers = {{"Content-Type", "text/plain"}};
  r.total_bytes = int64_t{IntParam(in, "mib", kDefaultHugeMib)} << 20;
  return r;
}

Reply GzipBomb() {
  Reply r;
  r.headers = {{"Content-Type", kHtml}, {"Content-Encoding", "gzip"}};
  r.body = TestWebServer::GzipBomb();
  return r;
}

Reply GzipPage() {
  static const std::string compressed = Gzip(TestWebServer::PageHtml());
  Reply r = Html(200, compressed);
  r.headers.emplace_back("Content-Encoding", "gzip");
  return r;
}

// A long page of one line over and over (a feed, a table): harmless, and it
// compresses far better than 100:1.
Reply GzipRepetitive(const Incoming& in) {
  const std::string line = "<tr><td>same row</td><td>0</td></tr>\n";
  const size_t bytes = static_cast<size_t>(IntParam(in, "kib", 3072)) << 10;
  std::string page = "<!doctype html><title>table</title><table>\n";
  while (page.size() + line.size() <= bytes) page += line;
  Reply r = Html(200, Gzip(page));
  r.headers.emplace_back("Content-Encoding", "gzip");
  return r;
}

Reply InvalidUtf8() { return Html(200, TestWebServer::InvalidUtf8Body()); }

Reply Chunked() {
  Reply r = Page();
  r.mode = Reply::Mode::kChunked;
  return r;
}

Reply Http10() {
  Reply r;
  r.mode = Reply::Mode::kRaw;
  r.body = std::string("HTTP/1.0 200 OK\r\nContent-Type: ") + kHtml + "\r\n\r\n" +
           TestWebServer::PageHtml();
  return r;
}

Reply VideoUnavailable() {
  return Html(200,
              "<!doctype html><html><head><title>Video</title></head><body>"
              "<div class=\"error\">This video is unavailable.</div></body></html>\n");
}

Reply Blocked() {
  return Html(200,
              "<!doctype html><html><head><title>Blocked</title></head><body>"
              // As block pages are often written: the marker reads only in
              // the visible text (a tag and an entity inside it).
              "<h1>Access restricted by <b>court</b>&nbsp;order</h1>"
              "<p>Access to this resource has been restricted.</p></body></html>\n");
}

Reply Conditional(const Incoming& in) {
  const bool unchanged =
      in.if_none_match == TestWebServer::kEtag ||
      (in.if_none_match.empty() && in.if_modified_since == TestWebServer::kLastModified);
  Reply r = unchanged ? Reply{} : Page();
  if (unchanged) r.status = 304;
  r.headers.emplace_back("ETag", TestWebServer::kEtag);
  r.headers.emplace_back("Last-Modified", TestWebServer::kLastModified);
  return r;
}

Reply Echo(const Incoming& in) {
  Reply r;
  r.headers = {{"Content-Type", "text/plain"}};
  r.body = in.header_text;
  return r;
}

// A page set at run time; its ETag follows its body, so conditional
// requests work against it too. Only a 200 has one (as nginx's error pages).
Reply Overridden(const Incoming& in, const Override& o) {
  std::string etag = "\"";
  etag.append(std::to_string(std::hash<std::string>{}(o.body))).append("\"");
  Reply r;
  r.status = in.if_none_match == etag && o.status == 200 ? 304 : o.status;
  r.headers = {{"Content-Type", o.content_type}};
  if (o.status == 200) r.headers.push_back({"ETag", etag});
  if (r.status != 304) r.body = o.body;
  return r;
}

const std::map<std::string, Handler, std::less<>>& ExactRoutes() {
  static const auto* routes = new std::map<std::string, Handler, std::less<>>{
      {"/", [](const Incoming&) { return Page(); }},
      {"/ok", [](const Incoming&) { return Page(); }},
      {"/page", [](const Incoming&) { return Page(); }},
      {"/flaky", Flaky},
      {"/retry-after", RetryAfter},
      {"/loop/a", [](const Incoming&) { return Redirect(302, "/loop/b"); }},
      {"/loop/b", [](const Incoming&) { return Redirect(302, "/loop/a"); }},
      {"/redirect-to-404", [](const Incoming&) { return Redirect(301, "/status/404"); }},
      {"/redirect-to",
       [](const Incoming& in) {
         return Redirect(302, in.query.count("url") ? in.query.at("url") : "/");
       }},
      {"/slow-headers", SlowHeaders},
      {"/reset", ResetMidBody},
      {"/huge-headers", HugeHeaders},
      {"/endless", Endless},
      {"/huge", Huge},
      {"/gzip-bomb", [](const Incoming&) { return GzipBomb(); }},
      {"/gzip", [](const Incoming&) { return GzipPage(); }},
      {"/gzip-repetitive", GzipRepetitive},
      {"/invalid-utf8", [](const Incoming&) { return InvalidUtf8(); }},
      {"/chunked", [](const Incoming&) { return Chunked(); }},
      {"/http10", [](const Incoming&) { return Http10(); }},
      {"/video-unavailable", [](const Incoming&) { return VideoUnavailable(); }},
      {"/blocked", [](const Incoming&) { return Blocked(); }},
      {"/etag", Conditional},
      {"/echo", Echo},
  };
  return *routes;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

}  // namespace

Reply Route(const Incoming& in, const Override* override) {
  if (override != nullptr) return Overridden(in, *override);
  if (const auto it = ExactRoutes().find(in.path); it != ExactRoutes().end()) return it->second(in);
  if (in.path.starts_with("/redirect/")) return RedirectChain(in);
  if (in.path.starts_with("/status/")) {
    int status = 0;
    const std::string_view code =
        std::string_view(in.path).substr(std::string_view("/status/").size());
    std::from_chars(code.data(), code.data() + code.size(), status);
    if (status >= 100 && status <= 999) return StatusPage(status);
  }
  return StatusPage(404);
}

std::map<std::string, std::string> ParseQuery(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    const size_t end = std::min(query.find('&', start), query.size());
    const std::string_view pair = std::string_view(query).substr(start, end - start);
    const size_t eq = pair.find('=');
    if (!pair.empty()) {
      out[PercentDecode(pair.substr(0, eq))] =
          eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return out;
}

std::string OriginForm(std::string_view target, bool* proxied) {
  *proxied = target.starts_with("http://") || target.starts_with("https://");
  if (!*proxied) return std::string(target);
  const size_t path = target.find('/', target.find("//") + 2);
  return path == std::string_view::npos ? "/" : std::string(target.substr(path));
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kZlibMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// 100 MiB of zeros compressed block by block, so that building it never
// holds the decoded size in memory.
std::string GzipZeros(int64_t decoded_bytes) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kZlibMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  const std::string zeros(kZlibBlock, '\0');
  std::string out;
  std::string buffer(kZlibBlock, '\0');
  int64_t left = decoded_bytes;
  do {
    const size_t n = static_cast<size_t>(std::min<int64_t>(left, kZlibBlock));
    left -= static_cast<int64_t>(n);
    const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    z.avail_in = static_cast<uInt>(n);
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer.data());
      z.avail_out = static_cast<uInt>(buffer.size());
      deflate(&z, flush);
      out.append(buffer.data(), buffer.size() - z.avail_out);
    } while (z.avail_out == 0);
  } while (left > 0);
  deflateEnd(&z);
  return out;
}

}  // namespace linkwatch::test::web
