// The report as one long-format CSV table: section,key,subkey,value, with a
// header row. Every figure of report.h is one row; lists use the item's name
// (agency, host, week) or its rank as key. Absent values are empty fields.
#include <charconv>
#include <sstream>

#include "report_render.h"

namespace linkwatch::daemon {
namespace {

using storage::ReportData;

class CsvTable {
 public:
  CsvTable() { out_ << "section,key,subkey,value\r\n"; }
  void Row(std::string_view section, std::string_view key, std::string_view subkey, std::string_view value) {
    out_ << CsvField(section) << ',' << CsvField(key) << ',' << CsvField(subkey) << ',' << CsvField(value)
         << "\r\n";
  }
  void Row(std::string_view section, std::string_view key, std::string_view subkey, int64_t value) {
    Row(section, key, subkey, std::to_string(value));
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

// The shortest text that reads back as the same double.
std::string Number(const std::optional<double>& v) {
  if (!v) return {};
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

int64_t StatusCount(const std::map<std::string, int64_t>& m, const char* s) {
  const auto it = m.find(s);
  return it == m.end() ? 0 : it->second;
}

void Counts(CsvTable& t, const char* section, const std::vector<storage::Count>& counts) {
  for (const auto& c : counts) t.Row(section, c.key, "", c.count);
}

void Removal(CsvTable& t, const char* section, const std::string& key, const std::string& prefix,
             const storage::RemovalTimes& r) {
  t.Row(section, key, prefix + "links", r.links);
  t.Row(section, key, prefix + "median_hours", Number(r.median_hours));
  t.Row(section, key, prefix + "p90_hours", Number(r.p90_hours));
}

void Registration(CsvTable& t, const ReportData& d) {
  t.Row("registered", "this_week", "", d.registered_this_week);
  t.Row("registered", "total", "", d.registered_total);
  Counts(t, "registered_by_agency", d.registered_by_agency);
  Counts(t, "registered_by_category", d.registered_by_category);
  t.Row("duplicates", "this_week", "", d.duplicates_this_week);
  Counts(t, "duplicates_by_agency", d.duplicates_by_agency);
}

void Status(CsvTable& t, const ReportData& d) {
  for (const char* s : kReportStatuses) t.Row("status_now", s, "", StatusCount(d.status_now, s));
  t.Row("transitions", "removed", "", d.newly_removed);
  t.Row("transitions", "blocked", "", d.newly_blocked);
  t.Row("transitions", "reappeared", "", d.reappeared);
  for (const auto& h : d.transitions_by_host) {
    t.Row("transitions_by_host", h.host, "removed", h.removed);
    t.Row("transitions_by_host", h.host, "blocked", h.blocked);
    t.Row("transitions_by_host", h.host, "reappeared", h.reappeared);
  }
  for (const auto& w : d.status_history) {
    for (const char* s : kReportStatuses) t.Row("status_history", w.week_label, s, StatusCount(w.by_status, s));
  }
}

void TimeToRemoval(CsvTable& t, const ReportData& d) {
  Removal(t, "time_to_removal", "this_week", "", d.removal_this_week);
  Removal(t, "time_to_removal", "last_weeks", "", d.removal_last_weeks);
  t.Row("time_to_removal", "weeks", "", d.query.history_weeks);
  for (const auto& h : d.removal_by_host) {
    Removal(t, "time_to_removal_by_host", h.host, "this_week_", h.this_week);
    Removal(t, "time_to_removal_by_host", h.host, "last_weeks_", h.last_weeks);
  }
  for (const RemovalBin& b : RemovalDistribution(d)) t.Row("time_to_removal_distribution", b.label, "", b.links);
}

void Reach(CsvTable& t, const ReportData& d) {
  t.Row("reach", "views_alive", "", d.views_alive);
  t.Row("reach", "alive_with_views", "", d.alive_with_views);
  t.Row("reach", "views_growth", "", d.views_growth);
  int rank = 0;
  for (const auto& l : d.top_viewed) {
    const std::string key = std::to_string(++rank);
    t.Row("top_viewed", key, "id", l.id);
    t.Row("top_viewed", key, "url", l.url);
    t.Row("top_viewed", key, "host", l.host);
    t.Row("top_viewed", key, "status", l.status);
    t.Row("top_viewed", key, "views", l.views);
    t.Row("top_viewed", key, "growth", l.growth ? std::to_string(*l.growth) : "");
  }
  rank = 0;
  for (const auto& c : d.largest_clusters) {
    const std::string key = std::to_string(++rank);
    t.Row("largest_clusters", key, "id", c.id);
    t.Row("largest_clusters", key, "members", c.members);
    t.Row("largest_clusters", key, "reach", c.reach ? std::to_string(*c.reach) : "");
    t.Row("largest_clusters", key, "sample_url", c.sample_url);
  }
  for (const auto& [week, views] : d.views_history) t.Row("views_history", week, "", views);
}

}  // namespace

std::string RenderCsv(const ReportData& d) {
  CsvTable t;
  t.Row("report", "week", "", d.query.week_label);
  t.Row("report", "week_start", "", FormatIso8601(d.query.week_start));
  t.Row("report", "week_end", "", FormatIso8601(d.query.week_end));
  t.Row("report", "generated_at", "", FormatIso8601(d.generated_at));
  t.Row("report", "agency", "", d.query.agency.value_or(""));
  t.Row("report", "category", "", d.query.category.value_or(""));
  Registration(t, d);
  Status(t, d);
  TimeToRemoval(t, d);
  Reach(t, d);
  t.Row("discovery", "discovered", "", d.discovered);
  t.Row("discovery", "accepted", "", d.accepted);
  t.Row("discovery", "rejected", "", d.rejected);
  t.Row("discovery", "pending", "", d.pending);
  return t.str();
}

}  // namespace linkwatch::daemon
