// linkwatchd as a process: first start, crash durability, signals, bad setups.
#include <catch2/catch.hpp>

#include <signal.h>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <thread>

#include "test_support.h"

using namespace linkwatch;
using nlohmann::json;

namespace {

const std::string kDaemon = LINKWATCHD_BIN;

json Submit(uint16_t port, const std::string& token, const std::string& url) {
  const auto r = test::Http(port, "POST", "/v1/links",
                            json{{"url", url}, {"basis", "Order 7/2025"}, {"category", "terrorist"}}.dump(),
                            token);
  REQUIRE(r.status == 201);
  return json::parse(r.body);
}

test::RunResult RunDaemon(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kDaemon};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::Run(argv);
}

}  // namespace

TEST_CASE("the first start creates an admin token and shows it once") {
  test::TempDir dir;
  const std::string data = dir.File("data");
  std::string token;
  {
    auto d = test::StartDaemon(kDaemon, data);
    token = d.first_token;
    REQUIRE(token.rfind("lw_", 0) == 0);
    CHECK(test::Http(d.port, "GET", "/v1/whoami", "", token).status == 200);
    d.child->Signal(SIGTERM);
    CHECK(d.child->Wait() == 0);
  }
  auto again = test::StartDaemon(kDaemon, data);
  CHECK(again.first_token.empty());
  CHECK(again.child->Stdout().find(token) == std::string::npos);
  CHECK(test::Http(again.port, "GET", "/v1/whoami", "", token).status == 200);
}

TEST_CASE("acknowledged submissions survive kill -9 right after the answer") {
  test::TempDir dir;
  const std::string data = dir.File("data");
  auto d = test::StartDaemon(kDaemon, data);
  std::vector<int64_t> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back(Submit(d.port, d.first_token, "https://example.org/p/" + std::to_string(i))["link_id"]);
  }
  d.child->Signal(SIGKILL);
  CHECK(d.child->Wait() == 128 + SIGKILL);

  auto after = test::StartDaemon(kDaemon, data);
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto r = test::Http(after.port, "GET", "/v1/links/" + std::to_string(ids[i]), "", d.first_token);
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body)["canonical_url"] == "https://example.org/p/" + std::to_string(i));
  }
  const auto verify = json::parse(test::Http(after.port, "GET", "/v1/audit/verify", "", d.first_token).body);
  CHECK(verify["ok"] == true);
}

TEST_CASE("SIGTERM and SIGINT stop the daemon cleanly with exit code 0") {
  const int sig = GENERATE(SIGTERM, SIGINT);
  test::TempDir dir;
  auto d = test::StartDaemon(kDaemon, dir.File("data"));
  // A request in flight when the signal arrives is still answered.
  std::thread client([&] {
    for (int i = 0; i < 20; ++i) Submit(d.port, d.first_token, "https://example.org/" + std::to_string(i));
  });
  client.join();
  d.child->Signal(sig);
  CHECK(d.child->Wait() == 0);
  CHECK_THAT(d.child->Stderr(), Catch::Contains("stopped"));
}

