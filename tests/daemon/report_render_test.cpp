// The weekly report rendered from hand-built figures, in each format; the
// [report] schedule's next run; GET /v1/report's parameters.
#include <catch2/catch.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "linkwatch/base/iso_week.h"
#include "linkwatch/daemon/report_writer.h"
#include "report_render.h"
#include "report_request.h"
#include "test_support.h"

using namespace linkwatch;
using daemon::ReportFormat;
using nlohmann::json;

namespace {

constexpr char kNastyUrl[] = "https://bad.example/<script>alert(\"x\")</script>?a=1&b=2,3";

TimeMs At(const char* iso) { return ParseIso8601(iso).value(); }

storage::ReportData SampleReport() {
  storage::ReportData d;
  const IsoWeek week = ParseIsoWeek("2026-W47").value();
  d.query.week_start = week.start;
  d.query.week_end = week.end;
  d.query.week_label = "2026-W47";
  d.query.history_weeks = 3;
  d.generated_at = At("2026-11-23T06:00:00Z");
  d.registered_this_week = 12;
  d.registered_total = 340;
  d.registered_by_agency = {{"Police North", 8}, {"Prosecutor, \"East\"", 4}};
  d.registered_by_category = {{"extremist", 9}, {"terrorist", 3}};
  d.duplicates_this_week = 5;
  d.duplicates_by_agency = {{"Police North", 5}};
  d.status_now = {{"alive", 200}, {"removed", 100}, {"blocked", 25}, {"unreachable", 10}, {"pending", 5}};
  d.newly_removed = 7;
  d.newly_blocked = 2;
  d.reappeared = 1;
  d.transitions_by_host = {{"video.example", 5, 1, 1}, {"social.example", 2, 1, 0}};
  d.status_history = {
      {"2026-W45", week.start - 2 * kWeekMs + kWeekMs, {{"alive", 190}, {"removed", 90}, {"pending", 40}}},
      {"2026-W46", week.start, {{"alive", 195}, {"removed", 95}, {"blocked", 23}}},
      {"2026-W47", week.end, d.status_now}};
  d.removal_this_week = {7, 30.5, 96.0};
  d.removal_last_weeks = {20, 41.25, 170.0};
  d.removal_by_host = {{"video.example", {5, 20.0, 30.0}, {14, 36.0, 120.0}}};
  d.removal_hours_last_weeks = {1, 2, 7, 13, 25, 30, 49, 80, 200, 700};
  d.views_alive = 123456;
  d.alive_with_views = 7;
  d.views_growth = 789;
  d.top_viewed = {{42, kNastyUrl, "bad.example", "alive", 100000, 500},
                  {43, "https://video.example/watch?v=1", "video.example", "alive", 20000, std::nullopt}};
  d.largest_clusters = {{9, 6, 110000, "https://video.example/watch?v=1"}};
  d.views_history = {{"2026-W45", 120000}, {"2026-W46", 122667}, {"2026-W47", 123456}};
  d.discovered = 11;
  d.accepted = 4;
  d.rejected = 3;
  d.pending = 6;
  return d;
}

// RFC 4180 records, for reading the CSV back.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// The CSV value at (section, key, subkey), or "<absent>".
std::string CsvValue(const std::vector<std::vector<std::string>>& rows, const std::string& section,
                     const std::string& key, const std::string& subkey = "") {
  for (const auto& r : rows) {
    if (r.size() == 4 && r[0] == section && r[1] == key && r[2] == subkey) return r[3];
  }
  return "<absent>";
}

}  // namespace

