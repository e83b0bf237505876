#include "linkwatch/daemon/status_policy.h"

#include <string.h>  // memmem

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "linkwatch/base/host_pattern.h"
#include "linkwatch/crawler/page.h"
#include "linkwatch/matcher/normalize.h"

namespace linkwatch::daemon {
namespace {

// Markers and page alike: Unicode simple case folding (Latin, Greek,
// Cyrillic), invisible characters dropped and white space runs as one space.
// Look-alike letters are left as they are: a marker is the site's own text.
constexpr matcher::NormalizeOptions kMarkerFold{.map_confusables = false};

// U+001F (unit separator): not white space, so folding keeps it.
constexpr char kBlockBreak = '\x1f';

bool Contains(std::string_view hay, std::string_view needle) {
  return memmem(hay.data(), hay.size(), needle.data(), needle.size()) != nullptr;
}

// Where markers are looked for in one page, each form made when first needed:
// the body folded as it is (a marker in a script's string or an attribute is
// found there), and, only when that misses but every word of a marker is in
// the body, the page's visible text folded (Gumbo: entities decoded, tags
// dropped, so "<b>Video</b>&nbsp;unavailable" reads "Video unavailable").
class MarkerSearch {
 public:
  explicit MarkerSearch(const crawler::FetchResult& f) : f_(f) {}

  bool Finds(const Marker& marker) {
    const std::string& needle = marker.folded();
    if (needle.empty()) return false;
    const std::string& body = Body();
    if (Contains(body, needle)) return true;
    // The text holds no more words than the body.
    const auto& pieces = marker.pieces();
    const auto in_body = [&](const std::string& piece) { return Contains(body, piece); };
    if (pieces.empty() || !std::all_of(pieces.begin(), pieces.end(), in_body)) return false;
    return Contains(Text(), needle);
  }

 private:
  const std::string& Body() {
    if (!body_) body_ = matcher::Normalize(crawler::BodyUtf8(f_.body, f_.Header("content-type")), kMarkerFold);
    return *body_;
  }

  const std::string& Text() {
    if (!text_) {
      crawler::ExtractOptions options;
      options.max_outlinks = 0;
      options.max_alt_texts = 0;
      const crawler::Page page = crawler::ExtractPage(f_.body, f_.Header("content-type"), f_.final_url, options);
      // A marker reads within one block, as a browser's find in page does:
      // blocks are kept apart by a character the fold keeps and no marker has.
      std::string blocks = page.title + kBlockBreak + page.text;
      std::replace(blocks.begin(), blocks.end(), '\n', kBlockBreak);
      text_ = page.html ? matcher::Normalize(blocks, kMarkerFold) : std::string();
    }
    return *text_;
  }

