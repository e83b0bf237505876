// What a fetch means for a link: the status it observed, whether that status
// is confirmed (hysteresis), and when to look again (intervals, backoff, jitter).
//
// Pure functions over plain values; thread-safe. DESIGN.md's status model.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "linkwatch/base/time.h"
#include "linkwatch/crawler/fetcher.h"

namespace linkwatch::daemon {

// A page text that means "gone" or "blocked" although the server answers 200:
// the text as configured, and the forms a check searches for, made once when
// the marker is made (a config is read once, its markers are searched on
// every check). Written as a string: `rule.removed = {"Video unavailable"}`.
class Marker {
 public:
  Marker(std::string text);  // NOLINT(google-explicit-constructor): a marker is its text
  Marker(const char* text) : Marker(std::string(text)) {}  // NOLINT(google-explicit-constructor)

  const std::string& text() const { return text_; }
  // Case-folded, invisible characters dropped, white space runs as one space.
  const std::string& folded() const { return folded_; }
  // The pieces of `folded` that a page's HTML must hold for its visible text to
  // hold the marker (split at spaces and at characters an entity may stand
  // for), longest first; empty for a marker of one piece.
  const std::vector<std::string>& pieces() const { return pieces_; }

  friend bool operator==(const Marker& a, const Marker& b) { return a.text_ == b.text_; }

 private:
  std::string text_;
  std::string folded_;
  std::vector<std::string> pieces_;
};

struct MarkerRule {
  std::vector<std::string> hosts;  // "*" , "*.example.org" or "example.org"
  std::vector<Marker> removed;     // e.g. "Video unavailable"
  std::vector<Marker> blocked;     // e.g. "restricted by court order"
};

struct StatusPolicy {
  // Consecutive agreeing checks before a link's status changes to ...
  int confirm_removed = 2;
  int confirm_unreachable = 2;
  int confirm_blocked = 1;
  int confirm_alive = 1;
  // Re-check intervals, seconds.
  int64_t alive_interval_s = 6 * 3600;
  int64_t blocked_interval_s = 24 * 3600;
  int64_t removed_initial_s = 24 * 3600;      // doubled after each check that agrees ...
  int64_t removed_max_s = 14 * 24 * 3600;     // ... up to this
  int64_t unreachable_initial_s = 3600;
  int64_t unreachable_max_s = 24 * 3600;
  int64_t confirm_interval_s = 600;           // while a change waits for confirmation
  double jitter = 0.1;                        // ± this fraction of every interval
  std::vector<MarkerRule> markers;
};

// The status one fetch observed: "alive", "removed", "blocked" or "unreachable".
// `previous` (what the last check observed, LastObserved) answers a 304 Not
// Modified: the body is the one that check classified. When a marker decides,
// `reason` (if given) names it: the page carries the removed marker "...".
std::string Observe(const crawler::FetchResult& fetch, const std::string& host,
                    const std::string& previous, const StatusPolicy& policy, std::string* reason = nullptr);

// The link's scheduling state before and after a check.
struct LinkState {
  std::string status = "pending";
  std::string candidate_status;   // "" when none
  int candidate_count = 0;
  int backoff_step = 0;
  std::optional<TimeMs> removed_since;
  std::optional<TimeMs> reappeared_at;
};

struct Transition {
  LinkState state;
  TimeMs next_check_at = 0;
  bool changed = false;  // state.status differs from the status before
};

// Applies one observation at `now`. A pending link takes its first observation
// at once; otherwise a different status needs `confirm_*` agreeing checks in a
// row. `first_seen` is when the streak that confirms a change began (the time
// the link was first seen in the new status); `rng` draws the jitter.
Transition Advance(const LinkState& before, const std::string& observed, TimeMs now,
                   TimeMs first_seen, const StatusPolicy& policy, std::mt19937_64& rng);

// What the latest check observed: the status still waiting for confirmation,
// else the confirmed one.
const std::string& LastObserved(const LinkState& state);

// Whether the next fetch may be conditional (If-None-Match / If-Modified-Since).
// Only when the latest check was answered with a page (2xx or 304) and saw it:
// after a 404, an error or a reset mid-body, a 304 would stand for a body that
// is not the page the link last showed, and would keep "removed" or
// "unreachable" for as long as the server keeps the old validators.
bool MayRevalidate(const LinkState& state, std::optional<int> last_http_status);

// The interval after a check, before jitter (exposed for tests).
int64_t BaseIntervalSeconds(const LinkState& state, const StatusPolicy& policy);

}  // namespace linkwatch::daemon