TEST_CASE("the JSON report has every key the issue names, with the figures") {
  const json j = json::parse(daemon::RenderReport(SampleReport(), ReportFormat::kJson));
  CHECK(j["week"] == "2026-W47");
  CHECK(j["week_start"] == "2026-11-16T00:00:00.000Z");
  CHECK(j["registered"]["this_week"] == 12);
  CHECK(j["registered"]["total"] == 340);
  CHECK(j["registered"]["by_agency"][0] == json{{"agency", "Police North"}, {"count", 8}});
  CHECK(j["registered"]["by_category"][1] == json{{"category", "terrorist"}, {"count", 3}});
  CHECK(j["duplicates"]["this_week"] == 5);
  CHECK(j["duplicates"]["by_agency"][0]["count"] == 5);
  CHECK(j["status_now"] ==
        json{{"alive", 200}, {"removed", 100}, {"blocked", 25}, {"unreachable", 10}, {"pending", 5}});
  CHECK(j["transitions"]["removed"] == 7);
  CHECK(j["transitions"]["blocked"] == 2);
  CHECK(j["transitions"]["reappeared"] == 1);
  CHECK(j["transitions"]["by_host"][0]["host"] == "video.example");
  CHECK(j["status_history"].size() == 3);
  CHECK(j["status_history"][0]["by_status"]["blocked"] == 0);  // absent statuses are 0
  CHECK(j["time_to_removal"]["median_hours"] == 30.5);
  CHECK(j["time_to_removal"]["p90_hours"] == 96.0);
  CHECK(j["time_to_removal"]["last_weeks"]["median_hours"] == 41.25);
  // {1, 2, 7, 13, 25, 30, 49, 80, 200, 700} by bin: the histogram, not every link's hours.
  const json& bins = j["time_to_removal"]["distribution"];
  REQUIRE(bins.size() == 9);
  CHECK(bins[0] == json{{"from_hours", 0.0}, {"to_hours", 6.0}, {"label", "< 6 h"}, {"links", 2}});
  CHECK(bins[3]["links"] == 2);  // 1–2 d: 25, 30
  CHECK(bins[7]["links"] == 0);  // 2–4 w
  CHECK(bins[8] == json{{"from_hours", 672.0}, {"to_hours", nullptr}, {"label", "≥ 4 w"}, {"links", 1}});
  CHECK_FALSE(j["time_to_removal"].contains("hours_last_weeks"));
  CHECK(j["reach"]["views_alive"] == 123456);
  CHECK(j["reach"]["alive_with_views"] == 7);
  CHECK(j["reach"]["views_growth"] == 789);
  CHECK(j["reach"]["top_viewed"][0]["url"] == kNastyUrl);
  CHECK(j["reach"]["top_viewed"][1]["growth"].is_null());
  CHECK(j["reach"]["largest_clusters"][0]["members"] == 6);
  CHECK(j["reach"]["views_history"][2] == json{{"week", "2026-W47"}, {"views", 123456}});
  CHECK(j["discovery"] == json{{"discovered", 11}, {"accepted", 4}, {"rejected", 3}, {"pending", 6}});
  CHECK(j["filters"]["agency"].is_null());
}

TEST_CASE("an empty report still renders in every format") {
  storage::ReportData empty;
  empty.query.week_label = "2026-W47";
  for (auto f : {ReportFormat::kMarkdown, ReportFormat::kCsv, ReportFormat::kJson, ReportFormat::kHtml}) {
    CAPTURE(daemon::ReportFormatName(f));
    CHECK_FALSE(daemon::RenderReport(empty, f).empty());
  }
  const json j = json::parse(daemon::RenderJson(empty));
  CHECK(j["time_to_removal"]["median_hours"].is_null());
  CHECK(j["status_now"]["pending"] == 0);
  CHECK(daemon::RenderHtml(empty).find("no data") != std::string::npos);
}

