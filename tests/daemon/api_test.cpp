// The API over real HTTP on 127.0.0.1: an in-process store, Api and HttpServer.
#include <catch2/catch.hpp>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>
#include <future>
#include <thread>

#include "linkwatch/daemon/api.h"
#include "linkwatch/daemon/http_server.h"
#include "linkwatch/storage/bootstrap.h"
#include "linkwatch/storage/store.h"
#include "test_support.h"

using namespace linkwatch;
using nlohmann::json;
namespace asio = boost::asio;

namespace {

// A running API server with a fresh database and a bootstrap admin token.
struct Server {
  test::TempDir dir;
  std::unique_ptr<storage::Store> store;
  asio::io_context io;
  asio::thread_pool workers{2};
  std::unique_ptr<daemon::Api> api;
  std::unique_ptr<daemon::HttpServer> http;
  std::thread thread;
  uint16_t port = 0;
  std::string admin;

  explicit Server(daemon::ApiOptions options = {}, daemon::HttpOptions http_options = {}) {
    auto opened = storage::Store::Open(dir.File("lw.db"), storage::Options{});
    REQUIRE(opened.ok());
    store = std::move(*opened);
    auto secret = storage::BootstrapAdmin(*store, "admin");
    REQUIRE(secret.ok());
    REQUIRE(secret->has_value());
    admin = **secret;
    api = std::make_unique<daemon::Api>(std::move(options), *store,
                                        [this](std::function<void()> fn) { asio::post(workers, std::move(fn)); });
    http = std::make_unique<daemon::HttpServer>(io, *api, http_options);
    auto bound = http->Listen({"127.0.0.1", 0});
    REQUIRE(bound.ok());
    port = *bound;
    thread = std::thread([this] { io.run(); });
  }

  ~Server() {
    asio::post(io, [this] { http->Stop(); });
    thread.join();
    workers.join();
    store->Close();
  }

  test::HttpResult Call(const std::string& method, const std::string& target,
                        const json& body = nullptr, const std::string& token = "") {
    return test::Http(port, method, target, body.is_null() ? "" : body.dump(), token);
  }

  // Creates `agency` (if needed) and a token for it with `role`.
  std::string Token(const std::string& agency, const std::string& role = "operator") {
    Call("POST", "/v1/agencies", {{"name", agency}}, admin);
    auto r = Call("POST", "/v1/tokens", {{"agency", agency}, {"role", role}}, admin);
    REQUIRE(r.status == 201);
    return json::parse(r.body).at("token").get<std::string>();
  }
};

json Body(const test::HttpResult& r) { return json::parse(r.body); }

json Item(const std::string& url, const std::string& basis = "Court decision 2-1/2024",
          const std::string& category = "extremist") {
  return {{"url", url}, {"basis", basis}, {"category", category}};
}

std::string Repeat(const std::string& part, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += part;
  return out;
}

json WithLine(json item, int line) {
  item["line"] = line;
  return item;
}

}  // namespace

TEST_CASE("health needs no token, every /v1 path does, with one message for every failure") {
  Server s;
  CHECK(s.Call("GET", "/healthz").status == 200);
  const auto missing = s.Call("GET", "/v1/whoami");
  const auto unknown = s.Call("GET", "/v1/whoami", nullptr, "lw_0000");
  const std::string op = s.Token("Police");
  const json tokens = Body(s.Call("GET", "/v1/tokens", nullptr, s.admin));
  int64_t op_id = 0;
  for (const auto& t : tokens["tokens"]) {
    if (t["agency"] == "Police") op_id = t["id"];
  }
  REQUIRE(op_id > 0);
  CHECK(s.Call("GET", "/v1/whoami", nullptr, op).status == 200);
  CHECK(s.Call("POST", "/v1/tokens/" + std::to_string(op_id) + "/revoke", nullptr, s.admin).status == 200);
  const auto revoked = s.Call("GET", "/v1/whoami", nullptr, op);
  for (const auto* r : {&missing, &unknown, &revoked}) {
    CHECK(r->status == 401);
    CHECK(r->body == missing.body);
  }
  CHECK(Body(missing)["error"]["code"] == "unauthenticated");
}

