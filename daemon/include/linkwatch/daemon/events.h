// What the check loop and discovery tell the rest of the daemon (metrics,
// notifications) once a result is durably recorded. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "linkwatch/base/time.h"

namespace linkwatch::daemon {

// One recorded check.
struct CheckEvent {
  int64_t link_id = 0;
  std::string url;            // canonical URL
  std::string host;
  std::string origin = "registered";      // registered | discovered
  std::string review_state = "confirmed"; // a discovered link: pending until a person decides
  TimeMs checked_at = 0;
  std::string observed;       // what this check saw: alive | removed | blocked | unreachable
  std::string status_before;  // the link's confirmed status before and after
  std::string status_after;
  bool flagged_before = false;
  bool judged = false;        // the rules judged this check (flagged_after is its verdict)
  bool flagged_after = false;
  std::string matched_rules;  // JSON array of rule ids (judged checks)
  std::optional<int> http_status;
  int64_t elapsed_ms = 0;     // the fetch
  std::string error;
  std::string reason;
  int64_t extract_us = 0, match_us = 0;  // 0 when not extracted
};

// One storage transaction of check results.
struct RecordEvent {
  int64_t checks = 0;
  int64_t latency_us = 0;  // from hand-off to the writer until durable
  bool ok = true;
};

// A candidate that became a discovered link pending review.
struct DiscoveryEvent {
  int64_t link_id = 0;
  std::string url;
  int64_t found_from = 0;
  std::string reason;
};

}  // namespace linkwatch::daemon