TEST_CASE("the Markdown report has each section's figures") {
  const std::string md = daemon::RenderReport(SampleReport(), ReportFormat::kMarkdown);
  const char* expected[] = {
      "# linkwatch weekly report 2026-W47",
      "2026-11-16 to 2026-11-22 (UTC)",
      "| registered this week | 12 |",
      "| registered in total | 340 |",
      "| duplicate reports this week | 5 |",
      "| Police North | 8 |",
      "| Prosecutor, \"East\" | 4 |",
      "| extremist | 9 |",
      "| alive | 200 |",
      "| unreachable | 10 |",
      "| newly removed | 7 |",
      "| `video.example` | 5 | 1 | 1 |",
      "| 2026-W45 | 190 | 90 | 0 | 0 | 40 |",
      "| this week | 7 | 30.5 | 96.0 |",
      "| last 3 weeks | 20 | 41.2 | 170.0 |",
      "| views of links alive now | 123456 |",
      "| alive links that show a view count | 7 of 200 |",
      "| views gained this week | 789 |",
      "| 2 | 43 | `https://video.example/watch?v=1` | `video.example` | alive | 20000 | – |",
      "| 9 | 6 | 110000 | `https://video.example/watch?v=1` |",
      "| 2026-W46 | 122667 |",
      "| discovered this week | 11 |",
      "| pending review now | 6 |",
  };
  for (const char* line : expected) {
    CAPTURE(line);
    CHECK(md.find(line) != std::string::npos);
  }
  // A URL is a code span (never an autolink) and cannot break its table cell.
  CHECK(md.find("`https://bad.example/<script>") != std::string::npos);
  CHECK(md.find("](") == std::string::npos);
}

