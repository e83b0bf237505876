// Format dispatch, shared escaping, and the JSON form (which mirrors the
// Markdown: one member per section, in the same order).
#include "report_render.h"

#include <charconv>

#include <algorithm>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace linkwatch::daemon {
namespace {

using Json = nlohmann::ordered_json;
using storage::ReportData;

Json OrNull(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }
Json OrNull(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }
Json OrNull(const std::optional<int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

Json Counts(const std::vector<storage::Count>& counts, const char* key) {
  Json out = Json::array();
  for (const auto& c : counts) out.push_back({{key, c.key}, {"count", c.count}});
  return out;
}

Json Statuses(const std::map<std::string, int64_t>& by_status) {
  Json out = Json::object();
  for (const char* s : kReportStatuses) {
    const auto it = by_status.find(s);
    out[s] = it == by_status.end() ? 0 : it->second;
  }
  return out;
}

Json Removal(const storage::RemovalTimes& r) {
  return {{"links", r.links}, {"median_hours", OrNull(r.median_hours)}, {"p90_hours", OrNull(r.p90_hours)}};
}

Json Registered(const ReportData& d) {
  return {{"this_week", d.registered_this_week},
          {"total", d.registered_total},
          {"by_agency", Counts(d.registered_by_agency, "agency")},
          {"by_category", Counts(d.registered_by_category, "category")}};
}

Json Transitions(const ReportData& d) {
  Json by_host = Json::array();
  for (const auto& h : d.transitions_by_host) {
    by_host.push_back({{"host", h.host}, {"removed", h.removed}, {"blocked", h.blocked},
                       {"reappeared", h.reappeared}});
  }
  return {{"removed", d.newly_removed}, {"blocked", d.newly_blocked},
          {"reappeared", d.reappeared}, {"by_host", by_host}};
}

Json StatusHistory(const ReportData& d) {
  Json out = Json::array();
  for (const auto& w : d.status_history) {
    out.push_back({{"week", w.week_label}, {"end", FormatIso8601(w.end)}, {"by_status", Statuses(w.by_status)}});
  }
  return out;
}

Json TimeToRemoval(const ReportData& d) {
  Json by_host = Json::array();
  for (const auto& h : d.removal_by_host) {
    by_host.push_back({{"host", h.host}, {"this_week", Removal(h.this_week)}, {"last_weeks", Removal(h.last_weeks)}});
  }
  Json out = Removal(d.removal_this_week);
  out["last_weeks"] = Removal(d.removal_last_weeks);
  out["weeks"] = d.query.history_weeks;
  out["by_host"] = by_host;
  Json distribution = Json::array();
  for (const RemovalBin& b : RemovalDistribution(d)) {
    distribution.push_back({{"from_hours", b.from_hours}, {"to_hours", OrNull(b.to_hours)}, {"label", b.label},
                            {"links", b.links}});
  }
  out["distribution"] = distribution;
  return out;
}

Json Reach(const ReportData& d) {
  Json top = Json::array();
  for (const auto& t : d.top_viewed) {
    top.push_back({{"id", t.id}, {"url", t.url}, {"host", t.host}, {"status", t.status},
                   {"views", t.views}, {"growth", OrNull(t.growth)}});
  }
  Json clusters = Json::array();
  for (const auto& c : d.largest_clusters) {
    clusters.push_back({{"id", c.id}, {"members", c.members}, {"reach", OrNull(c.reach)}, {"sample_url", c.sample_url}});
  }
  Json history = Json::array();
  for (const auto& [week, views] : d.views_history) history.push_back({{"week", week}, {"views", views}});
  return {{"views_alive", d.views_alive}, {"alive_with_views", d.alive_with_views},
          {"views_growth", d.views_growth}, {"top_viewed", top},
          {"largest_clusters", clusters}, {"views_history", history}};
}

}  // namespace

std::optional<ReportFormat> ParseReportFormat(std::string_view name) {
  for (ReportFormat f : {ReportFormat::kMarkdown, ReportFormat::kCsv, ReportFormat::kJson, ReportFormat::kHtml}) {
    if (name == ReportFormatName(f)) return f;
  }
  return std::nullopt;
}

const char* ReportFormatName(ReportFormat format) {
  switch (format) {
    case ReportFormat::kMarkdown: return "md";
    case ReportFormat::kCsv: return "csv";
    case ReportFormat::kJson: return "json";
    case ReportFormat::kHtml: return "html";
  }
  return "md";
}

const char* ReportContentType(ReportFormat format) {
  switch (format) {
    case ReportFormat::kMarkdown: return "text/markdown; charset=utf-8";
    case ReportFormat::kCsv: return "text/csv; charset=utf-8; header=present";
    case ReportFormat::kJson: return "application/json";
    case ReportFormat::kHtml: return "text/html; charset=utf-8";
  }
  return "application/octet-stream";
}

std::string RenderReport(const ReportData& data, ReportFormat format) {
  switch (format) {
    case ReportFormat::kMarkdown: return RenderMarkdown(data);
    case ReportFormat::kCsv: return RenderCsv(data);
    case ReportFormat::kJson: return RenderJson(data);
    case ReportFormat::kHtml: return RenderHtml(data);
  }
  return {};
}

std::string RenderJson(const ReportData& d) {
  const Json out = {
      {"week", d.query.week_label},
      {"week_start", FormatIso8601(d.query.week_start)},
      {"week_end", FormatIso8601(d.query.week_end)},
      {"generated_at", FormatIso8601(d.generated_at)},
      {"filters", {{"agency", OrNull(d.query.agency)}, {"category", OrNull(d.query.category)}}},
      {"registered", Registered(d)},
      {"duplicates", {{"this_week", d.duplicates_this_week}, {"by_agency", Counts(d.duplicates_by_agency, "agency")}}},
      {"status_now", Statuses(d.status_now)},
      {"transitions", Transitions(d)},
      {"status_history", StatusHistory(d)},
      {"time_to_removal", TimeToRemoval(d)},
      {"reach", Reach(d)},
      {"discovery", {{"discovered", d.discovered}, {"accepted", d.accepted}, {"rejected", d.rejected},
                     {"pending", d.pending}}},
  };
  // Invalid UTF-8 in stored text is replaced, never a throw.
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

namespace {

// A number as the report writes it: -? digits, with . and exponent. Not
// "-inf" or "-nan", which from_chars takes but a spreadsheet reads as names.
bool LooksNumeric(std::string_view text) {
  if (text.find_first_not_of("0123456789.eE+-") != std::string_view::npos) return false;
  double ignored = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ignored);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string CsvField(std::string_view text) {
  // A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before
  // one) as a formula: an agency named =HYPERLINK(...) must stay text.
  std::string guarded;
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos &&
      !LooksNumeric(text)) {
    guarded.reserve(text.size() + 1);
    guarded.push_back('\'');
    guarded.insert(guarded.end(), text.begin(), text.end());
    text = guarded;
  }
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<RemovalBin> RemovalDistribution(const ReportData& d) {
  static constexpr struct {
    double from;
    const char* label;
  } kBins[] = {{0, "< 6 h"},  {6, "6–12 h"}, {12, "12–24 h"}, {24, "1–2 d"}, {48, "2–3 d"},
               {72, "3–7 d"}, {168, "1–2 w"}, {336, "2–4 w"},  {672, "≥ 4 w"}};
  const std::vector<double>& hours = d.removal_hours_last_weeks;  // ascending
  std::vector<RemovalBin> bins;
  for (size_t i = 0; i < std::size(kBins); ++i) {
    RemovalBin b{kBins[i].from, std::nullopt, kBins[i].label, 0};
    if (i + 1 < std::size(kBins)) b.to_hours = kBins[i + 1].from;
    // A negative time (removed before registration: a link registered already gone) counts in the first bin.
    const auto lo = i == 0 ? hours.begin() : std::lower_bound(hours.begin(), hours.end(), b.from_hours);
    const auto hi = b.to_hours ? std::lower_bound(hours.begin(), hours.end(), *b.to_hours) : hours.end();
    b.links = hi > lo ? static_cast<int64_t>(hi - lo) : 0;
    bins.push_back(b);
  }
  return bins;
}

std::string HoursText(const std::optional<double>& hours) {
  if (!hours) return "–";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *hours);
  return buf;
}

}  // namespace linkwatch::daemon
