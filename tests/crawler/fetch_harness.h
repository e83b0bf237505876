// Runs a CurlFetcher on an io_context in the test's own thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "linkwatch/crawler/fetcher.h"

namespace linkwatch::crawler::test {

// Options that keep the suite fast: no politeness delay, short back-off.
inline FetchOptions FastOptions() {
  FetchOptions o;
  o.per_host_delay_ms = 0;
  o.max_per_host = 8;
  o.connect_timeout_ms = 2000;
  o.first_byte_timeout_ms = 5000;
  o.total_timeout_ms = 20000;
  o.retry_base_delay_ms = 10;
  o.retry_max_delay_ms = 40;
  o.max_retries = 2;
  return o;
}

class Harness {
 public:
  // A fetch that has not finished by then is a bug, not slowness.
  static constexpr std::chrono::seconds kGiveUp{60};

  explicit Harness(FetchOptions options = FastOptions()) : fetcher_(io_, std::move(options)) {}

  CurlFetcher& fetcher() { return fetcher_; }
  boost::asio::io_context& io() { return io_; }

  FetchResult Fetch(const std::string& url) { return FetchAll({FetchRequest{url, "", ""}}).at(0); }
  FetchResult Fetch(FetchRequest request) { return FetchAll({std::move(request)}).at(0); }

  std::vector<FetchResult> FetchAll(std::vector<FetchRequest> requests) {
    std::vector<std::optional<FetchResult>> slots(requests.size());
    size_t done = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      fetcher_.Fetch(std::move(requests[i]), [&slots, &done, i](FetchResult r) {
        slots[i] = std::move(r);
        ++done;
      });
    }
    RunUntil([&] { return done == slots.size(); });
    std::vector<FetchResult> out;
    for (auto& slot : slots) out.push_back(std::move(*slot));
    return out;
  }

  std::vector<FetchResult> FetchAll(const std::vector<std::string>& urls) {
    std::vector<FetchRequest> requests;
    for (const auto& url : urls) requests.push_back({url, "", ""});
    return FetchAll(std::move(requests));
  }

  template <typename Predicate>
  void RunUntil(Predicate done) {
    const auto give_up = std::chrono::steady_clock::now() + kGiveUp;
    io_.restart();
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up)
        throw std::runtime_error("fetch never finished");
      io_.run_one_for(std::chrono::milliseconds(100));
      io_.restart();
    }
  }

 private:
  boost::asio::io_context io_;
  CurlFetcher fetcher_;
};

}  // namespace linkwatch::crawler::test
