// MayCarryCounters() against ExtractPage(): whenever the pre-filter says "no",
// extraction finds no counters (differential tables and mutated pages), and
// plain pages are told apart.
#include <catch2/catch.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "linkwatch/crawler/page.h"
#include "page_test_util.h"

using linkwatch::crawler::CounterKind;
using linkwatch::crawler::ExtractOptions;
using linkwatch::crawler::ExtractPage;
using linkwatch::crawler::MayCarryCounters;
using linkwatch::crawler::SiteCounterRule;
using linkwatch::crawler::testing::Utf16;

namespace {

constexpr char kUrl[] = "https://video.example/watch/1";
constexpr char kOtherUrl[] = "https://news.example/post/1";
constexpr char kHtml[] = "text/html; charset=utf-8";

std::string Doc(const std::string& head, const std::string& body) {
  return "<!doctype html><html><head><title>Post 7</title>" + head + "</head><body><h1>Post 7</h1>" +
         body + "<p>court order material <a href=\"/p/3.html\">see also</a></p></body></html>";
}

const std::string kJsonLd = R"(<script type="application/ld+json">{"@type": "VideoObject",
  "interactionStatistic": {"@type": "InteractionCounter",
  "interactionType": "https://schema.org/WatchAction", "userInteractionCount": 123}}</script>)";
const std::string kMicrodata =
    R"(<div itemprop="interactionStatistic" itemscope itemtype="https://schema.org/InteractionCounter">)"
    R"(<meta itemprop="interactionType" content="https://schema.org/WatchAction">)"
    R"(<meta itemprop="userInteractionCount" content="99"></div>)";
const std::string kMeta = R"(<meta name="interactionCount" content="42">)";
const std::string kSiteSpan = R"(<span class="view-count">123 views</span>)";
const std::string k1251Views = "<span class=\"view-count\">12 345 \xEF\xF0\xEE\xF1\xEC\xEE\xF2\xF0\xEE\xE2</span>";

ExtractOptions SiteRules() {
  ExtractOptions o;
  SiteCounterRule r;
  r.name = "video-views";
  r.hosts = {"*.video.example"};
  r.kind = CounterKind::kViews;
  r.element = "span";
  r.attribute = "class";
  r.value = "view-count";
  o.site_counters.push_back(r);
  return o;
}

ExtractOptions ShallowNesting() {
  ExtractOptions o;
  o.max_nesting_depth = 8;
  return o;
}

struct Row {
  const char* name;
  std::string body;
  std::string content_type = kHtml;
  std::string url = kUrl;
  ExtractOptions options = {};
  bool counters = false;                 // what ExtractPage finds (checked: the row means what it says)
  std::optional<bool> may = std::nullopt;  // the pre-filter's answer, where it is pinned
};

