#include "linkwatch/crawler/counters.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "charset.h"  // white-box: crawler/src, for IsValidUtf8
#include "counters_jsonld.h"
#include "linkwatch/crawler/page.h"

using linkwatch::crawler::BestCount;
using linkwatch::crawler::Counter;
using linkwatch::crawler::CounterKind;
using linkwatch::crawler::CounterKindName;
using linkwatch::crawler::ExtractOptions;
using linkwatch::crawler::ExtractPage;
using linkwatch::crawler::Page;
using linkwatch::crawler::ParseCount;
using linkwatch::crawler::ParseCounterKind;
using linkwatch::crawler::SiteCounterRule;

namespace {

constexpr auto kViews = CounterKind::kViews;
constexpr auto kShares = CounterKind::kShares;
constexpr auto kLikes = CounterKind::kLikes;
constexpr auto kComments = CounterKind::kComments;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(LINKWATCH_SOURCE_DIR) + "/tests/crawler/pages/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Page Extract(std::string_view body, std::string_view url = "https://example.org/",
             const ExtractOptions& options = {}) {
  return ExtractPage(body, "text/html; charset=utf-8", url, options);
}

// A counter as the tests compare it.
struct Seen {
  CounterKind kind;
  std::optional<int64_t> value;
  std::string source;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> SeenOf(const Page& page) {
  std::vector<Seen> seen;
  for (const Counter& c : page.counters) seen.push_back({c.kind, c.value, c.source});
  return seen;
}

std::string Describe(const std::vector<Seen>& seen) {
  std::string out;
  for (const Seen& s : seen) {
    out += std::string(CounterKindName(s.kind)) + "=" + (s.value ? std::to_string(*s.value) : "?") +
           "@" + s.source + " ";
  }
  return out;
}

SiteCounterRule Rule(std::string name, std::vector<std::string> hosts, CounterKind kind,
                     std::string element, std::string attribute, std::string value,
                     std::string read = "") {
  SiteCounterRule r;
  r.name = std::move(name);
  r.hosts = std::move(hosts);
  r.kind = kind;
  r.element = std::move(element);
  r.attribute = std::move(attribute);
  r.value = std::move(value);
  r.read = std::move(read);
  return r;
}

// The rules of conf/counters/example.toml, read as the daemon's config loader
// would (the loader is not linked here), so the example stays true.
ExtractOptions ExampleRules() {
  const toml::table file = toml::parse_file(std::string(LINKWATCH_SOURCE_DIR) + "/conf/counters/example.toml");
  ExtractOptions options;
  const toml::array* counters = file["counter"].as_array();
  REQUIRE(counters);
  for (const toml::node& node : *counters) {
    const toml::table& t = *node.as_table();
    SiteCounterRule r;
    r.name = t["name"].value_or(std::string());
    r.hosts.clear();
    for (const toml::node& host : *t["hosts"].as_array()) r.hosts.push_back(host.value_or(std::string()));
    const std::optional<CounterKind> kind = ParseCounterKind(t["counter"].value_or(std::string()));
    REQUIRE(kind);
    r.kind = *kind;
    r.element = t["element"].value_or(std::string());
    r.attribute = t["attribute"].value_or(std::string());
    r.value = t["value"].value_or(std::string());
    r.read = t["read"].value_or(std::string());
    options.site_counters.push_back(std::move(r));
  }
  return options;
}

std::string JsonLdPage(const std::string& json) {
  return "<html><head><script type=\"application/ld+json\">" + json +
         "</script></head><body>x</body></html>";
}

}  // namespace