  const crawler::FetchResult& f_;
  std::optional<std::string> body_, text_;
};

// The first of `markers` the page carries, or null.
const Marker* FindAny(MarkerSearch& page, const std::vector<Marker>& markers) {
  for (const Marker& m : markers) {
    if (page.Finds(m)) return &m;
  }
  return nullptr;
}

std::string MarkerReason(const char* kind, const Marker& marker) {
  return std::string("the page carries the ") + kind + " marker \"" + marker.text() + "\"";
}

// A 2xx page: alive unless a configured marker for its host says otherwise.
// Markers are searched in the body read in its own charset (a windows-1251
// page matches a Cyrillic marker), both folded as above ("ДОСТУП" matches
// "доступ", "Video\n  unavailable" matches "video unavailable").
std::string ObserveBody(const crawler::FetchResult& f, const std::string& host, const StatusPolicy& p,
                        std::string* reason) {
  MarkerSearch page(f);
  for (const auto& rule : p.markers) {
    const bool applies = std::any_of(rule.hosts.begin(), rule.hosts.end(),
                                     [&](const std::string& h) { return HostPatternMatches(h, host); });
    if (!applies) continue;
    if (const Marker* m = FindAny(page, rule.blocked)) {
      if (reason != nullptr) *reason = MarkerReason("blocked", *m);
      return "blocked";
    }
    if (const Marker* m = FindAny(page, rule.removed)) {
      if (reason != nullptr) *reason = MarkerReason("removed", *m);
      return "removed";
    }
  }
  return "alive";
}

int ConfirmCount(const std::string& status, const StatusPolicy& p) {
  if (status == "removed") return p.confirm_removed;
  if (status == "unreachable") return p.confirm_unreachable;
  if (status == "blocked") return p.confirm_blocked;
  return p.confirm_alive;
}

int64_t Backoff(int64_t initial, int64_t max, int step) {
  int64_t v = initial;
  for (int i = 0; i < step && v < max; ++i) v *= 2;
  return std::min(v, max);
}

TimeMs Jittered(TimeMs now, int64_t seconds, double jitter, std::mt19937_64& rng) {
  const double span = static_cast<double>(seconds) * 1000.0;
  std::uniform_real_distribution<double> dist(-jitter, jitter);
  return now + static_cast<TimeMs>(span * (1.0 + dist(rng)));
}

}  // namespace

// The pieces of a marker that its HTML must hold for the visible text to hold
// it: folded text has single spaces between words, and a quote, an apostrophe,
// "&", "<" or ">" may be written as an entity ("isn&#39;t"). A marker of one
// piece that is not in the body as it is cannot be in the text either (none).
// The longest piece is looked for first: it is the likeliest to be missing,
// and memmem skips faster with a longer needle.
Marker::Marker(std::string text) : text_(std::move(text)), folded_(matcher::Normalize(text_, kMarkerFold)) {
  constexpr std::string_view kSplit = " '\"&<>";
  const std::string_view f = folded_;
  for (size_t start = 0; start < f.size();) {
    size_t end = f.find_first_of(kSplit, start);
    if (end == std::string_view::npos) end = f.size();
    if (end > start) pieces_.emplace_back(f.substr(start, end - start));
    start = end + 1;
  }
  if (pieces_.size() < 2) {
    pieces_.clear();
    return;
  }
  std::stable_sort(pieces_.begin(), pieces_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Observe(const crawler::FetchResult& f, const std::string& host,
                    const std::string& previous, const StatusPolicy& policy, std::string* reason) {
  if (f.error != crawler::FetchError::kNone) return "unreachable";
  if (f.not_modified) return previous == "pending" ? "alive" : previous;
  const int code = f.http_status;
  if (code == 404 || code == 410) return "removed";
  if (code == 451 || code == 401 || code == 403) return "blocked";
  if (code >= 200 && code < 300) return ObserveBody(f, host, policy, reason);
  return "unreachable";  // 5xx, 429 after retries, other 4xx, no answer
}

const std::string& LastObserved(const LinkState& s) {
  return s.candidate_status.empty() ? s.status : s.candidate_status;
}

bool MayRevalidate(const LinkState& s, std::optional<int> last_http_status) {
  if (!last_http_status) return false;
  const int code = *last_http_status;
  if (code != 304 && (code < 200 || code >= 300)) return false;
  const std::string& seen = LastObserved(s);
  return seen != "pending" && seen != "unreachable";
}

int64_t BaseIntervalSeconds(const LinkState& s, const StatusPolicy& p) {
  if (!s.candidate_status.empty()) return p.confirm_interval_s;
  if (s.status == "removed") return Backoff(p.removed_initial_s, p.removed_max_s, s.backoff_step);
  if (s.status == "unreachable") {
    return Backoff(p.unreachable_initial_s, p.unreachable_max_s, s.backoff_step);
  }
  if (s.status == "blocked") return p.blocked_interval_s;
  return p.alive_interval_s;
}

Transition Advance(const LinkState& before, const std::string& observed, TimeMs now,
                   TimeMs first_seen, const StatusPolicy& policy, std::mt19937_64& rng) {
  Transition t;
  LinkState& s = t.state;
  s = before;
  if (observed == before.status) {
    s.candidate_status.clear();
    s.candidate_count = 0;
    s.backoff_step = before.backoff_step + 1;
  } else {
    s.candidate_count = before.candidate_status == observed ? before.candidate_count + 1 : 1;
    s.candidate_status = observed;
    if (before.status == "pending" || s.candidate_count >= ConfirmCount(observed, policy)) {
      s.status = observed;
      s.candidate_status.clear();
      s.candidate_count = 0;
      s.backoff_step = 0;
      t.changed = true;
      if (observed == "removed") s.removed_since = first_seen;
      if (before.status == "removed" && observed == "alive") {
        s.reappeared_at = first_seen;
        s.removed_since.reset();
      }
    }
  }
  t.next_check_at = Jittered(now, BaseIntervalSeconds(s, policy), policy.jitter, rng);
  return t;
}

}  // namespace linkwatch::daemon
