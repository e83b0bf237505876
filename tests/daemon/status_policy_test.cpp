#include <catch2/catch.hpp>

#include "linkwatch/daemon/status_policy.h"

using namespace linkwatch;
using daemon::LinkState;
using daemon::StatusPolicy;

namespace {

crawler::FetchResult Fetched(int code, std::string body = "<p>the post</p>",
                             crawler::FetchError error = crawler::FetchError::kNone) {
  crawler::FetchResult f;
  f.http_status = code;
  f.body = std::move(body);
  f.error = error;
  return f;
}

StatusPolicy WithMarkers() {
  StatusPolicy p;
  p.markers.push_back({{"*.video.example"}, {"Video unavailable", "This video isn't available anymore"}, {}});
  p.markers.push_back({{"*"}, {}, {"restricted by court order"}});
  p.markers.push_back({{"Posts.Example"}, {"Публикация удалена"}, {}});
  return p;
}

constexpr TimeMs kHour = 3600 * 1000;

}  // namespace

TEST_CASE("one fetch is classified by its HTTP status, error and page markers") {
  using E = crawler::FetchError;
  const auto [code, body, error, host, observed] =
      GENERATE(table<int, std::string, E, std::string, std::string>({
          {200, "<p>hello</p>", E::kNone, "a.org", "alive"},
          {204, "", E::kNone, "a.org", "alive"},
          {404, "", E::kNone, "a.org", "removed"},
          {410, "", E::kNone, "a.org", "removed"},
          {451, "", E::kNone, "a.org", "blocked"},
          {403, "", E::kNone, "a.org", "blocked"},
          {500, "", E::kNone, "a.org", "unreachable"},
          {503, "", E::kNone, "a.org", "unreachable"},
          {429, "", E::kNone, "a.org", "unreachable"},
          {400, "", E::kNone, "a.org", "unreachable"},
          {0, "", E::kDns, "a.org", "unreachable"},
          {0, "", E::kConnect, "a.org", "unreachable"},
          {0, "", E::kTls, "a.org", "unreachable"},
          {0, "", E::kTimeout, "a.org", "unreachable"},
          {0, "", E::kRedirectLoop, "a.org", "unreachable"},
          {200, "<h1>VIDEO UNAVAILABLE</h1>", E::kNone, "www.video.example", "removed"},
          {200, "<h1>Video unavailable</h1>", E::kNone, "video.example", "removed"},
          {200, "<h1>Video unavailable</h1>", E::kNone, "blog.example", "alive"},
          {200, "Access Restricted by Court Order", E::kNone, "any.example", "blocked"},
          {200, "<h1>Video unavailabl</h1>e", E::kNone, "video.example", "alive"},
          {200, "Video unavailable", E::kNone, "video.example", "removed"},
          // Host patterns compare case-insensitively; Cyrillic letters fold too.
          {200, "<p>Публикация удалена</p>", E::kNone, "posts.example", "removed"},
          {200, "<p>ПУБЛИКАЦИЯ УДАЛЕНА</p>", E::kNone, "posts.example", "removed"},
          {200, "<p>Публикация Удалена!</p>", E::kNone, "posts.example", "removed"},
          {200, "<p>Публикация не удалена</p>", E::kNone, "posts.example", "alive"},
          // White space runs (line breaks, tabs, no-break spaces) read as one space.
          {200, "<h1>Video\n   unavailable</h1>", E::kNone, "video.example", "removed"},
          {200, "<h1>Video\u00a0unavailable</h1>", E::kNone, "video.example", "removed"},
          {200, "<h1>Videounavailable</h1>", E::kNone, "video.example", "alive"},
          // Invisible characters inside a word do not hide it.
          {200, "<p>Restricted by co\u00adurt order</p>", E::kNone, "any.example", "blocked"},
          // Look-alike letters are not mapped: Cyrillic "о" in "Vidео" is another word.
          {200, "<h1>Vid\u0435\u043e unavailable</h1>", E::kNone, "video.example", "alive"},
          // The visible text counts too: entities decoded, a marker across tags.
          {200, "<h1>Video&nbsp;unavailable</h1>", E::kNone, "video.example", "removed"},
          {200, "<p><b>Video</b>\n <i>unavailable</i></p>", E::kNone, "video.example", "removed"},
          {200, "<p>Restricted by <a href=/x>court</a> order</p>", E::kNone, "any.example", "blocked"},
          {200, "<title>Video unavailable</title>", E::kNone, "video.example", "removed"},
          // An apostrophe written as an entity, as HTML templates escape it.
          {200, "<p>This video isn&#39;t available anymore</p>", E::kNone, "video.example", "removed"},
          {200, "<p>This video isn&apos;t available anymore</p>", E::kNone, "video.example", "removed"},
          // ... but not text the page does not show, nor words that are apart.
          {200, "<p>Video<script>x</script>unavailable</p>", E::kNone, "video.example", "alive"},
          {200, "<p>Video</p><p>unavailable</p>", E::kNone, "video.example", "alive"},
          {200, "<!-- Video --> unavailable", E::kNone, "video.example", "alive"},
      }));
  CAPTURE(code, body, host);
  std::string reason;
  CHECK(daemon::Observe(Fetched(code, body, error), host, "alive", WithMarkers(), &reason) == observed);
  // A marker that decides is named; a status code needs no reason.
  if (code == 200 && observed == "removed") {
    CHECK_THAT(reason, Catch::StartsWith("the page carries the removed marker \""));
  } else if (code == 200 && observed == "blocked") {
    CHECK(reason == "the page carries the blocked marker \"restricted by court order\"");
  } else {
    CHECK(reason.empty());
  }
}