std::vector<Row> Rows() {
  std::string nested;
  for (int i = 0; i < 10; ++i) nested += "<div>";
  return {
      // Counters in each form the extraction reads: the pre-filter must say "maybe".
      {"json-ld", Doc(kJsonLd, ""), kHtml, kUrl, {}, true, true},
      {"json-ld old interactionCount", Doc(R"(<script type="application/ld+json">{"interactionCount": "UserPlays:55"}</script>)", ""), kHtml, kUrl, {}, true, true},
      {"json-ld key spelt with a JSON escape", Doc(R"(<script type="application/ld+json">{"\u0069nteractionCount": 7}</script>)", ""), kHtml, kUrl, {}, true, true},
      {"json-ld key with an upper-case escape", Doc(R"(<script type="application/ld+json">{"i\u006EteractionCount": 3}</script>)", ""), kHtml, kUrl, {}, true, true},
      {"json-ld in upper-case script tag", Doc(R"(<SCRIPT TYPE="APPLICATION/LD+JSON">{"interactionCount": 9}</SCRIPT>)", ""), kHtml, kUrl, {}, true, true},
      {"microdata statistic", Doc("", kMicrodata), kHtml, kUrl, {}, true, true},
      {"microdata interactionCount", Doc("", R"(<meta itemprop="interactionCount" content="UserPlays:12">)"), kHtml, kUrl, {}, true, true},
      {"meta", Doc(kMeta, ""), kHtml, kUrl, {}, true, true},
      {"meta in upper case", Doc(R"(<META NAME="INTERACTIONCOUNT" CONTENT="42">)", ""), kHtml, kUrl, {}, true, true},
      {"meta in mixed case", Doc(R"(<meta property="InterActionCount" content="42">)", ""), kHtml, kUrl, {}, true, true},
      {"decimal character reference", Doc("", R"(<meta itemprop="&#105;nteractionCount" content="5">)"), kHtml, kUrl, {}, true, true},
      {"hex character reference", Doc("", R"(<meta itemprop="&#x69;nteractionCount" content="5">)"), kHtml, kUrl, {}, true, true},
      {"reference with zeros and no ';'", Doc("", R"(<meta itemprop="&#X0000069nteractionCount" content="5">)"), kHtml, kUrl, {}, true, true},
      {"reference inside a meta name", Doc(R"(<meta name="inter&#97;ctionCount" content="42">)", ""), kHtml, kUrl, {}, true, true},
      {"utf-16le with a mark", "\xFF\xFE" + Utf16(u"<html><head><meta name=\"interactionCount\" content=\"42\"></head></html>", true), "text/html", kUrl, {}, true, true},
      {"utf-16be from the header", Utf16(u"<html><head><meta name=\"interactionCount\" content=\"42\"></head></html>", false), "text/html; charset=utf-16be", kUrl, {}, true, true},
      {"windows-1251 site rule", "<meta charset=windows-1251>" + Doc("", k1251Views), "text/html", kUrl, SiteRules(), true, true},
      {"windows-1251 meta", Doc(kMeta, "<p>\xCF\xF0\xE8\xE2\xE5\xF2</p>"), "text/html; charset=windows-1251", kUrl, {}, true, true},
      {"iso-2022-jp escape inside the marker", Doc("<meta name=\"inter\x1b(Baction\x1b(BCount\" content=\"42\">", ""), "text/html; charset=iso-2022-jp", kUrl, {}, true, true},
      {"html script inside svg", Doc("", R"(<svg><desc><script type="application/ld+json">{"interactionCount": 5}</script></desc></svg>)"), kHtml, kUrl, {}, true, true},
      {"nesting cap joins the marker", nested + R"(<meta itemprop= "a> interac<b>tionCount" content="5">)", kHtml, kUrl, ShallowNesting(), true, true},
      {"site rule on its host", Doc("", kSiteSpan), kHtml, "https://www.video.example/v/1", SiteRules(), true, true},
      {"site rule on the bare host", Doc("", kSiteSpan), kHtml, kUrl, SiteRules(), true, true},
      {"site rule on any host", Doc("", kSiteSpan), kHtml, kOtherUrl,
       [] { ExtractOptions o = SiteRules(); o.site_counters[0].hosts = {"*"}; return o; }(), true, true},
      // Pages without counters.
      {"plain page", Doc(R"(<meta charset="utf-8">)", "<p>public notice register</p>"), kHtml, kUrl, {}, false, false},
      {"plain page without a content type", Doc("", "<p>news</p>"), "", kUrl, {}, false, false},
      {"xhtml page", Doc("", "<p>news</p>"), "application/xhtml+xml", kUrl, {}, false, false},
      {"common references", Doc("", "<p>it&#8217;s &amp; &#39;quoted&#39; &nbsp;&#x2014; &#x1F600; &#0; &#;</p>"), kHtml, kUrl, {}, false, false},
      {"json-ld without counters", Doc(R"(<script type="application/ld+json">{"@type": "NewsArticle", "headline": "\u00e9t\u00e9"}</script>)", ""), kHtml, kUrl, {}, false, false},
      {"svg icon", Doc("", R"(<svg viewBox="0 0 8 8"><path d="M0 0h8v8z"/></svg>)"), kHtml, kUrl, {}, false, false},
      {"site rule span on another host", Doc("", kSiteSpan), kHtml, kOtherUrl, SiteRules(), false, false},
      {"site rule page without rules", Doc("", kSiteSpan), kHtml, kUrl, {}, false, false},
      {"windows-1251 plain page", "<meta charset=windows-1251>" + Doc("", k1251Views), "text/html", kUrl, {}, false, false},
      {"utf-16le plain page", "\xFF\xFE" + Utf16(u"<html><body><p>Привет</p></body></html>", true), "text/html", kUrl, {}, false, false},
      {"overlong utf-8 is no letter", Doc("", "<meta itemprop=\"\xC1\xA9nteractionCount\" content=\"5\"> \xFF"), kHtml, kUrl, {}, false, false},
      {"deep but plain page", nested + nested + "<p>news</p>", kHtml, kUrl, ShallowNesting(), false, false},
      {"counters in a text/plain body", kMeta + kJsonLd, "text/plain", kUrl, {}, false, false},
      {"counters in an image", Doc(kMeta, kJsonLd), "image/png", kUrl, SiteRules(), false, false},
      // "maybe" without counters: the safe direction.
      {"the word in prose", Doc("", "<p>User Interaction design</p>"), kHtml, kUrl, {}, false, true},
      {"the word in lower-case prose", Doc("", "<p>user interaction design</p>"), kHtml, kUrl, {}, false, true},
      {"a letter reference in text", Doc("", "<p>&#65;BC</p>"), kHtml, kUrl, {}, false, true},
      // Scripts in SVG and MathML are not read today; were they, text split by
      // comments or elements would join there, so the pre-filter says "maybe".
      {"svg script joined across a comment", Doc("", R"(<svg><script type="application/ld+json">{"inter<!---->actionCount": 5}</script></svg>)"), kHtml, kUrl, {}, false, true},
      {"math script joined across an element", Doc("", R"(<math><script type="application/ld+json">{"i<mi/>nteractionCount": 5}</script></math>)"), kHtml, kUrl, {}, false, true},
      {"nul byte", Doc("", std::string("<meta itemprop=\"inter") + '\0' + "actionCount\" content=\"5\">"), kHtml, kUrl, {}, false, true},
  };
}

bool HasCounters(const Row& row) {
  return !ExtractPage(row.body, row.content_type, row.url, row.options).counters.empty();
}

}  // namespace

TEST_CASE("the counter pre-filter says no only for pages without counters") {
  for (const Row& row : Rows()) {
    INFO(row.name);
    const bool may = MayCarryCounters(row.body, row.content_type, row.url, row.options);
    CHECK(HasCounters(row) == row.counters);
    if (!may) CHECK_FALSE(HasCounters(row));
    if (row.may) CHECK(may == *row.may);
  }
}

TEST_CASE("the counter pre-filter stays safe on mutated pages") {
  // Splits, escapes, case flips and cut bytes around the markers; whatever
  // they do to the counters, a "no" must mean none.
  const std::vector<std::string> inserts = {"<!---->", "<b>",     "</b>",  "&#105;", "&#x6E;", "\\u0074",
                                            std::string(1, '\0'), "<svg>", "</svg>", "\r",     "&amp;",
                                            "<![CDATA[x]]>",     "\"",    " ",      "<math>", "\xFF"};
  std::mt19937 rng(20261201);
  int said_no = 0;
  for (const Row& base : Rows()) {
    for (int round = 0; round < 150; ++round) {
      Row row = base;
      for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0 && !row.body.empty(); --edits) {
        const size_t at = rng() % row.body.size();
        switch (rng() % 3) {
          case 0: row.body.insert(at, inserts[rng() % inserts.size()]); break;
          case 1: row.body.erase(at, 1 + rng() % 4); break;
          default: row.body[at] = static_cast<char>(row.body[at] ^ 0x20); break;
        }
      }
      const bool may = MayCarryCounters(row.body, row.content_type, row.url, row.options);
      if (may) continue;
      ++said_no;
      INFO(base.name << " mutated: " << row.body);
      CHECK_FALSE(HasCounters(row));
    }
  }
  CHECK(said_no > 0);
}