TEST_CASE("ParseCount reads the forms people write counts in") {
  struct Row {
    const char* text;
    int64_t value;
  };
  const Row rows[] = {
      {"0", 0},
      {"7", 7},
      {"12345", 12345},
      {"12,345", 12345},
      {"12.345", 12345},
      {"12 345", 12345},
      {"12\u00a0345", 12345},        // NBSP
      {"12\u202f345", 12345},        // narrow NBSP
      {"12\u2009345", 12345},        // thin space
      {"1,234,567", 1234567},
      {"1.234.567", 1234567},
      {"1 234 567 views", 1234567},
      {"12 345 просмотров", 12345},
      {"12\u00a0345 просмотров", 12345},
      {"12 345 қаралым", 12345},
      {"Просмотров: 12 345", 12345},
      {"Viewed 1,234 times", 1234},
      {"1.2K", 1200},
      {"1.2k", 1200},
      {"12K", 12000},
      {"1.25K views", 1250},
      {"3M", 3000000},
      {"3m", 3000000},
      {"2.5M", 2500000},
      {"1.2B", 1200000000},
      {"1.2 bn", 1200000000},
      {"4 million", 4000000},
      {"1,2 тыс.", 1200},
      {"1,2 ТЫС.", 1200},
      {"15 тыс. просмотров", 15000},
      {"1,2к", 1200},
      {"3 млн", 3000000},
      {"3,4 млн просмотров", 3400000},
      {"2 млрд", 2000000000},
      {"1,5 мың", 1500},
      {"1,5 МЫҢ", 1500},
      {"2 мың қаралым", 2000},
      {"1.234K", 1234000},           // a separator before three digits groups thousands
      {"1 234,5 тыс.", 1234500},     // grouping and a decimal of another kind
      {"1,234.5K", 1234500},
      {"1.2345K", 1234},             // rounded down
      {"1K+", 1000},
      {"  42  ", 42},
      {"views: 9", 9},
      {"9223372036854775807", INT64_MAX},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    CHECK(ParseCount(row.text) == std::optional<int64_t>(row.value));
  }
}

TEST_CASE("ParseCount gives no value for what it cannot read unambiguously") {
  const char* rows[] = {
      "",
      "   ",
      "views",
      "\u2014",                  // an em dash for "no data"
      "n/a",
      "1,2",                     // a decimal without a multiplier
      "1.5",
      "1,2345",
      "12 345,67",
      "12..3",
      "1.2.3K",
      "1,2,3",
      "1,234.567",               // two grouping kinds
      "1,234,5K",                // the decimal of the grouping kind
      "1234,567",                // a first group of four digits
      "12 34",                   // two numbers
      "12 of 30",
      "1.2K (1,234)",
      "-5",
      "\u22125",                 // minus sign
      ".5K",
      "99999999999999999999",
      "9223372036854775808",
      "9999999999999999K",
      "12:30",
  };
  for (const char* text : rows) {
    CAPTURE(text);
    CHECK_FALSE(ParseCount(text).has_value());
  }
}

TEST_CASE("counter kinds have names and read back from them") {
  for (const CounterKind kind : {kViews, kShares, kLikes, kComments}) {
    CHECK(ParseCounterKind(CounterKindName(kind)) == kind);
  }
  CHECK(std::string(CounterKindName(kShares)) == "shares");
  CHECK_FALSE(ParseCounterKind("Views").has_value());
  CHECK_FALSE(ParseCounterKind("").has_value());
  CHECK_FALSE(ParseCounterKind("view").has_value());
}

TEST_CASE("BestCount prefers json-ld, then microdata, meta, site, skipping unreadable ones") {
  const std::vector<Counter> counters = {
      {kViews, 4, "4", "site:a"},
      {kViews, 3, "3", "meta"},
      {kViews, std::nullopt, "?", "json-ld"},
      {kViews, 2, "2", "microdata"},
      {kViews, 22, "22", "microdata"},
      {kLikes, 5, "5", "site:b"},
      {kShares, std::nullopt, "—", "json-ld"},
  };
  CHECK(BestCount(counters, kViews) == 2);
  CHECK(BestCount(counters, kLikes) == 5);
  CHECK_FALSE(BestCount(counters, kShares).has_value());
  CHECK_FALSE(BestCount(counters, kComments).has_value());
  CHECK_FALSE(BestCount({}, kViews).has_value());
  const std::vector<Counter> json_ld = {{kViews, 9, "9", "site:a"}, {kViews, 8, "8", "json-ld"}};
  CHECK(BestCount(json_ld, kViews) == 8);
}