TEST_CASE("markers match a page in its own charset: header or meta") {
  // "Публикация удалена" in windows-1251 and in KOI8-R.
  const std::string cp1251 = "\xcf\xf3\xe1\xeb\xe8\xea\xe0\xf6\xe8\xff\x20\xf3\xe4\xe0\xeb\xe5\xed\xe0";
  const std::string koi8 = "\xf0\xd5\xc2\xcc\xc9\xcb\xc1\xc3\xc9\xd1\x20\xd5\xc4\xc1\xcc\xc5\xce\xc1";
  auto by_header = Fetched(200, "<p>" + cp1251 + "</p>");
  by_header.headers = {{"Content-Type", "text/html; charset=windows-1251"}};
  CHECK(daemon::Observe(by_header, "posts.example", "alive", WithMarkers()) == "removed");
  auto by_meta = Fetched(200, "<meta charset=koi8-r><p>" + koi8 + "</p>");
  by_meta.headers = {{"Content-Type", "text/html"}};
  CHECK(daemon::Observe(by_meta, "posts.example", "alive", WithMarkers()) == "removed");
  // The same bytes read as another charset say something else.
  auto misread = Fetched(200, "<p>" + koi8 + "</p>");
  misread.headers = {{"Content-Type", "text/html; charset=windows-1251"}};
  CHECK(daemon::Observe(misread, "posts.example", "alive", WithMarkers()) == "alive");
  // A UTF-16 page with a byte-order mark.
  auto utf16 = Fetched(200, std::string("\xff\xfe<\0p\0>\0V\0i\0d\0e\0o\0 \0u\0n\0a\0v\0a\0i\0l\0a\0b\0l\0e\0", 42));
  CHECK(daemon::Observe(utf16, "video.example", "alive", WithMarkers()) == "removed");
}

TEST_CASE("a marker is folded and split into the pieces its HTML must hold once, when it is made") {
  const daemon::Marker m("This VIDEO  isn't\tavailable");
  CHECK(m.text() == "This VIDEO  isn't\tavailable");  // the reason names it as written
  CHECK(m.folded() == "this video isn't available");
  // Split at spaces and at characters an entity may stand for; longest first.
  CHECK(m.pieces() == std::vector<std::string>{"available", "video", "this", "isn", "t"});
  CHECK(daemon::Marker("\"Q&A\" <closed>").pieces() == std::vector<std::string>{"closed", "q", "a"});
  CHECK(daemon::Marker("ДОСТУП Ограничен").folded() == "доступ ограничен");
  // One piece: the raw search alone decides, the page is not parsed.
  CHECK(daemon::Marker("Gone").pieces().empty());
  CHECK(daemon::Marker("  gone ").pieces().empty());

  // A policy copied (the daemon's config is) keeps the forms.
  StatusPolicy copy = WithMarkers();
  const StatusPolicy p = copy;
  copy.markers.clear();
  REQUIRE(p.markers.size() == 3);
  CHECK(p.markers[0].removed[1].folded() == "this video isn't available anymore");
  CHECK(daemon::Observe(Fetched(200, "<p>This video isn&#39;t <i>available</i> anymore</p>"), "www.video.example",
                        "alive", p) == "removed");
}

TEST_CASE("304 Not Modified observes what the last check observed of that page") {
  auto f = Fetched(304, "");
  f.not_modified = true;
  CHECK(daemon::Observe(f, "a.org", "alive", {}) == "alive");
  CHECK(daemon::Observe(f, "a.org", "removed", {}) == "removed");  // a "video unavailable" page
  CHECK(daemon::Observe(f, "a.org", "pending", {}) == "alive");

  // The last observation is the one still waiting for confirmation, if any.
  LinkState s;
  s.status = "removed";
  CHECK(daemon::LastObserved(s) == "removed");
  s.candidate_status = "alive";
  s.candidate_count = 1;
  CHECK(daemon::LastObserved(s) == "alive");
}

