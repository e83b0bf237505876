// The report as one self-contained HTML file: inline CSS (with a print
// layout), three inline SVG charts, no scripts, no external references. All
// register text is escaped; URLs of flagged material are text, never links.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>

#include "report_render.h"

namespace linkwatch::daemon {
namespace {

using storage::ReportData;

constexpr char kStyle[] = R"(<style>
body{font-family:system-ui,sans-serif;max-width:62rem;margin:1.5rem auto;padding:0 1rem;color:#111;line-height:1.35}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #999;margin-top:2rem}h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #bbb;padding:.15rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.t{font-family:ui-monospace,monospace;word-break:break-all}
figure{margin:.5rem 0 1rem}figcaption{font-size:.9rem;color:#444}
svg{max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#222}
@media print{body{max-width:none;margin:0;font-size:10pt}h2{break-after:avoid}
section,figure,table{break-inside:avoid}th,td{border-color:#666}}
</style>)";

// Chart geometry (SVG user units).
constexpr int kChartWidth = 720, kChartHeight = 240;
constexpr int kLeft = 60, kRight = 10, kTop = 28, kBottom = 36;
constexpr double kBarFill = 0.8;  // part of a slot a bar fills

struct StatusColor {
  const char* status;
  const char* color;
};
constexpr StatusColor kStatusColors[] = {{"alive", "#c0392b"},   {"removed", "#27ae60"},
                                         {"blocked", "#2f6fb0"}, {"unreachable", "#e39b19"},
                                         {"pending", "#9aa3a8"}};

std::string E(std::string_view text) { return HtmlEscape(text); }

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

int64_t StatusCount(const std::map<std::string, int64_t>& m, const char* s) {
  const auto it = m.find(s);
  return it == m.end() ? 0 : it->second;
}

// "2026-W47" -> "W47" for an axis label.
std::string ShortWeek(const std::string& label) {
  const auto w = label.find('W');
  return w == std::string::npos ? label : label.substr(w);
}

void Rect(std::ostream& out, double x, double y, double w, double h, const char* fill, const std::string& title) {
  out << "<rect x=\"" << Fixed(x) << "\" y=\"" << Fixed(y) << "\" width=\"" << Fixed(w) << "\" height=\""
      << Fixed(h) << "\" fill=\"" << fill << "\"><title>" << E(title) << "</title></rect>";
}

void Text(std::ostream& out, double x, double y, const char* anchor, const std::string& text) {
  out << "<text x=\"" << Fixed(x) << "\" y=\"" << Fixed(y) << "\" text-anchor=\"" << anchor << "\">" << E(text)
      << "</text>";
}

// The frame of a chart: the svg element, its title, the axes and the y scale.
void ChartStart(std::ostream& out, const std::string& id, const std::string& title, int64_t max) {
  out << "<svg id=\"" << id << "\" viewBox=\"0 0 " << kChartWidth << ' ' << kChartHeight
      << "\" width=\"" << kChartWidth << "\" height=\"" << kChartHeight << "\" role=\"img\" aria-label=\""
      << E(title) << "\"><title>" << E(title) << "</title>";
  const int bottom = kChartHeight - kBottom;
  out << "<line x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft << "\" y2=\"" << bottom
      << "\" stroke=\"#444\"/><line x1=\"" << kLeft << "\" y1=\"" << bottom << "\" x2=\"" << kChartWidth - kRight
      << "\" y2=\"" << bottom << "\" stroke=\"#444\"/>";
  Text(out, kLeft - 4, bottom + 4, "end", "0");
  Text(out, kLeft - 4, kTop + 4, "end", std::to_string(max));
}

double PlotHeight() { return kChartHeight - kTop - kBottom; }
double SlotWidth(size_t n) { return (kChartWidth - kLeft - kRight) / static_cast<double>(std::max<size_t>(n, 1)); }

void NoData(std::ostream& out, size_t n) {
  if (n == 0) Text(out, kChartWidth / 2.0, kTop + PlotHeight() / 2, "middle", "no data");
}

void StatusChart(std::ostream& out, const ReportData& d) {
  int64_t max = 1;
  for (const auto& w : d.status_history) {
    int64_t total = 0;
    for (const char* s : kReportStatuses) total += StatusCount(w.by_status, s);
    max = std::max(max, total);
  }
  ChartStart(out, "chart-status", "Status of monitored links at the end of each week", max);
  for (size_t i = 0; i < std::size(kStatusColors); ++i) {  // legend
    const double x = kLeft + 110.0 * static_cast<double>(i);
    Rect(out, x, 6, 10, 10, kStatusColors[i].color, kStatusColors[i].status);
    Text(out, x + 14, 15, "start", kStatusColors[i].status);
  }
  const double slot = SlotWidth(d.status_history.size());
  const double bottom = kChartHeight - kBottom;
  for (size_t i = 0; i < d.status_history.size(); ++i) {
    const auto& w = d.status_history[i];
    const double x = kLeft + slot * (static_cast<double>(i) + (1 - kBarFill) / 2);
    double y = bottom;
    for (const auto& sc : kStatusColors) {
      const int64_t n = StatusCount(w.by_status, sc.status);
      const double h = PlotHeight() * static_cast<double>(n) / static_cast<double>(max);
      y -= h;
      if (n > 0) Rect(out, x, y, slot * kBarFill, h, sc.color, w.week_label + " " + sc.status + ": " + std::to_string(n));
    }
    Text(out, x + slot * kBarFill / 2, bottom + 14, "middle", ShortWeek(w.week_label));
  }
  NoData(out, d.status_history.size());
  out << "</svg>\n";
}

struct Bar {
  std::string label;
  int64_t value;
};

void BarChart(std::ostream& out, const std::string& id, const std::string& title, const std::vector<Bar>& bars,
              const char* color) {
  int64_t max = 1;
  for (const auto& b : bars) max = std::max(max, b.value);
  ChartStart(out, id, title, max);
  const double slot = SlotWidth(bars.size());
  const double bottom = kChartHeight - kBottom;
  for (size_t i = 0; i < bars.size(); ++i) {
    const double x = kLeft + slot * (static_cast<double>(i) + (1 - kBarFill) / 2);
    const double h = PlotHeight() * static_cast<double>(bars[i].value) / static_cast<double>(max);
    Rect(out, x, bottom - h, slot * kBarFill, h, color, bars[i].label + ": " + std::to_string(bars[i].value));
    Text(out, x + slot * kBarFill / 2, bottom - h - 3, "middle", std::to_string(bars[i].value));
    Text(out, x + slot * kBarFill / 2, bottom + 14, "middle", bars[i].label);
  }
  NoData(out, bars.size());
  out << "</svg>\n";
}

std::vector<Bar> RemovalHistogram(const ReportData& d) {
  std::vector<Bar> bars;
  for (const RemovalBin& b : RemovalDistribution(d)) bars.push_back({b.label, b.links});
  return bars;
}

// A table of label/number rows.
void FigureTable(std::ostream& out, const char* head, const std::vector<std::pair<std::string, int64_t>>& rows) {
  out << "<table><tr><th></th><th class=\"n\">" << head << "</th></tr>";
  for (const auto& [label, n] : rows) out << "<tr><td>" << E(label) << "</td><td class=\"n\">" << n << "</td></tr>";
  out << "</table>\n";
}

void CountTable(std::ostream& out, const char* what, const char* unit, const std::vector<storage::Count>& counts) {
  if (counts.empty()) {
    out << "<p>No " << unit << " by " << what << ".</p>\n";
    return;
  }
  out << "<table><tr><th>" << what << "</th><th class=\"n\">" << unit << "</th></tr>";
  for (const auto& c : counts) out << "<tr><td>" << E(c.key) << "</td><td class=\"n\">" << c.count << "</td></tr>";
  out << "</table>\n";
}

void Header(std::ostream& out, const ReportData& d) {
  const std::string title = "linkwatch weekly report " + d.query.week_label;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" << E(title)
      << "</title>\n" << kStyle << "</head>\n<body>\n<h1>" << E(title) << "</h1>\n<p>Week "
      << E(d.query.week_label) << ": " << FormatIso8601(d.query.week_start).substr(0, 10) << " to "
      << FormatIso8601(d.query.week_end - 1).substr(0, 10) << " (UTC); agency: "
      << E(d.query.agency.value_or("all")) << "; category: " << E(d.query.category.value_or("all"))
      << ". Generated " << FormatIso8601(d.generated_at) << ".</p>\n";
}

void Registration(std::ostream& out, const ReportData& d) {
  out << "<section><h2>Registration</h2>\n";
  FigureTable(out, "links", {{"registered this week", d.registered_this_week},
                             {"registered in total", d.registered_total},
                             {"duplicate reports this week", d.duplicates_this_week}});
  out << "<h3>Registered this week by agency</h3>\n";
  CountTable(out, "agency", "links", d.registered_by_agency);
  out << "<h3>Registered this week by category</h3>\n";
  CountTable(out, "category", "links", d.registered_by_category);
  out << "<h3>Duplicate reports this week by agency</h3>\n";
  CountTable(out, "agency", "duplicates", d.duplicates_by_agency);
  out << "</section>\n";
}

void StatusSection(std::ostream& out, const ReportData& d) {
  out << "<section><h2>Status now</h2>\n";
  std::vector<std::pair<std::string, int64_t>> rows;
  for (const char* s : kReportStatuses) rows.emplace_back(s, StatusCount(d.status_now, s));
  FigureTable(out, "links", rows);
  out << "<h3>Transitions this week</h3>\n";
  FigureTable(out, "links", {{"newly removed", d.newly_removed}, {"newly blocked", d.newly_blocked},
                             {"reappeared", d.reappeared}});
  if (!d.transitions_by_host.empty()) {
    out << "<table><tr><th>host</th><th class=\"n\">removed</th><th class=\"n\">blocked</th>"
        << "<th class=\"n\">reappeared</th></tr>";
    for (const auto& h : d.transitions_by_host) {
      out << "<tr><td class=\"t\">" << E(h.host) << "</td><td class=\"n\">" << h.removed << "</td><td class=\"n\">"
          << h.blocked << "</td><td class=\"n\">" << h.reappeared << "</td></tr>";
    }
    out << "</table>\n";
  }
  out << "<figure>";
  StatusChart(out, d);
  out << "<figcaption>Status at the end of each of the last " << d.status_history.size()
      << " weeks.</figcaption></figure>\n</section>\n";
}

void RemovalRow(std::ostream& out, const std::string& label, const storage::RemovalTimes& r) {
  out << "<tr><td>" << E(label) << "</td><td class=\"n\">" << r.links << "</td><td class=\"n\">"
      << HoursText(r.median_hours) << "</td><td class=\"n\">" << HoursText(r.p90_hours) << "</td></tr>";
}

void RemovalSection(std::ostream& out, const ReportData& d) {
  const std::string weeks = "last " + std::to_string(d.query.history_weeks) + " weeks";
  out << "<section><h2>Time to removal</h2>\n<p>Hours from registration to the first confirmed removal.</p>\n"
      << "<table><tr><th>period</th><th class=\"n\">links removed</th><th class=\"n\">median hours</th>"
      << "<th class=\"n\">p90 hours</th></tr>";
  RemovalRow(out, "this week", d.removal_this_week);
  RemovalRow(out, weeks, d.removal_last_weeks);
  out << "</table>\n";
  if (!d.removal_by_host.empty()) {
    out << "<table><tr><th>host</th><th class=\"n\">removed this week</th><th class=\"n\">median hours</th>"
        << "<th class=\"n\">removed in the " << E(weeks) << "</th><th class=\"n\">median hours</th>"
        << "<th class=\"n\">p90 hours</th></tr>";
    for (const auto& h : d.removal_by_host) {
      out << "<tr><td class=\"t\">" << E(h.host) << "</td><td class=\"n\">" << h.this_week.links
          << "</td><td class=\"n\">" << HoursText(h.this_week.median_hours) << "</td><td class=\"n\">"
          << h.last_weeks.links << "</td><td class=\"n\">" << HoursText(h.last_weeks.median_hours)
          << "</td><td class=\"n\">" << HoursText(h.last_weeks.p90_hours) << "</td></tr>";
    }
    out << "</table>\n";
  }
  out << "<figure>";
  BarChart(out, "chart-removal", "Time to removal, " + weeks, RemovalHistogram(d),
           "#27ae60");
  out << "<figcaption>Links removed in the " << E(weeks) << " by time from registration to removal ("
      << d.removal_hours_last_weeks.size() << " links).</figcaption></figure>\n</section>\n";
}

void TopViewed(std::ostream& out, const ReportData& d) {
  out << "<h3>Most viewed links alive</h3>\n";
  if (d.top_viewed.empty()) {
    out << "<p>None.</p>\n";
    return;
  }
  out << "<table><tr><th class=\"n\">#</th><th class=\"n\">id</th><th>URL</th><th>host</th><th>status</th>"
      << "<th class=\"n\">views</th><th class=\"n\">gained this week</th></tr>";
  int rank = 0;
  for (const auto& t : d.top_viewed) {
    out << "<tr><td class=\"n\">" << ++rank << "</td><td class=\"n\">" << t.id << "</td><td class=\"t\">"
        << E(t.url) << "</td><td class=\"t\">" << E(t.host) << "</td><td>" << E(t.status)
        << "</td><td class=\"n\">" << t.views << "</td><td class=\"n\">"
        << (t.growth ? std::to_string(*t.growth) : "–") << "</td></tr>";
  }
  out << "</table>\n";
}

void Clusters(std::ostream& out, const ReportData& d) {
  out << "<h3>Largest clusters (copies of the same content)</h3>\n";
  if (d.largest_clusters.empty()) {
    out << "<p>None.</p>\n";
    return;
  }
  out << "<table><tr><th class=\"n\">cluster</th><th class=\"n\">links</th><th class=\"n\">reach (views)</th>"
      << "<th>oldest copy</th></tr>";
  for (const auto& c : d.largest_clusters) {
    out << "<tr><td class=\"n\">" << c.id << "</td><td class=\"n\">" << c.members << "</td><td class=\"n\">"
        << (c.reach ? std::to_string(*c.reach) : "unknown") << "</td><td class=\"t\">" << E(c.sample_url) << "</td></tr>";
  }
  out << "</table>\n";
}

void ReachSection(std::ostream& out, const ReportData& d) {
  out << "<section><h2>Reach</h2>\n";
  FigureTable(out, "views", {{"views of links alive now", d.views_alive},
                             {"alive links that show a view count", d.alive_with_views},
                             {"views gained this week", d.views_growth}});
  TopViewed(out, d);
  Clusters(out, d);
  std::vector<Bar> bars;
  for (const auto& [week, views] : d.views_history) bars.push_back({ShortWeek(week), views});
  out << "<figure>";
  BarChart(out, "chart-views", "Views of alive links at the end of each week", bars, "#c0392b");
  out << "<figcaption>Views of the links alive at the end of each week.</figcaption></figure>\n</section>\n";
}

void DiscoverySection(std::ostream& out, const ReportData& d) {
  out << "<section><h2>Discovery</h2>\n";
  FigureTable(out, "links", {{"discovered this week", d.discovered}, {"accepted this week", d.accepted},
                             {"rejected this week", d.rejected}, {"pending review now", d.pending}});
  out << "</section>\n";
}

}  // namespace

std::string RenderHtml(const ReportData& d) {
  std::ostringstream out;
  Header(out, d);
  Registration(out, d);
  StatusSection(out, d);
  RemovalSection(out, d);
  ReachSection(out, d);
  DiscoverySection(out, d);
  out << "</body></html>\n";
  return out.str();
}

}  // namespace linkwatch::daemon
