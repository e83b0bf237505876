// What every connection of a TestWebServer shares: run-time pages and
// statistics. Internal to the test server.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "test_web_routes.h"
#include "test_web_server.h"

namespace linkwatch::test {
namespace web {

// A count that remembers its peak.
struct Gauge {
  int now = 0;
  int max = 0;
  void Up() { max = std::max(max, ++now); }
  void Down() { --now; }
  void ResetMax() { max = now; }
};

}  // namespace web

struct TestWebServer::State {
  mutable std::mutex mu;
  // Guarded by mu:
  std::map<std::string, web::Override> overrides;
  std::map<std::string, int> target_hits;
  std::vector<Request> log;
  web::Gauge requests;
  std::map<std::string, web::Gauge> host_requests;
  web::Gauge connections;
  std::map<std::string, web::Gauge> address_connections;
  int accepted = 0;

  // Records a request; returns how many times its target has been asked for.
  int Begin(Request request, const std::string& target) {
    std::lock_guard lock(mu);
    requests.Up();
    host_requests[request.host].Up();
    log.push_back(std::move(request));
    return ++target_hits[target];
  }
  void End(const std::string& host) {
    std::lock_guard lock(mu);
    requests.Down();
    host_requests[host].Down();
  }
  void Open(const std::string& address) {
    std::lock_guard lock(mu);
    ++accepted;
    connections.Up();
    address_connections[address].Up();
  }
  void Close(const std::string& address) {
    std::lock_guard lock(mu);
    connections.Down();
    address_connections[address].Down();
  }
  std::optional<web::Override> OverrideFor(const std::string& path) const {
    std::lock_guard lock(mu);
    const auto it = overrides.find(path);
    return it == overrides.end() ? std::nullopt : std::optional(it->second);
  }
};

}  // namespace linkwatch::test
