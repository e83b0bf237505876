#include "api_client.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "loopback_server.h"

using linkwatch::Status;
using linkwatch::cli::ApiClient;
using linkwatch::cli::ApiOptions;
using linkwatch::cli::BodyOf;
using linkwatch::cli::BuildQuery;
using linkwatch::cli::ExitCodeFor;
using linkwatch::cli::StatusFromResponse;
using linkwatch::cli::test::ClosedLoopbackPort;
using linkwatch::cli::test::HttpReply;
using linkwatch::cli::test::HttpRequest;
using linkwatch::cli::test::LoopbackServer;
using linkwatch::cli::test::SilentListener;
using nlohmann::json;

namespace {

ApiOptions OptionsFor(const std::string& url, const std::string& token = "s3cret") {
  ApiOptions options;
  options.base_url = url;
  options.token = token;
  options.timeout_seconds = 5;
  return options;
}

LoopbackServer::Handler Always(int status, std::string body) {
  return [status, body](const HttpRequest&) { return HttpReply{status, body}; };
}

}  // namespace

TEST_CASE("GET sends the bearer token and parses the JSON answer") {
  LoopbackServer server(Always(200, R"({"token_id":3,"agency":"police","role":"operator"})"));
  ApiClient client(OptionsFor(server.url() + "/"));
  const auto response = client.Get("/v1/whoami");
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body["agency"] == "police");
  CHECK(response->body["token_id"] == 3);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].target == "/v1/whoami");
  CHECK(requests[0].Header("authorization") == "Bearer s3cret");
  CHECK(requests[0].Header("accept") == "application/json");
}

TEST_CASE("without a token no Authorization header is sent") {
  LoopbackServer server(Always(200, "{}"));
  ApiClient client(OptionsFor(server.url(), ""));
  REQUIRE(client.Get("/healthz").ok());
  REQUIRE(server.requests().size() == 1);
  CHECK(server.requests()[0].headers.count("authorization") == 0);
}

TEST_CASE("POST sends the body as JSON, and a later GET on the same client sends none") {
  LoopbackServer server(Always(201, R"({"link_id":12,"duplicate":false})"));
  ApiClient client(OptionsFor(server.url()));
  const json body = {{"url", "https://пример.рф/a"}, {"basis", "Court 1"}, {"category", "x"}};
  const auto first = client.Post("/v1/links", body);
  REQUIRE(first.ok());
  CHECK(first->status == 201);
  CHECK(first->body["link_id"] == 12);
  REQUIRE(client.Get("/v1/links/12").ok());  // a GET after a POST is a GET again
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].Header("content-type") == "application/json");
  CHECK(json::parse(requests[0].body) == body);
  CHECK(requests[1].method == "GET");
  CHECK(requests[1].body.empty());
}

TEST_CASE("error answers become the API's message and the right exit code") {
  const auto [http, body, message, exit_code] = GENERATE(table<int, std::string, std::string, int>({
      {404, R"({"error":{"code":"not_found","message":"no link 9"}})", "no link 9", 2},
      {401, R"({"error":{"code":"unauthenticated","message":"bad token"}})", "bad token", 3},
      {403, R"({"error":{"code":"permission_denied","message":"admin only"}})", "admin only", 3},
      {400, R"({"error":{"code":"invalid_argument","message":"is empty","field":"basis"}})",
       "basis: is empty", 1},
      {400, R"({"error":{"code":"invalid_argument","message":"bad JSON","field":null}})",
       "bad JSON", 1},
      {409, R"({"error":{"code":"already_exists","message":"taken"}})", "taken", 1},
      {503, R"({"error":{"code":"unavailable","message":"shutting down"}})", "shutting down", 4},
      {500, R"({"error":{"code":"internal","message":"internal error"}})", "internal error", 1},
      {502, "<html>bad gateway</html>", "HTTP 502", 1},
  }));
  LoopbackServer server(Always(http, body));
  ApiClient client(OptionsFor(server.url()));
  const auto response = client.Get("/v1/links/9");
  REQUIRE(response.ok());  // an HTTP answer is a value
  CHECK(response->status == http);
  const Status status = StatusFromResponse(*response);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message() == message);
  CHECK(ExitCodeFor(status) == exit_code);
  CHECK(BodyOf(response).status().message() == message);
}

TEST_CASE("a 2xx answer that is not JSON is an error") {
  LoopbackServer server(Always(200, "not json"));
  ApiClient client(OptionsFor(server.url()));
  const auto response = client.Get("/v1/whoami");
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().code() == Status::Code::kInternal);
}

TEST_CASE("connection refused means the daemon is unreachable: exit 4, URL named") {
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedLoopbackPort());
  ApiClient client(OptionsFor(url));
  const auto response = client.Get("/v1/whoami");
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().code() == Status::Code::kUnavailable);
  CHECK(ExitCodeFor(response.status()) == 4);
  CHECK_THAT(response.status().message(), Catch::Contains(url));
  CHECK_THAT(response.status().message(), Catch::Contains("linkwatchd"));
}

TEST_CASE("a daemon that never answers times out: exit 4") {
  SilentListener silent;
  ApiOptions options = OptionsFor(silent.url());
  options.timeout_seconds = 0.3;
  ApiClient client(options);
  const auto response = client.Get("/v1/whoami");
  REQUIRE_FALSE(response.ok());
  CHECK(ExitCodeFor(response.status()) == 4);
  CHECK_THAT(response.status().message(), Catch::Contains("did not answer within 0.3 s"));
}

TEST_CASE("a malformed daemon URL is a usage error") {
  ApiClient client(OptionsFor("gopher://127.0.0.1:1"));
  const auto response = client.Get("/v1/whoami");
  REQUIRE_FALSE(response.ok());
  CHECK(ExitCodeFor(response.status()) == 1);
}

TEST_CASE("query values are percent-encoded") {
  CHECK(BuildQuery({}) == "");
  CHECK(BuildQuery({{"url", "https://a.b/?x=1&y=2"}}) ==
        "url=https%3A%2F%2Fa.b%2F%3Fx%3D1%26y%3D2");
  CHECK(BuildQuery({{"q", "a b"}, {"limit", "5"}}) == "q=a%20b&limit=5");
  CHECK(BuildQuery({{"q", "пример"}}) == "q=%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80");
}