TEST_CASE("the CSV report is one long table that parses back") {
  const std::string csv = daemon::RenderReport(SampleReport(), ReportFormat::kCsv);
  CHECK(csv.rfind("section,key,subkey,value\r\n", 0) == 0);
  const auto rows = ParseCsv(csv);
  for (const auto& r : rows) REQUIRE(r.size() == 4);
  CHECK(CsvValue(rows, "report", "week") == "2026-W47");
  CHECK(CsvValue(rows, "registered", "this_week") == "12");
  CHECK(CsvValue(rows, "registered", "total") == "340");
  CHECK(CsvValue(rows, "registered_by_agency", "Prosecutor, \"East\"") == "4");
  CHECK(CsvValue(rows, "duplicates", "this_week") == "5");
  CHECK(CsvValue(rows, "status_now", "blocked") == "25");
  CHECK(CsvValue(rows, "transitions", "reappeared") == "1");
  CHECK(CsvValue(rows, "transitions_by_host", "social.example", "blocked") == "1");
  CHECK(CsvValue(rows, "status_history", "2026-W46", "blocked") == "23");
  CHECK(CsvValue(rows, "time_to_removal", "this_week", "median_hours") == "30.5");
  CHECK(CsvValue(rows, "time_to_removal", "last_weeks", "median_hours") == "41.25");
  CHECK(CsvValue(rows, "time_to_removal_by_host", "video.example", "last_weeks_links") == "14");
  CHECK(CsvValue(rows, "time_to_removal_distribution", "1–2 d") == "2");
  CHECK(CsvValue(rows, "time_to_removal_distribution", "≥ 4 w") == "1");
  CHECK(CsvValue(rows, "reach", "views_alive") == "123456");
  CHECK(CsvValue(rows, "reach", "alive_with_views") == "7");
  CHECK(CsvValue(rows, "top_viewed", "1", "url") == kNastyUrl);
  CHECK(CsvValue(rows, "top_viewed", "2", "growth").empty());
  CHECK(CsvValue(rows, "largest_clusters", "1", "reach") == "110000");
  CHECK(CsvValue(rows, "views_history", "2026-W45") == "120000");
  CHECK(CsvValue(rows, "discovery", "rejected") == "3");
  // The quoting rule itself.
  CHECK(daemon::CsvField("plain") == "plain");
  CHECK(daemon::CsvField("a,b") == "\"a,b\"");
  CHECK(daemon::CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(daemon::CsvField("line\nbreak") == "\"line\nbreak\"");
  CHECK(daemon::CsvField("cr\r") == "\"cr\r\"");
  // Formula injection: an agency or host that a spreadsheet would run stays text.
  CHECK(daemon::CsvField("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
  CHECK(daemon::CsvField("+1+2") == "'+1+2");
  CHECK(daemon::CsvField("@SUM(A1)") == "'@SUM(A1)");
  CHECK(daemon::CsvField("-2+3") == "'-2+3");
  CHECK(daemon::CsvField("\t=1") == "'\t=1");
  CHECK(daemon::CsvField("-5") == "-5");
  CHECK(daemon::CsvField("-0.25") == "-0.25");
  CHECK(daemon::CsvField("-1.5e3") == "-1.5e3");
  // What from_chars reads as a number but a spreadsheet reads as a name or formula.
  CHECK(daemon::CsvField("-inf") == "'-inf");
  CHECK(daemon::CsvField("-nan") == "'-nan");
  CHECK(daemon::CsvField("-infinity") == "'-infinity");
  CHECK(daemon::CsvField("+nan(x)") == "'+nan(x)");
}

TEST_CASE("the HTML report is one self-contained file with three charts") {
  const std::string html = daemon::RenderReport(SampleReport(), ReportFormat::kHtml);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("@media print") != std::string::npos);
  const std::regex external(R"re((src|href|xlink:href)\s*=\s*["']?[^"'>]*http)re", std::regex::icase);
  CHECK_FALSE(std::regex_search(html, external));
  CHECK(html.find("<a ") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);  // no CSS fetches either
  size_t svgs = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++svgs;
  CHECK(svgs == 3);
  CHECK(html.find("id=\"chart-status\"") != std::string::npos);
  CHECK(html.find("id=\"chart-removal\"") != std::string::npos);
  CHECK(html.find("id=\"chart-views\"") != std::string::npos);
  // The flagged URL is escaped text.
  CHECK(html.find("https://bad.example/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;?a=1&amp;b=2,3") !=
        std::string::npos);
  CHECK(html.find(kNastyUrl) == std::string::npos);
  CHECK(html.find("Prosecutor, &quot;East&quot;") != std::string::npos);
  // The stacked chart has one segment per non-zero status per week; the
  // histogram puts 700 h in its last bin.
  CHECK(html.find("<title>2026-W46 blocked: 23</title>") != std::string::npos);
  CHECK(html.find("<title>≥ 4 w: 1</title>") != std::string::npos);
  CHECK(html.find("<title>&lt; 6 h: 2</title>") != std::string::npos);
  CHECK(html.find("<title>W47: 123456</title>") != std::string::npos);
  CHECK(html.find("<td class=\"t\">video.example</td><td class=\"n\">5</td><td class=\"n\">20.0</td>"
                  "<td class=\"n\">14</td><td class=\"n\">36.0</td><td class=\"n\">120.0</td>") != std::string::npos);
}

TEST_CASE("report formats and content types") {
  const auto [name, format, type] = GENERATE(table<std::string, ReportFormat, std::string>({
      {"md", ReportFormat::kMarkdown, "text/markdown; charset=utf-8"},
      {"csv", ReportFormat::kCsv, "text/csv; charset=utf-8; header=present"},
      {"json", ReportFormat::kJson, "application/json"},
      {"html", ReportFormat::kHtml, "text/html; charset=utf-8"},
  }));
  CHECK(daemon::ParseReportFormat(name) == format);
  CHECK(daemon::ReportFormatName(format) == name);
  CHECK(daemon::ReportContentType(format) == type);
  CHECK_FALSE(daemon::ParseReportFormat("pdf"));
  CHECK_FALSE(daemon::ParseReportFormat("MD"));
}

TEST_CASE("GET /v1/report reads week, filters and format from its query") {
  const TimeMs now = At("2026-11-25T10:00:00Z");  // a Wednesday of 2026-W48
  std::string field;
  SECTION("defaults: the last complete week, unfiltered, JSON") {
    auto r = daemon::ParseReportRequest({}, now, &field);
    REQUIRE(r.ok());
    CHECK(r->query.week_label == "2026-W47");
    CHECK(r->query.week_start == At("2026-11-16T00:00:00Z"));
    CHECK(r->query.week_end == At("2026-11-23T00:00:00Z"));
    CHECK_FALSE(r->query.agency);
    CHECK_FALSE(r->query.category);
    CHECK(r->format == ReportFormat::kJson);
  }
  SECTION("every parameter given") {
    auto r = daemon::ParseReportRequest(
        {{"week", "2020-W53"}, {"agency", "Police North"}, {"category", "extremist"}, {"format", "html"}}, now,
        &field);
    REQUIRE(r.ok());
    CHECK(r->query.week_label == "2020-W53");
    CHECK(r->query.week_start == At("2020-12-28T00:00:00Z"));
    CHECK(r->query.agency == "Police North");
    CHECK(r->query.category == "extremist");
    CHECK(r->format == ReportFormat::kHtml);
  }
  SECTION("the week in progress may be asked for") {
    auto r = daemon::ParseReportRequest({{"week", "2026-W48"}}, now, &field);
    REQUIRE(r.ok());
    CHECK(r->query.week_label == "2026-W48");
  }
  SECTION("empty values mean the default") {
    auto r = daemon::ParseReportRequest({{"week", ""}, {"agency", ""}, {"format", ""}}, now, &field);
    REQUIRE(r.ok());
    CHECK(r->query.week_label == "2026-W47");
    CHECK_FALSE(r->query.agency);
  }
  SECTION("a bad week or format is refused, naming the parameter") {
    const auto [key, value, words] = GENERATE(table<std::string, std::string, std::string>({
        {"week", "2026-W54", "\"2026-W54\" is not an ISO week"},
        {"week", "2026W47", "\"2026W47\""},
        {"week", "2021-W53", "2021 has weeks 01 to 52"},
        {"format", "pdf", "\"pdf\" is not a report format"},
        {"week", "2026-W49", "week 2026-W49 has not begun; the last complete week is 2026-W47"},
        {"week", "9999-W52", "week 9999-W52 has not begun"},
    }));
    auto r = daemon::ParseReportRequest({{key, value}}, now, &field);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::Contains(words));
    CHECK(field == key);
  }
}