TEST_CASE("a video page's JSON-LD graph gives its statistics") {
  const Page page = Extract(Fixture("video.html"), "https://www.video.example/watch?v=abc", ExampleRules());
  const std::vector<Seen> expected = {
      {kViews, 123456, "json-ld"},
      {kLikes, 1234, "json-ld"},
      {kShares, 1200, "json-ld"},
      {kViews, 123000, "site:video-views"},
  };
  CAPTURE(Describe(SeenOf(page)));
  CHECK(SeenOf(page) == expected);
  CHECK(BestCount(page.counters, kViews) == 123456);
  REQUIRE(page.counters.size() == 4);
  CHECK(page.counters[0].raw == "123456");
  CHECK(page.counters[2].raw == "1.2K");
  CHECK(page.counters[3].raw == "123K views");
  // The rest of the extraction is unchanged.
  CHECK(page.title == "Crimson river at dawn - Video Example");
}

TEST_CASE("a channel page's microdata statistics are read from content, href, itemtype and text") {
  const Page page = Extract(Fixture("channel.html"));
  const std::vector<Seen> expected = {
      {kViews, 9876543, "microdata"},
      {kLikes, 12345, "microdata"},
      {kShares, 3000000, "microdata"},
      {kComments, std::nullopt, "microdata"},  // FollowAction is left out
  };
  CAPTURE(Describe(SeenOf(page)));
  CHECK(SeenOf(page) == expected);
  REQUIRE(page.counters.size() == 4);
  CHECK(page.counters[1].raw == "12\u00a0345");
  CHECK(page.counters[2].raw == "3 млн");
  CHECK(page.counters[3].raw == "n/a");
}

TEST_CASE("site rules read a social post's counters, only on their hosts") {
  const std::string html = Fixture("social.html");
  const Page page = Extract(html, "https://social.example/post/42", ExampleRules());
  const std::vector<Seen> expected = {
      {kViews, 12345, "site:post-views"},
      {kLikes, 1200, "site:post-likes"},       // the post's, not the comment's "7"
      {kShares, 3000000, "site:post-shares"},  // from aria-label
      {kComments, std::nullopt, "site:post-comments"},
  };
  CAPTURE(Describe(SeenOf(page)));
  CHECK(SeenOf(page) == expected);
  REQUIRE(page.counters.size() == 4);
  CHECK(page.counters[1].raw == "1,2 тыс.");
  CHECK(page.counters[2].raw == "Поделились: 3 млн");
  CHECK(page.counters[3].raw == "\u2014");

  CHECK(Extract(html, "https://www.social.example/post/42", ExampleRules()).counters.empty());
  CHECK(Extract(html, "https://other.example/post/42", ExampleRules()).counters.empty());
  CHECK(Extract(html, "https://social.example/post/42").counters.empty());
}

TEST_CASE("site rules match tags, attributes and class tokens as written") {
  struct Row {
    const char* html;
    SiteCounterRule rule;
    std::optional<int64_t> value;  // nullopt with found: unreadable
    bool found;
  };
  const Row rows[] = {
      {"<span class='a views b'>5</span>", Rule("r", {"*"}, kViews, "span", "class", "views"), 5, true},
      {"<span class='a viewsx'>5</span>", Rule("r", {"*"}, kViews, "span", "class", "views"), {}, false},
      {"<div class='views'>5</div>", Rule("r", {"*"}, kViews, "span", "class", "views"), {}, false},
      {"<DIV Class='views'>6</DIV>", Rule("r", {"*"}, kViews, "div", "class", "views"), 6, true},
      {"<b id='v'>7</b>", Rule("r", {"*"}, kViews, "", "id", "v"), 7, true},
      {"<b id='v2'>7</b>", Rule("r", {"*"}, kViews, "", "id", "v"), {}, false},
      {"<b data-x='a b'>8</b>", Rule("r", {"*"}, kViews, "b", "data-x", "a b"), 8, true},
      {"<b data-x='a b'>8</b>", Rule("r", {"*"}, kViews, "b", "data-x", "a"), {}, false},
      {"<meta itemprop='views' content='9'>", Rule("r", {"*"}, kViews, "meta", "itemprop", "views", "content"), 9, true},
      {"<a title='10 views' class='c'>x</a>", Rule("r", {"*"}, kViews, "a", "class", "c", "title"), 10, true},
      {"<a class='c'>x</a>", Rule("r", {"*"}, kViews, "a", "class", "c", "title"), {}, true},
      {"<yt-count class='n'>1.1K</yt-count>", Rule("r", {"*"}, kViews, "yt-count", "class", "n"), 1100, true},
      {"<yt-other class='n'>1.1K</yt-other>", Rule("r", {"*"}, kViews, "yt-count", "class", "n"), {}, false},
      {"<img class='n' alt='3'>", Rule("r", {"*"}, kViews, "img", "class", "n"), {}, true},
      {"<span class='n'>1<b>2</b> <i>345</i></span>", Rule("r", {"*"}, kViews, "span", "class", "n"), 12345, true},
      {"<span class='n'>5</span>", Rule("r", {"*.example.org"}, kViews, "span", "class", "n"), 5, true},
      {"<span class='n'>5</span>", Rule("r", {"elsewhere.org", "example.org"}, kViews, "span", "class", "n"), 5, true},
      {"<span class='n'>5</span>", Rule("r", {"elsewhere.org"}, kViews, "span", "class", "n"), {}, false},
  };
  for (const Row& row : rows) {
    CAPTURE(row.html);
    ExtractOptions options;
    options.site_counters = {row.rule};
    const Page page = Extract(row.html, "https://example.org/", options);
    REQUIRE(page.counters.size() == (row.found ? 1u : 0u));
    if (row.found) {
      CHECK(page.counters[0].source == "site:r");
      CHECK(page.counters[0].value == row.value);
    }
  }
}