TEST_CASE("bad setups stop the daemon with a clear message and exit code") {
  test::TempDir dir;
  SECTION("a config with an unknown key names file and line") {
    test::WriteFile(dir.File("c.toml"), "[server]\nlisten = \"127.0.0.1:0\"\ncolour = \"red\"\n");
    const auto r = RunDaemon({"--config", dir.File("c.toml"), "--data-dir", dir.File("d")});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(dir.File("c.toml") + ":3: unknown key \"colour\""));
  }
  SECTION("a database file that is not SQLite") {
    std::filesystem::create_directories(dir.File("d"));
    test::WriteFile(dir.File("d/linkwatch.db"), std::string(4096, 'x'));
    const auto r = RunDaemon({"--data-dir", dir.File("d"), "--listen", "127.0.0.1:0"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("not a"));
    CHECK(test::ReadFile(dir.File("d/linkwatch.db")) == std::string(4096, 'x'));
  }
  SECTION("a data directory that cannot be created") {
    test::WriteFile(dir.File("file"), "x");
    const auto r = RunDaemon({"--data-dir", dir.File("file/data"), "--listen", "127.0.0.1:0"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(dir.File("file/data")));
  }
  SECTION("a listen address already in use") {
    auto first = test::StartDaemon(kDaemon, dir.File("d1"));
    const auto r = RunDaemon({"--data-dir", dir.File("d2"), "--listen",
                              "127.0.0.1:" + std::to_string(first.port)});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(first.port)));
    // The start failed: no admin token was shown, so the next start shows one.
    CHECK_THAT(r.out, !Catch::Contains("admin token"));
    first.child->Signal(SIGTERM);
    CHECK(first.child->Wait() == 0);
    auto next = test::StartDaemon(kDaemon, dir.File("d2"));
    CHECK(next.first_token.rfind("lw_", 0) == 0);
  }
  SECTION("a --listen host that is not an IP address names the flag, before anything starts") {
    const auto r = RunDaemon({"--data-dir", dir.File("d"), "--listen", "localhost:0"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("--listen: \"localhost\" in \"localhost:0\" is not an IP address"));
    CHECK_FALSE(std::filesystem::exists(dir.File("d")));
  }
  SECTION("an empty --config or --data-dir is refused, not taken for the default") {
    for (const char* flag : {"--config", "--data-dir"}) {
      CAPTURE(flag);
      const auto r = RunDaemon({flag, "", "--listen", "127.0.0.1:0"});
      CHECK(r.exit_code == 1);
      CHECK_THAT(r.err, Catch::Contains(std::string(flag) + " is empty"));
    }
  }
  SECTION("a broken rule set at the first start shows no admin token") {
    test::WriteFile(dir.File("bad.toml"), "[[rule]]\nid = \"x-1\"\ncategory = \"nope\"\n");
    const auto r = RunDaemon({"--data-dir", dir.File("d"), "--listen", "127.0.0.1:0", "--rules", dir.File("bad.toml")});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("rule set refused at start"));
    CHECK_THAT(r.out, !Catch::Contains("admin token"));
  }
  SECTION("an unknown flag") {
    const auto r = RunDaemon({"--frobnicate"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err + r.out, Catch::Contains("frobnicate"));
  }
  SECTION("a flag without its value") {
    const auto r = RunDaemon({"--listen"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err + r.out, Catch::Contains("--listen"));
  }
  SECTION("an unknown log level, which would silence every message") {
    const auto r = RunDaemon({"--log-level", "loud", "--data-dir", dir.File("d"), "--listen", "127.0.0.1:0"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err + r.out, Catch::Contains("--log-level") && Catch::Contains("loud"));
    CHECK_FALSE(std::filesystem::exists(dir.File("d")));  // refused before anything started
  }
}

TEST_CASE("out of file descriptors, the listener backs off and warns now and then, then serves again") {
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizers' runtime probes memory through a pipe; with no descriptor
  // left it cannot, and UBSan's vptr check then fails in its own code. The
  // plain build runs this test.
  WARN("not run under the sanitizers: their runtime needs file descriptors too");
  return;
#endif
  test::TempDir dir;
  // 64 descriptors: the daemon's own (database, epoll, workers) leave a few dozen for clients.
  test::Child child({"/bin/sh", "-c", "ulimit -n 64 && exec " + kDaemon + " --data-dir " + dir.File("d") +
                                          " --listen 127.0.0.1:0 --no-checks"},
                    dir.path());
  const auto port_text = child.WaitFor("listening on http://127.0.0.1:");
  REQUIRE(port_text.has_value());
  const auto port = static_cast<uint16_t>(std::stoi(*port_text));
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> held;
  for (int i = 0; i < 100; ++i) {
    held.emplace_back(io);
    held.back().connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const std::string log = child.Stderr();
  // One warning (with how often accept failed), not one line per failed accept.
  size_t warnings = 0;
  for (size_t at = log.find("accept: "); at != std::string::npos; at = log.find("accept: ", at + 1)) ++warnings;
  CHECK(warnings >= 1);
  CHECK(warnings <= 2);
  CHECK_THAT(log, Catch::Contains("retrying every 100 ms"));
  held.clear();
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    // Until the held connections are drained, a new one may still be reset.
    try {
      served = test::Http(port, "GET", "/healthz").status == 200;
    } catch (const std::exception& e) {
      UNSCOPED_INFO("attempt " << i << ": " << e.what());
    }
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(served);
  child.Signal(SIGTERM);
  CHECK(child.Wait() == 0);
}

TEST_CASE("--help shows the flags and exits 0") {
  const auto r = RunDaemon({"--help"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("--log-level") && Catch::Contains("--data-dir"));
}