TEST_CASE("the scheduled report runs next at the configured weekday and time (UTC)") {
  struct Row {
    const char* now;
    const char* day;
    const char* time;
    const char* next;
  };
  const Row rows[] = {
      {"2026-11-23T05:59:59.999Z", "monday", "06:00", "2026-11-23T06:00:00Z"},
      {"2026-11-23T06:00:00Z", "monday", "06:00", "2026-11-30T06:00:00Z"},  // strictly after now
      {"2026-11-23T06:00:00.001Z", "monday", "06:00", "2026-11-30T06:00:00Z"},
      {"2026-11-25T10:00:00Z", "monday", "06:00", "2026-11-30T06:00:00Z"},
      {"2026-11-25T10:00:00Z", "thursday", "00:00", "2026-11-26T00:00:00Z"},
      {"2026-11-25T10:00:00Z", "wednesday", "09:59", "2026-12-02T09:59:00Z"},
      {"2026-11-25T10:00:00Z", "wednesday", "10:01", "2026-11-25T10:01:00Z"},
      {"2026-11-29T23:30:00Z", "sunday", "23:59", "2026-11-29T23:59:00Z"},
      {"2026-12-31T12:00:00Z", "monday", "06:00", "2027-01-04T06:00:00Z"},  // across a year (2026-W53)
  };
  for (const Row& row : rows) {
    CAPTURE(row.now, row.day, row.time);
    const int day = daemon::ParseWeekday(row.day).value();
    const int minute = daemon::ParseTimeOfDay(row.time).value();
    CHECK(FormatIso8601(daemon::NextRun(At(row.now), day, minute)) == FormatIso8601(At(row.next)));
  }
}

TEST_CASE("schedule days, times and file names") {
  CHECK(daemon::ParseWeekday("monday") == 1);
  CHECK(daemon::ParseWeekday("sunday") == 7);
  CHECK_FALSE(daemon::ParseWeekday("Monday"));
  CHECK_FALSE(daemon::ParseWeekday("mon"));
  CHECK(daemon::ParseTimeOfDay("00:00") == 0);
  CHECK(daemon::ParseTimeOfDay("06:30") == 390);
  CHECK(daemon::ParseTimeOfDay("23:59") == 1439);
  for (const char* bad : {"24:00", "6:00", "06:60", "06-00", "0600", "06:00:00", "", "ab:cd"}) {
    CAPTURE(bad);
    CHECK_FALSE(daemon::ParseTimeOfDay(bad));
  }
  CHECK(daemon::ReportFileName(ParseIsoWeek("2026-W47").value(), "md") == "linkwatch-2026-W47.md");
}