namespace {

// Sends `bytes` as they are and returns all that comes back until the server
// closes the connection or `wait` passes without more.
std::string RawExchange(uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds wait = std::chrono::milliseconds(2000)) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(bytes));
  std::string got;
  char buf[4096];
  socket.non_blocking(true);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    const size_t n = socket.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (ec) break;  // closed by the server
    got.append(buf, n);
  }
  return got;
}

}  // namespace

TEST_CASE("the HTTP layer answers HEAD, wrong methods, malformed requests and unauthenticated bodies") {
  Server s;
  SECTION("HEAD gets GET's headers and length, and no body") {
    const std::string got = RawExchange(s.port, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK_THAT(got, Catch::StartsWith("HTTP/1.1 200"));
    CHECK_THAT(got, Catch::Contains("Content-Length: 15\r\n"));
    CHECK_THAT(got, !Catch::Contains("{\"status\""));
    const std::string links = RawExchange(s.port, "HEAD /v1/links HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                                      s.admin + "\r\nConnection: close\r\n\r\n");
    CHECK_THAT(links, Catch::StartsWith("HTTP/1.1 200"));
    CHECK_THAT(links, Catch::EndsWith("\r\n\r\n"));
  }
  SECTION("a method a path does not take is 405 with Allow") {
    const std::string health = RawExchange(s.port, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    CHECK_THAT(health, Catch::StartsWith("HTTP/1.1 405"));
    CHECK_THAT(health, Catch::Contains("Allow: GET, HEAD\r\n"));
    const std::string links = RawExchange(s.port, "DELETE /v1/links HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                                      s.admin + "\r\nConnection: close\r\n\r\n");
    CHECK_THAT(links, Catch::StartsWith("HTTP/1.1 405"));
    CHECK_THAT(links, Catch::Contains("Allow: POST, GET, HEAD\r\n"));
  }
  SECTION("without a token every /v1 path is 401, known or not") {
    CHECK(s.Call("GET", "/v1/nothing").status == 401);
    CHECK(s.Call("DELETE", "/v1/links").status == 401);
  }
  SECTION("malformed HTTP gets 400 and the connection closes") {
    for (const std::string& bad : {std::string("GARBAGE\r\n\r\n"),
                                  std::string("POST /v1/links HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello"),
                                  std::string("POST /v1/links HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")}) {
      CAPTURE(bad);
      const std::string got = RawExchange(s.port, bad);
      CHECK_THAT(got, Catch::StartsWith("HTTP/1.1 400"));
      CHECK_THAT(got, Catch::Contains("malformed HTTP request"));
    }
  }
  SECTION("two Authorization headers are refused, whichever comes first") {
    for (const std::string& order : {"Bearer " + s.admin + "\r\nAuthorization: Bearer lw_bad",
                                     "Bearer lw_bad\r\nAuthorization: Bearer " + s.admin}) {
      const std::string got = RawExchange(s.port, "GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: " + order + "\r\n\r\n");
      CHECK_THAT(got, Catch::StartsWith("HTTP/1.1 400"));
      CHECK_THAT(got, Catch::Contains("more than one Authorization header"));
    }
  }
  SECTION("a body sent without a token is refused unread") {
    // Announces 8 MB and sends none of it: the answer comes at once, not after a timeout.
    const auto start = std::chrono::steady_clock::now();
    const std::string got = RawExchange(s.port, "POST /v1/links HTTP/1.1\r\nHost: x\r\nContent-Length: 8000000\r\n\r\n");
    CHECK_THAT(got, Catch::StartsWith("HTTP/1.1 401"));
    CHECK_THAT(got, Catch::Contains("Connection: close"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1900));
  }
  SECTION("Expect: 100-continue is answered before the body is sent") {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), s.port});
    const std::string body = Item("https://example.org/continue").dump();
    asio::write(socket, asio::buffer("POST /v1/links HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + s.admin +
                                     "\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) +
                                     "\r\nConnection: close\r\n\r\n"));
    asio::streambuf head;
    asio::read_until(socket, head, "\r\n\r\n");
    const std::string interim(asio::buffers_begin(head.data()), asio::buffers_end(head.data()));
    CHECK_THAT(interim, Catch::StartsWith("HTTP/1.1 100 Continue"));
    head.consume(head.size());
    asio::write(socket, asio::buffer(body));
    boost::system::error_code ec;
    asio::read(socket, head, ec);  // to the close
    const std::string final_answer(asio::buffers_begin(head.data()), asio::buffers_end(head.data()));
    CHECK_THAT(final_answer, Catch::StartsWith("HTTP/1.1 201"));
  }
}

TEST_CASE("at the connection cap a new connection waits until one closes") {
  daemon::HttpOptions options;
  options.max_connections = 2;
  Server s({}, options);
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> idle;
  for (int i = 0; i < 2; ++i) {
    idle.emplace_back(io);
    idle.back().connect({asio::ip::make_address("127.0.0.1"), s.port});
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // both accepted
  // The third connects (the kernel queues it) but is not served while two are open.
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto waiting = std::async(std::launch::async, [&] { return RawExchange(s.port, request, std::chrono::milliseconds(3000)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(waiting.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
  idle.front().close();
  const std::string got = waiting.get();
  CHECK_THAT(got, Catch::StartsWith("HTTP/1.1 200"));
}

TEST_CASE("roles: an operator may submit and read but not administer") {
  Server s;
  const std::string op = s.Token("Police");
  const std::string rev = s.Token("Prosecutors", "reviewer");
  CHECK(s.Call("POST", "/v1/agencies", {{"name", "X"}}, op).status == 403);
  CHECK(s.Call("GET", "/v1/tokens", nullptr, rev).status == 403);
  CHECK(s.Call("GET", "/v1/audit/verify", nullptr, op).status == 403);
  const auto forbidden = s.Call("POST", "/v1/tokens", {{"agency", "Police"}, {"role", "admin"}}, op);
  CHECK(forbidden.status == 403);
  CHECK(Body(forbidden)["error"]["code"] == "permission_denied");
  CHECK(s.Call("GET", "/v1/agencies", nullptr, op).status == 200);
  CHECK(s.Call("POST", "/v1/links", Item("https://example.org/a"), op).status == 201);
  CHECK(Body(s.Call("GET", "/v1/whoami", nullptr, rev))["role"] == "reviewer");
}

TEST_CASE("the same resource from a second agency is a duplicate that names the first") {
  Server s;
  const std::string a = s.Token("National Security");
  const std::string b = s.Token("Local Authority");
  auto first = s.Call("POST", "/v1/links", Item("https://Example.org/post/1?utm_source=tg"), a);
  REQUIRE(first.status == 201);
  CHECK(Body(first)["duplicate"] == false);
  CHECK(Body(first)["canonical_url"] == "https://example.org/post/1");
  json with_note = Item("HTTPS://EXAMPLE.ORG:443/post/1#comments");
  with_note["note"] = "   \n";  // blank: stored as no note
  auto second = s.Call("POST", "/v1/links", with_note, b);
  REQUIRE(second.status == 200);
  const json dup = Body(second);
  CHECK(dup["duplicate"] == true);
  CHECK(dup["link_id"] == Body(first)["link_id"]);
  CHECK(dup["first_agency"] == "National Security");
  CHECK(dup["first_reported_at"] == Body(first)["first_reported_at"]);

  const auto link = Body(s.Call("GET", "/v1/links/" + dup["link_id"].dump(), nullptr, b));
  REQUIRE(link["reports"].size() == 2);
  CHECK(link["reports"][0]["agency"] == "National Security");
  CHECK(link["reports"][0]["duplicate"] == false);
  CHECK(link["reports"][1]["agency"] == "Local Authority");
  CHECK(link["reports"][1]["duplicate"] == true);
  CHECK(link["reports"][1]["note"] == "");
  CHECK(link["status"] == "pending");
  CHECK(link["first_agency"] == "National Security");

  const auto looked = s.Call("GET", "/v1/links/lookup?url=http%3A%2F%2Fexample.org%2Fpost%2F1", nullptr, b);
  REQUIRE(looked.status == 200);
  CHECK(Body(looked)["id"] == dup["link_id"]);
}

TEST_CASE("an invalid submission is refused naming the field and the reason") {
  const auto [item, field, words] = GENERATE(table<json, std::string, std::string>({
      {Item("javascript:alert(1)"), "url", "javascript"},
      {Item("data:text/html,hi"), "url", "data"},
      {Item("file:///etc/passwd"), "url", "file"},
      {Item("ftp://example.org/x"), "url", "ftp"},
      {Item("not a url"), "url", ""},
      {Item("https://example.org/" + std::string(9000, 'a')), "url", "8192"},
      {Item("https://example.org/a", "  "), "basis", "basis"},
      {Item("https://example.org/a", std::string(501, 'b')), "basis", "500"},
      {Item("https://example.org/a", "ref", "spam"), "category", "unknown category \"spam\""},
      {json{{"url", 5}, {"basis", "b"}, {"category", "extremist"}}, "url", "string"},
      {json{{"basis", "b"}, {"category", "extremist"}}, "url", "required"},
      {json{{"url", "https://e.org/"}, {"basis", "b"}, {"category", "extremist"}, {"note", 3}}, "note", "string"},
      {json{{"url", "https://e.org/"}, {"basis", 5}, {"category", "extremist"}}, "basis", "basis must be a string"},
      {json{{"url", "https://e.org/"}, {"basis", "b"}, {"category", 7}}, "category", "category must be a string"},
      // Accepted by the URL rules, refused by the store's: named as this row's error.
      {Item("https://" + std::string(300, 'h') + ".example/"), "url", "the URL's host is longer than 255 bytes"},
      {Item("https://example.org/" + std::string(2000, 'x') + Repeat("\xd0\xb4", 3000)), "url", "8192"},
      {WithLine(Item("https://e.org/"), 0), "line", "line must be a whole number from 1"},
      // A misspelt field would drop what it carries: it is named instead.
      {json{{"url", "https://e.org/"}, {"basis", "b"}, {"category", "extremist"}, {"nots", "x"}}, "nots",
       "unknown field \"nots\"; this request takes url, basis, category, note, line"},
  }));
  Server s;
  const auto r = s.Call("POST", "/v1/links", item, s.admin);
  CHECK(r.status == 400);
  const json err = Body(r)["error"];
  CHECK(err["code"] == "invalid_argument");
  CHECK(err["field"] == field);
  CHECK_THAT(err["message"].get<std::string>(), Catch::Contains(words));
  CHECK(Body(s.Call("GET", "/v1/links", nullptr, s.admin))["links"].empty());
}

TEST_CASE("a batch commits its valid rows and reports the invalid ones by line") {
  Server s;
  const std::string op = s.Token("Police");
  json items = json::array();
  items.push_back(WithLine(Item("https://example.org/1"), 2));
  items.push_back(WithLine(Item("javascript:void(0)"), 3));
  items.push_back(WithLine(Item("https://example.org/2", "", "extremist"), 4));
  items.push_back(WithLine(Item("https://EXAMPLE.org/1?fbclid=x"), 5));
  items.push_back(WithLine(Item("https://example.org/3"), 6));
  const auto r = s.Call("POST", "/v1/links/batch", {{"items", items}}, op);
  REQUIRE(r.status == 200);
  const json out = Body(r);
  CHECK(out["summary"] == json{{"new", 2}, {"duplicate", 1}, {"repeated", 1}, {"invalid", 2}});
  REQUIRE(out["results"].size() == 5);
  CHECK(out["results"][1]["ok"] == false);
  CHECK(out["results"][1]["line"] == 3);
  CHECK(out["results"][1]["error"]["field"] == "url");
  CHECK(out["results"][2]["line"] == 4);
  CHECK(out["results"][2]["error"]["field"] == "basis");
  CHECK(out["results"][3]["duplicate"] == true);
  CHECK(out["results"][3]["link_id"] == out["results"][0]["link_id"]);
  CHECK(Body(s.Call("GET", "/v1/links", nullptr, op))["links"].size() == 2);
}

TEST_CASE("a request body with a field the request does not take is refused, naming the field") {
  Server s;
  struct Case {
    const char* method;
    std::string path;
    json body;
    const char* field;
  };
  const Case cases[] = {
      {"POST", "/v1/links/batch", {{"items", json::array()}, {"item", json::array()}}, "item"},
      {"POST", "/v1/rescan", {{"lnk_id", 1}}, "lnk_id"},
      {"POST", "/v1/agencies", {{"name", "Customs"}, {"kind", "police"}}, "kind"},
      {"POST", "/v1/tokens", {{"agency", "Police"}, {"role", "operator"}, {"lable", "x"}}, "lable"},
      {"POST", "/v1/notifications/retry", {{"failed", true}, {"all", true}}, "all"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path, c.body.dump());
    const auto r = s.Call(c.method, c.path, c.body, s.admin);
    CHECK(r.status == 400);
    const json err = Body(r)["error"];
    CHECK(err["field"] == c.field);
    CHECK_THAT(err["message"].get<std::string>(), Catch::StartsWith(std::string("unknown field \"") + c.field + "\""));
  }
  const json agencies = Body(s.Call("GET", "/v1/agencies", nullptr, s.admin));
  for (const json& a : agencies["agencies"]) {
    CHECK(a["name"] != "Customs");  // refused, so not made
  }
  // In a batch, only the row with the unknown field is refused.
  json items = json::array();
  items.push_back(WithLine(Item("https://example.org/1"), 2));
  json typo = WithLine(Item("https://example.org/2"), 3);
  typo["categroy"] = "extremist";
  items.push_back(typo);
  const json out = Body(s.Call("POST", "/v1/links/batch", {{"items", items}}, s.admin));
  CHECK(out["summary"]["new"] == 1);
  CHECK(out["results"][1]["error"]["field"] == "categroy");
}

TEST_CASE("a row the store would refuse is one invalid row, and the rows beside it are kept") {
  Server s;
  json items = json::array();
  items.push_back(WithLine(Item("https://example.org/1"), 2));
  items.push_back(WithLine(Item("https://" + std::string(610, 'h') + ".example/"), 3));
  items.push_back(WithLine(Item("https://example.org/2"), 4));
  const auto r = s.Call("POST", "/v1/links/batch", {{"items", items}}, s.admin);
  REQUIRE(r.status == 200);
  const json out = Body(r);
  CHECK(out["summary"]["new"] == 2);
  CHECK(out["summary"]["invalid"] == 1);
  CHECK(out["results"][1]["line"] == 3);
  CHECK(out["results"][1]["error"]["field"] == "url");
  CHECK(Body(s.Call("GET", "/v1/links", nullptr, s.admin))["links"].size() == 2);
}

TEST_CASE("a rescan names one target, of the right type") {
  Server s;
  REQUIRE(s.Call("POST", "/v1/links", Item("https://example.org/1"), s.admin).status == 201);
  const auto [body, field, words] = GENERATE(table<json, std::string, std::string>({
      {json{{"link_id", 1}, {"all", true}}, "all", "name one of link_id, url, status or all, not link_id and all"},
      {json{{"url", "https://example.org/1"}, {"status", "alive"}}, "status", "not url and status"},
      {json{{"all", "yes"}}, "all", "all must be true or false"},
      {json{{"all", false}}, "", "name link_id, url, status or \"all\": true"},
      {json{{"url", 5}}, "url", "url must be a string"},
      {json{{"status", 5}}, "status", "status must be a string"},
      {json{{"link_id", 18446744073709551615ULL}}, "link_id", "link_id must be an integer"},
  }));
  CAPTURE(body.dump());
  const auto r = s.Call("POST", "/v1/rescan", body, s.admin);
  CHECK(r.status == 400);
  const json err = Body(r)["error"];
  CHECK(err["code"] == "invalid_argument");
  CHECK(err.value("field", "") == field);
  CHECK_THAT(err["message"].get<std::string>(), Catch::Contains(words));
}

TEST_CASE("wrong field types on tokens and rule tests are named, not taken for absent") {
  Server s;
  auto r = s.Call("POST", "/v1/tokens", {{"agency", "admin"}, {"role", "operator"}, {"label", 5}}, s.admin);
  CHECK(r.status == 400);
  CHECK(Body(r)["error"]["field"] == "label");
  r = s.Call("POST", "/v1/tokens", {{"agency", "admin"}, {"role", "operator"}, {"label", std::string(300, 'l')}}, s.admin);
  CHECK(r.status == 400);
  CHECK(Body(r)["error"]["field"] == "label");
}

TEST_CASE("a field given twice is refused, not read as its last value") {
  Server s;
  auto r = test::Http(s.port, "POST", "/v1/links",
                      R"({"url":"https://example.org/a","basis":"b","category":"extremist","url":"https://example.org/b"})",
                      s.admin);
  CHECK(r.status == 400);
  CHECK(Body(r)["error"]["field"] == "url");
  CHECK(Body(r)["error"]["message"] == "field \"url\" is given twice");
  // Inside a batch item too; the same key in two objects is no repeat.
  r = test::Http(s.port, "POST", "/v1/links/batch",
                 R"({"items":[{"url":"https://example.org/c","basis":"b","category":"extremist"},)"
                 R"({"url":"https://example.org/d","basis":"b","basis":"c","category":"extremist"}]})",
                 s.admin);
  CHECK(r.status == 400);
  CHECK(Body(r)["error"]["field"] == "basis");
  CHECK(Body(s.Call("GET", "/v1/links", nullptr, s.admin))["links"].empty());
  r = test::Http(s.port, "POST", "/v1/links/batch",
                 R"({"items":[{"url":"https://example.org/c","basis":"b","category":"extremist"},)"
                 R"({"url":"https://example.org/d","basis":"b","category":"extremist"}]})",
                 s.admin);
  CHECK(r.status == 200);
  CHECK(Body(r)["summary"]["new"] == 2);
}

TEST_CASE("a body nested deeper than any request is refused before it is built") {
  Server s;
  const std::string deep = "{\"items\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  const auto r = test::Http(s.port, "POST", "/v1/links/batch", deep, s.admin);
  CHECK(r.status == 400);
  CHECK_THAT(Body(r)["error"]["message"].get<std::string>(), Catch::Contains("nested deeper than 32 levels"));
  // A real batch is well within the limit.
  CHECK(s.Call("POST", "/v1/links/batch", {{"items", json::array({Item("https://example.org/ok")})}}, s.admin).status == 200);
}

TEST_CASE("malformed requests get clear errors") {
  daemon::ApiOptions options;
  options.max_batch_items = 3;
  Server s(options, daemon::HttpOptions{4096, 30});
  auto raw = [&](const std::string& method, const std::string& target, const std::string& body) {
    return test::Http(s.port, method, target, body, s.admin);
  };
  SECTION("malformed JSON") {
    const auto r = raw("POST", "/v1/links", "{\"url\": ");
    CHECK(r.status == 400);
    CHECK_THAT(Body(r)["error"]["message"].get<std::string>(), Catch::StartsWith("malformed JSON"));
  }
  SECTION("JSON that is not an object") {
    CHECK(raw("POST", "/v1/links", "[1,2]").status == 400);
  }
  SECTION("a body over the limit") {
    const auto r = raw("POST", "/v1/links/batch", std::string(5000, ' '));
    CHECK(r.status == 413);
    CHECK(Body(r)["error"]["code"] == "payload_too_large");
  }
  SECTION("too many batch items") {
    json items = json::array({Item("https://a.org/"), Item("https://b.org/"), Item("https://c.org/"),
                              Item("https://d.org/")});
    const auto r = raw("POST", "/v1/links/batch", json{{"items", items}}.dump());
    CHECK(r.status == 400);
    CHECK(Body(r)["error"]["field"] == "items");
  }
  SECTION("unknown path and wrong method") {
    CHECK(raw("GET", "/v1/nothing", "").status == 404);
    CHECK(raw("DELETE", "/v1/links", "").status == 405);
    CHECK(raw("GET", "/v1/links/999", "").status == 404);
    CHECK(raw("GET", "/v1/links/abc", "").status == 404);
  }
  SECTION("bad list parameters") {
    CHECK(raw("GET", "/v1/links?limit=0", "").status == 400);
    CHECK(raw("GET", "/v1/links?limit=5000", "").status == 400);
    CHECK(raw("GET", "/v1/links?after=x", "").status == 400);
  }
}

TEST_CASE("list filters and pages through links") {
  Server s;
  const std::string a = s.Token("A");
  const std::string b = s.Token("B");
  for (int i = 0; i < 5; ++i) {
    s.Call("POST", "/v1/links", Item("https://site" + std::to_string(i) + ".org/x"), a);
  }
  s.Call("POST", "/v1/links", Item("https://other.org/y", "ref", "terrorist"), b);
  auto page1 = Body(s.Call("GET", "/v1/links?limit=4", nullptr, a));
  CHECK(page1["links"].size() == 4);
  REQUIRE(page1["next_after"].is_number());
  auto page2 = Body(s.Call("GET", "/v1/links?limit=4&after=" + page1["next_after"].dump(), nullptr, a));
  CHECK(page2["links"].size() == 2);
  CHECK(page2["next_after"].is_null());
  CHECK(Body(s.Call("GET", "/v1/links?agency=B", nullptr, a))["links"].size() == 1);
  CHECK(Body(s.Call("GET", "/v1/links?category=terrorist", nullptr, a))["links"].size() == 1);
  CHECK(Body(s.Call("GET", "/v1/links?status=pending", nullptr, a))["links"].size() == 6);
  CHECK(Body(s.Call("GET", "/v1/links?status=alive", nullptr, a))["links"].empty());
  CHECK(Body(s.Call("GET", "/v1/links?q=site3", nullptr, a))["links"].size() == 1);
  // A filter that names nothing known is refused, not answered with an empty list.
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"status=bogus", "status"}, {"origin=x", "origin"}, {"category=nope", "category"}, {"agency=Nope", "agency"},
           {"q=%00", "q"}, {"q=a%0Ab", "q"}}) {
    CAPTURE(query);
    const auto r = s.Call("GET", "/v1/links?" + query, nullptr, a);
    CHECK(r.status == 400);
    CHECK(Body(r)["error"]["field"] == field);
  }
}

TEST_CASE("agencies are unique and tokens name an existing agency") {
  Server s;
  CHECK(s.Call("POST", "/v1/agencies", {{"name", "Police"}}, s.admin).status == 201);
  const auto again = s.Call("POST", "/v1/agencies", {{"name", "Police"}}, s.admin);
  CHECK(again.status == 409);
  CHECK(s.Call("POST", "/v1/tokens", {{"agency", "Nobody"}, {"role", "operator"}}, s.admin).status == 404);
  const auto bad_role = s.Call("POST", "/v1/tokens", {{"agency", "Police"}, {"role", "king"}}, s.admin);
  CHECK(bad_role.status == 400);
  CHECK(Body(bad_role)["error"]["field"] == "role");
}

TEST_CASE("the audit chain verifies through the API") {
  Server s;
  const std::string op = s.Token("Police");
  s.Call("POST", "/v1/links", Item("https://example.org/a"), op);
  const auto r = Body(s.Call("GET", "/v1/audit/verify", nullptr, s.admin));
  CHECK(r["ok"] == true);
  CHECK(r["rows_checked"].get<int>() >= 3);
  CHECK(r["first_broken_id"].is_null());
}