TEST_CASE("a fetch is conditional only when the latest check saw the page") {
  LinkState s;
  s.status = "alive";
  CHECK(daemon::MayRevalidate(s, 200));
  CHECK(daemon::MayRevalidate(s, 304));
  CHECK(daemon::MayRevalidate(s, 204));
  CHECK_FALSE(daemon::MayRevalidate(s, std::nullopt));  // a network error
  for (int code : {404, 410, 451, 403, 500, 503, 429, 301}) {
    CAPTURE(code);
    CHECK_FALSE(daemon::MayRevalidate(s, code));
  }
  // A 200 page marked "removed" (video unavailable) may be revalidated: a 304 means the same page.
  s.status = "removed";
  CHECK(daemon::MayRevalidate(s, 200));
  // Headers of a 200, then a reset mid-body: the page was not seen.
  s.status = "alive";
  s.candidate_status = "unreachable";
  s.candidate_count = 1;
  CHECK_FALSE(daemon::MayRevalidate(s, 200));
  // Never checked.
  CHECK_FALSE(daemon::MayRevalidate(LinkState{}, 200));
}

TEST_CASE("a pending link takes its first observation at once") {
  std::mt19937_64 rng(1);
  const auto t = daemon::Advance(LinkState{}, "removed", 10 * kHour, 10 * kHour, {}, rng);
  CHECK(t.changed);
  CHECK(t.state.status == "removed");
  CHECK(t.state.removed_since == 10 * kHour);
}

TEST_CASE("one flaky fetch does not flip a link, two agreeing checks do") {
  StatusPolicy p;  // confirm_removed = 2, confirm_unreachable = 2
  std::mt19937_64 rng(7);
  LinkState alive;
  alive.status = "alive";
  const auto first = daemon::Advance(alive, "removed", 1 * kHour, 1 * kHour, p, rng);
  CHECK_FALSE(first.changed);
  CHECK(first.state.status == "alive");
  CHECK(first.state.candidate_status == "removed");
  CHECK(first.state.candidate_count == 1);
  // While a change waits for confirmation, the next check comes soon.
  CHECK(first.next_check_at - 1 * kHour <= (p.confirm_interval_s * 1000) * 11 / 10);

  SECTION("a different observation resets the streak") {
    const auto back = daemon::Advance(first.state, "alive", 2 * kHour, 2 * kHour, p, rng);
    CHECK_FALSE(back.changed);
    CHECK(back.state.candidate_status.empty());
    const auto again = daemon::Advance(back.state, "removed", 3 * kHour, 3 * kHour, p, rng);
    CHECK_FALSE(again.changed);
  }
  SECTION("the second agreeing check confirms, dated from the first") {
    const auto second = daemon::Advance(first.state, "removed", 2 * kHour, 1 * kHour, p, rng);
    CHECK(second.changed);
    CHECK(second.state.status == "removed");
    CHECK(second.state.removed_since == 1 * kHour);
    CHECK(second.state.candidate_status.empty());
    SECTION("reappearing is recorded with its time") {
      const auto up = daemon::Advance(second.state, "alive", 30 * kHour, 30 * kHour, p, rng);
      CHECK(up.changed);
      CHECK(up.state.reappeared_at == 30 * kHour);
      CHECK_FALSE(up.state.removed_since.has_value());
    }
  }
}

TEST_CASE("removed and unreachable links back off up to a cap, alive ones do not") {
  StatusPolicy p;
  p.jitter = 0;
  LinkState s;
  s.status = "removed";
  std::vector<int64_t> removed;
  for (int step = 0; step < 6; ++step) {
    s.backoff_step = step;
    removed.push_back(daemon::BaseIntervalSeconds(s, p));
  }
  const int64_t day = 24 * 3600;
  CHECK(removed == std::vector<int64_t>{day, 2 * day, 4 * day, 8 * day, 14 * day, 14 * day});
  s.status = "unreachable";
  s.backoff_step = 0;
  CHECK(daemon::BaseIntervalSeconds(s, p) == 3600);
  s.backoff_step = 10;
  CHECK(daemon::BaseIntervalSeconds(s, p) == day);
  s.status = "alive";
  CHECK(daemon::BaseIntervalSeconds(s, p) == 6 * 3600);
}

TEST_CASE("jitter spreads next checks within the configured fraction") {
  StatusPolicy p;
  p.jitter = 0.1;
  std::mt19937_64 rng(42);
  LinkState alive;
  alive.status = "alive";
  TimeMs lo = INT64_MAX, hi = 0;
  for (int i = 0; i < 500; ++i) {
    const auto t = daemon::Advance(alive, "alive", 0, 0, p, rng);
    lo = std::min(lo, t.next_check_at);
    hi = std::max(hi, t.next_check_at);
  }
  const TimeMs base = p.alive_interval_s * 1000;
  CHECK(lo >= base * 9 / 10);
  CHECK(hi <= base * 11 / 10);
  CHECK(hi - lo > base / 10);  // really spread, not constant
}