TEST_CASE("broken JSON-LD is ignored and the page still extracts") {
  const Page page = Extract(Fixture("broken-jsonld.html"));
  const std::vector<Seen> expected = {{kViews, 42, "json-ld"}};
  CAPTURE(Describe(SeenOf(page)));
  CHECK(SeenOf(page) == expected);
  CHECK(page.text == "The page itself is fine.");
}

TEST_CASE("old-style interactionCount is read from meta, microdata and JSON-LD") {
  const Page page = Extract(Fixture("old-interaction.html"));
  const std::vector<Seen> expected = {
      {kComments, 3, "meta"},
      {kViews, 777, "json-ld"},
      {kViews, 55, "json-ld"},
      {kViews, 12345, "microdata"},
      {kLikes, 5, "microdata"},  // UserBlocks is no counter
      {kViews, 1200, "microdata"},
  };
  CAPTURE(Describe(SeenOf(page)));
  CHECK(SeenOf(page) == expected);
  CHECK(BestCount(page.counters, kViews) == 777);
  CHECK(BestCount(page.counters, kComments) == 3);
  REQUIRE(page.counters.size() == 6);
  CHECK(page.counters[3].raw == "UserPlays:12345");
}

TEST_CASE("JSON-LD interaction types and counts take every documented shape") {
  struct Row {
    const char* statistic;
    std::optional<CounterKind> kind;  // nullopt: no counter
    std::optional<int64_t> value;
  };
  const Row rows[] = {
      {R"({"interactionType": "https://schema.org/WatchAction", "userInteractionCount": 1})", kViews, 1},
      {R"({"interactionType": "http://schema.org/WatchAction", "userInteractionCount": 2})", kViews, 2},
      {R"({"interactionType": "WatchAction", "userInteractionCount": 3})", kViews, 3},
      {R"({"interactionType": {"@type": "WatchAction"}, "userInteractionCount": 4})", kViews, 4},
      {R"({"interactionType": {"@id": "https://schema.org/LikeAction"}, "userInteractionCount": 5})", kLikes, 5},
      {R"({"interactionType": "schema:ShareAction", "userInteractionCount": 6})", kShares, 6},
      {R"({"interactionType": "ViewAction", "userInteractionCount": "7"})", kViews, 7},
      {R"({"interactionType": "CommentAction", "userInteractionCount": "1,2 тыс."})", kComments, 1200},
      {R"({"interactionType": "LikeAction", "userInteractionCount": 8.0})", kLikes, 8},
      {R"({"interactionType": "LikeAction", "userInteractionCount": 8.5})", kLikes, std::nullopt},
      {R"({"interactionType": "LikeAction", "userInteractionCount": -1})", kLikes, std::nullopt},
      {R"({"interactionType": "LikeAction", "userInteractionCount": "lots"})", kLikes, std::nullopt},
      {R"({"interactionType": "LikeAction", "userInteractionCount": null})", kLikes, std::nullopt},
      {R"({"interactionType": "LikeAction"})", kLikes, std::nullopt},
      {R"({"interactionType": ["Thing", "LikeAction"], "userInteractionCount": 9})", kLikes, 9},
      {R"({"interactionType": "FollowAction", "userInteractionCount": 10})", std::nullopt, std::nullopt},
      {R"({"userInteractionCount": 11})", std::nullopt, std::nullopt},
      {R"({"interactionType": 12, "userInteractionCount": 12})", std::nullopt, std::nullopt},
  };
  for (const Row& row : rows) {
    CAPTURE(row.statistic);
    // As one object, and as an array of one, inside a list of objects.
    for (const std::string& json :
         {std::string(R"({"@type": "VideoObject", "interactionStatistic": )") + row.statistic + "}",
          std::string(R"([{"@type": "Thing"}, {"interactionStatistic": [)") + row.statistic + "]}]"}) {
      const Page page = Extract(JsonLdPage(json));
      REQUIRE(page.counters.size() == (row.kind ? 1u : 0u));
      if (!row.kind) continue;
      CHECK(page.counters[0].kind == *row.kind);
      CHECK(page.counters[0].value == row.value);
      CHECK(page.counters[0].source == "json-ld");
    }
  }
}

TEST_CASE("JSON-LD over the size or depth limit is skipped unparsed") {
  const std::string statistic = R"({"interactionStatistic": {"interactionType": "WatchAction", "userInteractionCount": 5}})";
  CHECK(Extract(JsonLdPage(statistic)).counters.size() == 1);

  std::string big = R"({"pad": ")" + std::string(linkwatch::crawler::kMaxJsonLdBytes, 'x') + R"(", "s": )" +
                    statistic + "}";
  CHECK(Extract(JsonLdPage(big)).counters.empty());

  // The statistic itself nests two deep.
  const size_t depth = linkwatch::crawler::kMaxJsonLdDepth;
  const std::string deep = std::string(depth - 1, '[') + statistic + std::string(depth - 1, ']');
  CHECK(Extract(JsonLdPage(deep)).counters.empty());
  const std::string shallow = std::string(depth - 2, '[') + statistic + std::string(depth - 2, ']');
  CHECK(Extract(JsonLdPage(shallow)).counters.size() == 1);
  // A hostile depth within the size limit neither crashes nor is parsed.
  const std::string hostile = std::string(500000, '[') + std::string(500000, ']');
  CHECK(Extract(JsonLdPage(hostile)).counters.empty());

  using linkwatch::crawler::JsonDepthWithin;
  CHECK(JsonDepthWithin(R"({"a": "[[[[[["})", 1));
  CHECK(JsonDepthWithin(R"({"a": "\"[[[["})", 1));
  CHECK_FALSE(JsonDepthWithin(R"({"a": [[]]})", 2));
  CHECK(JsonDepthWithin(R"({"a": [[]]})", 3));
}

TEST_CASE("a page keeps at most 64 counters, each raw at most 200 bytes of valid UTF-8") {
  std::string html = "<html><body>";
  for (int i = 0; i < 100; ++i) {
    html += "<meta itemprop='interactionCount' content='UserPlays:" + std::to_string(i) + "'>";
  }
  const std::string cyrillic = [] {
    std::string s;
    for (int i = 0; i < 150; ++i) s += "ж";
    return s;
  }();
  const Page many = Extract(html);
  REQUIRE(many.counters.size() == linkwatch::crawler::kMaxCountersPerPage);
  CHECK(many.counters.back().value == 63);

  ExtractOptions options;
  options.site_counters = {Rule("long", {"*"}, kViews, "p", "class", "n")};
  const Page page = Extract("<p class=n>" + cyrillic + " 5 " + cyrillic + "</p>", "https://x.example/", options);
  REQUIRE(page.counters.size() == 1);
  CHECK(page.counters[0].raw.size() <= linkwatch::crawler::kMaxCounterRawBytes);
  CHECK(page.counters[0].raw.size() >= linkwatch::crawler::kMaxCounterRawBytes - 1);
  CHECK(linkwatch::crawler::IsValidUtf8(page.counters[0].raw));
  CHECK(page.counters[0].value == 5);  // read from the whole text, not the cut raw

  // A whole page region is no count, even with one number in it.
  const Page region = Extract("<p class=n>5 " + std::string(2000, 'y') + "</p>", "https://x.example/", options);
  REQUIRE(region.counters.size() == 1);
  CHECK_FALSE(region.counters[0].value.has_value());
}
