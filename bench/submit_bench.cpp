// Latency of one request type under N concurrent keep-alive clients.
//
//   lw_submit_bench --port P --token T --clients 16 --requests 2000 --mode submit|health
//
// "submit" POSTs unique links to /v1/links; "health" GETs /healthz, the
// transport floor the same run compares against. Prints one JSON line.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Flags {
  uint16_t port = 8470;
  std::string token;
  int clients = 16;
  int requests = 2000;  // per client
  std::string mode = "submit";
  std::string prefix = "bench";
};

// One client on one keep-alive connection; returns per-request latencies in µs.
std::vector<double> RunClient(const Flags& f, int client) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), f.port});
  beast::flat_buffer buffer;
  std::vector<double> lat;
  lat.reserve(static_cast<size_t>(f.requests));
  for (int i = 0; i < f.requests; ++i) {
    http::request<http::string_body> req;
    req.version(11);
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + f.token);
    if (f.mode == "submit") {
      req.method(http::verb::post);
      req.target("/v1/links");
      req.set(http::field::content_type, "application/json");
      req.body() = nlohmann::json{{"url", "https://bench.example/" + f.prefix + "/" +
                                              std::to_string(client) + "/" + std::to_string(i)},
                                  {"basis", "Bench order 1/2026"},
                                  {"category", "extremist"}}
                       .dump();
    } else {
      req.method(http::verb::get);
      req.target("/healthz");
    }
    req.prepare_payload();
    const auto t0 = Clock::now();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (res.result_int() >= 300) {
      std::fprintf(stderr, "request failed: %u %s\n", res.result_int(), res.body().c_str());
      std::exit(1);
    }
  }
  return lat;
}

double Percentile(std::vector<double>& v, double p) {
  const size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"linkwatch submit latency benchmark"};
  Flags f;
  app.add_option("--port", f.port)->required();
  app.add_option("--token", f.token)->required();
  app.add_option("--clients", f.clients);
  app.add_option("--requests", f.requests, "requests per client");
  app.add_option("--mode", f.mode)->check(CLI::IsMember({"submit", "health"}));
  app.add_option("--prefix", f.prefix, "URL path prefix, to keep runs distinct");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::vector<double>> per(static_cast<size_t>(f.clients));
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < f.clients; ++c) {
    threads.emplace_back([&, c] { per[static_cast<size_t>(c)] = RunClient(f, c); });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> all;
  for (auto& v : per) all.insert(all.end(), v.begin(), v.end());
  const double p50 = Percentile(all, 0.50), p99 = Percentile(all, 0.99);
  std::printf("%s\n", nlohmann::json{{"mode", f.mode},
                                     {"clients", f.clients},
                                     {"requests", all.size()},
                                     {"seconds", secs},
                                     {"per_second", static_cast<double>(all.size()) / secs},
                                     {"p50_ms", p50 / 1000.0},
                                     {"p99_ms", p99 / 1000.0}}
                          .dump()
                          .c_str());
}
