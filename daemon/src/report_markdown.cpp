// The report as Markdown (GitHub-flavoured tables). Sections in the order of
// the JSON form. Hosts and URLs are code spans, so no renderer turns them into
// links; other register text is backslash-escaped.
#include <algorithm>
#include <sstream>

#include "report_render.h"

namespace linkwatch::daemon {
namespace {

using storage::ReportData;

// Backslash-escapes Markdown's punctuation; a line break becomes a space.
std::string MdText(std::string_view text) {
  static constexpr std::string_view kSpecial = "\\`*_[]<>|#!&~()";
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// A code span, fenced by more backticks than the text's longest run; '|' is
// escaped so the span stays inside its table cell.
std::string MdCode(std::string_view text) {
  size_t longest = 0, run = 0;
  std::string body;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '|') body += '\\';
    body += (c == '\n' || c == '\r') ? ' ' : c;
  }
  const std::string fence(longest + 1, '`');
  const bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string Day(TimeMs t) { return FormatIso8601(t).substr(0, 10); }

int64_t StatusCount(const std::map<std::string, int64_t>& m, const char* s) {
  const auto it = m.find(s);
  return it == m.end() ? 0 : it->second;
}

void CountTable(std::ostream& out, const char* what, const char* unit,
                const std::vector<storage::Count>& counts) {
  if (counts.empty()) {
    out << "No " << unit << " by " << what << ".\n\n";
    return;
  }
  out << "| " << what << " | " << unit << " |\n|---|---:|\n";
  for (const auto& c : counts) out << "| " << MdText(c.key) << " | " << c.count << " |\n";
  out << '\n';
}

void Header(std::ostream& out, const ReportData& d) {
  out << "# linkwatch weekly report " << d.query.week_label << "\n\n"
      << "Week " << d.query.week_label << ": " << Day(d.query.week_start) << " to "
      << Day(d.query.week_end - 1) << " (UTC), agency: "
      << (d.query.agency ? MdText(*d.query.agency) : "all")
      << ", category: " << (d.query.category ? MdText(*d.query.category) : "all")
      << ". Generated " << FormatIso8601(d.generated_at) << ".\n\n";
}

void Registration(std::ostream& out, const ReportData& d) {
  out << "## Registration\n\n| | links |\n|---|---:|\n"
      << "| registered this week | " << d.registered_this_week << " |\n"
      << "| registered in total | " << d.registered_total << " |\n"
      << "| duplicate reports this week | " << d.duplicates_this_week << " |\n\n"
      << "### Registered this week by agency\n\n";
  CountTable(out, "agency", "links", d.registered_by_agency);
  out << "### Registered this week by category\n\n";
  CountTable(out, "category", "links", d.registered_by_category);
  out << "### Duplicate reports this week by agency\n\n";
  CountTable(out, "agency", "duplicates", d.duplicates_by_agency);
}

void StatusSection(std::ostream& out, const ReportData& d) {
  out << "## Status now\n\n| status | links |\n|---|---:|\n";
  for (const char* s : kReportStatuses) out << "| " << s << " | " << StatusCount(d.status_now, s) << " |\n";
  out << "\n### Transitions this week\n\n| | links |\n|---|---:|\n"
      << "| newly removed | " << d.newly_removed << " |\n"
      << "| newly blocked | " << d.newly_blocked << " |\n"
      << "| reappeared | " << d.reappeared << " |\n\n";
  if (!d.transitions_by_host.empty()) {
    out << "| host | removed | blocked | reappeared |\n|---|---:|---:|---:|\n";
    for (const auto& h : d.transitions_by_host) {
      out << "| " << MdCode(h.host) << " | " << h.removed << " | " << h.blocked << " | " << h.reappeared << " |\n";
    }
    out << '\n';
  }
  out << "### Status at the end of each week\n\n| week |";
  for (const char* s : kReportStatuses) out << ' ' << s << " |";
  out << "\n|---|---:|---:|---:|---:|---:|\n";
  for (const auto& w : d.status_history) {
    out << "| " << w.week_label << " |";
    for (const char* s : kReportStatuses) out << ' ' << StatusCount(w.by_status, s) << " |";
    out << '\n';
  }
  out << '\n';
}

void RemovalRow(std::ostream& out, const std::string& label, const storage::RemovalTimes& r) {
  out << "| " << label << " | " << r.links << " | " << HoursText(r.median_hours) << " | "
      << HoursText(r.p90_hours) << " |\n";
}

void RemovalSection(std::ostream& out, const ReportData& d) {
  const std::string weeks = "last " + std::to_string(d.query.history_weeks) + " weeks";
  out << "## Time to removal\n\nHours from registration to the first confirmed removal.\n\n"
      << "| period | links removed | median hours | p90 hours |\n|---|---:|---:|---:|\n";
  RemovalRow(out, "this week", d.removal_this_week);
  RemovalRow(out, weeks, d.removal_last_weeks);
  out << "\nLinks removed in the " << weeks << " by hours to removal:\n\n| hours to removal | links |\n|---|---:|\n";
  for (const RemovalBin& b : RemovalDistribution(d)) out << "| " << b.label << " | " << b.links << " |\n";
  out << '\n';
  if (d.removal_by_host.empty()) return;
  out << "| host | removed this week | median hours | removed in the " << weeks
      << " | median hours | p90 hours |\n|---|---:|---:|---:|---:|---:|\n";
  for (const auto& h : d.removal_by_host) {
    out << "| " << MdCode(h.host) << " | " << h.this_week.links << " | " << HoursText(h.this_week.median_hours)
        << " | " << h.last_weeks.links << " | " << HoursText(h.last_weeks.median_hours) << " | "
        << HoursText(h.last_weeks.p90_hours) << " |\n";
  }
  out << '\n';
}

void ReachSection(std::ostream& out, const ReportData& d) {
  out << "## Reach\n\n| | views |\n|---|---:|\n"
      << "| views of links alive now | " << d.views_alive << " |\n"
      << "| alive links that show a view count | " << d.alive_with_views << " of "
      << StatusCount(d.status_now, "alive") << " |\n"
      << "| views gained this week | " << d.views_growth << " |\n\n### Most viewed links alive\n\n";
  if (d.top_viewed.empty()) out << "None.\n\n";
  else {
    out << "| # | id | URL | host | status | views | gained this week |\n|---:|---:|---|---|---|---:|---:|\n";
    int rank = 0;
    for (const auto& t : d.top_viewed) {
      out << "| " << ++rank << " | " << t.id << " | " << MdCode(t.url) << " | " << MdCode(t.host) << " | "
          << t.status << " | " << t.views << " | " << (t.growth ? std::to_string(*t.growth) : "–") << " |\n";
    }
    out << '\n';
  }
  out << "### Largest clusters (copies of the same content)\n\n";
  if (d.largest_clusters.empty()) out << "None.\n\n";
  else {
    out << "| cluster | links | reach (views) | oldest copy |\n|---:|---:|---:|---|\n";
    for (const auto& c : d.largest_clusters) {
      out << "| " << c.id << " | " << c.members << " | " << (c.reach ? std::to_string(*c.reach) : "unknown") << " | " << MdCode(c.sample_url) << " |\n";
    }
    out << '\n';
  }
  out << "### Views of alive links at the end of each week\n\n| week | views |\n|---|---:|\n";
  for (const auto& [week, views] : d.views_history) out << "| " << week << " | " << views << " |\n";
  out << '\n';
}

void DiscoverySection(std::ostream& out, const ReportData& d) {
  out << "## Discovery\n\n| | links |\n|---|---:|\n"
      << "| discovered this week | " << d.discovered << " |\n"
      << "| accepted this week | " << d.accepted << " |\n"
      << "| rejected this week | " << d.rejected << " |\n"
      << "| pending review now | " << d.pending << " |\n";
}

}  // namespace

std::string RenderMarkdown(const ReportData& d) {
  std::ostringstream out;
  Header(out, d);
  Registration(out, d);
  StatusSection(out, d);
  RemovalSection(out, d);
  ReachSection(out, d);
  DiscoverySection(out, d);
  return out.str();
}

}  // namespace linkwatch::daemon