TEST_CASE("the report writer leaves a week already written alone, and reports a directory it cannot use") {
  test::TempDir dir;
  auto store = storage::Store::Open(dir.File("lw.db"), storage::Options{});
  REQUIRE(store.ok());
  boost::asio::io_context io;
  const IsoWeek week = ParseIsoWeek("2026-W47").value();
  daemon::ReportConfig config;
  config.formats = {"md", "csv"};
  SECTION("every format present: nothing is read or rewritten") {
    config.dir = dir.File("reports");
    std::filesystem::create_directories(config.dir);
    test::WriteFile(config.dir + "/linkwatch-2026-W47.md", "old md");
    test::WriteFile(config.dir + "/linkwatch-2026-W47.csv", "old csv");
    daemon::ReportWriter writer(io, [](std::function<void()> fn) { fn(); }, **store, config);
    auto written = writer.WriteWeek(week);
    REQUIRE(written.ok());
    CHECK(written->empty());
    CHECK(test::ReadFile(config.dir + "/linkwatch-2026-W47.md") == "old md");
  }
  SECTION("the directory is a file") {
    config.dir = dir.File("not-a-dir");
    test::WriteFile(config.dir, "x");
    daemon::ReportWriter writer(io, [](std::function<void()> fn) { fn(); }, **store, config);
    auto written = writer.WriteWeek(week);
    REQUIRE_FALSE(written.ok());
    CHECK(written.status().code() == Status::Code::kIOError);
    CHECK_THAT(written.status().message(), Catch::Contains("not-a-dir"));
  }
}

TEST_CASE("the time-to-removal distribution bins hours at their lower edges") {
  storage::ReportData d;
  d.removal_hours_last_weeks = {-1, 0, 5.99, 6, 12, 23.9, 671.9, 672, 10000};  // ascending
  const auto bins = daemon::RemovalDistribution(d);
  REQUIRE(bins.size() == 9);
  CHECK(bins[0].links == 3);  // -1 (removed before it was registered), 0, 5.99
  CHECK(bins[1].links == 1);  // 6
  CHECK(bins[2].links == 2);  // 12, 23.9
  CHECK(bins[7].links == 1);  // 671.9
  CHECK(bins[8].links == 2);  // 672, 10000
  CHECK_FALSE(bins[8].to_hours.has_value());
  int64_t total = 0;
  for (const auto& b : bins) total += b.links;
  CHECK(total == 9);
  // Every format shows them.
  CHECK(daemon::RenderMarkdown(d).find("| 2–4 w | 1 |") != std::string::npos);
  CHECK(daemon::RenderCsv(d).find("time_to_removal_distribution,≥ 4 w,,2") != std::string::npos);
  CHECK(daemon::RenderHtml(d).find("≥ 4 w") != std::string::npos);
}

TEST_CASE("a cluster whose reach is unknown renders as unknown in every format and never as 0") {
  storage::ReportData d = SampleReport();
  d.largest_clusters = {{9, 6, 110000, "https://video.example/watch?v=1"},
                        {12, 2, std::nullopt, "https://mirror.example/copy"}};
  const json j = json::parse(daemon::RenderReport(d, ReportFormat::kJson));
  CHECK(j["reach"]["largest_clusters"][0]["reach"] == 110000);
  CHECK(j["reach"]["largest_clusters"][1]["reach"].is_null());
  const auto rows = ParseCsv(daemon::RenderReport(d, ReportFormat::kCsv));
  CHECK(CsvValue(rows, "largest_clusters", "2", "reach").empty());
  CHECK(CsvValue(rows, "largest_clusters", "2", "members") == "2");
  const std::string md = daemon::RenderReport(d, ReportFormat::kMarkdown);
  CHECK_THAT(md, Catch::Contains("| 12 | 2 | unknown |"));
  const std::string html = daemon::RenderReport(d, ReportFormat::kHtml);
  CHECK_THAT(html, Catch::Contains(">unknown</td>"));
}
