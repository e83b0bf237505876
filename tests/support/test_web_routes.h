// The behaviours of TestWebServer: a request in, what to send back out.
// Internal to the test server; pure functions (the gzip bodies are built once).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace linkwatch::test::web {

struct Incoming {
  std::string target;  // origin form: "/flaky?fail=1"
  std::string path;
  std::map<std::string, std::string> query;  // percent-decoded
  std::string if_none_match;
  std::string if_modified_since;
  std::string header_text;  // every request header, "Name: value\n" each
  int nth = 1;  // how many times this exact target has been asked for, this one included
};

struct Override {
  int status = 200;
  std::string body;
  std::string content_type;
};

struct Reply {
  enum class Mode {
    kNormal,   // status, headers, body with Content-Length (Beast)
    kChunked,  // body split into several chunks
    kRaw,      // `body` is the whole answer on the wire; the connection closes after it
    kEndless,  // chunked body that never ends
    kHuge,     // total_bytes of body with Content-Length, written piece by piece
  };
  Mode mode = Mode::kNormal;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // before anything is sent
  bool hard_reset = false;             // kRaw: close with RST instead of FIN
  size_t chunk_bytes = 1024;           // kEndless
  std::chrono::milliseconds every{0};  // kEndless: pause between chunks
  int64_t total_bytes = 0;             // kHuge
};

// REQUIRES: `override` (when set) is for in.path.
Reply Route(const Incoming& in, const Override* override);

std::map<std::string, std::string> ParseQuery(const std::string& query);
// "http://site.example:81/a?b" -> "/a?b" (proxied = true); an origin-form
// target stays as it is.
std::string OriginForm(std::string_view target, bool* proxied);
std::string Gzip(const std::string& data);
// `decoded_bytes` zeros, gzip-compressed without ever holding them all.
std::string GzipZeros(int64_t decoded_bytes);

}  // namespace linkwatch::test::web
