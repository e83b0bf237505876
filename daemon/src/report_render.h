// The weekly report (storage/report.h's figures) rendered as Markdown, CSV,
// JSON or HTML. Pure functions of the data: no clock, no I/O.
//
// Every format carries the same figures. Text that comes from the register
// (agencies, categories, hosts, URLs of flagged material) is escaped for the
// format and never becomes a link: in Markdown hosts and URLs are code spans,
// in HTML they are escaped text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/storage/report.h"

namespace linkwatch::daemon {

enum class ReportFormat { kMarkdown, kCsv, kJson, kHtml };

// The statuses of status_now and status_history, in the order every format shows them.
inline constexpr const char* kReportStatuses[] = {"alive", "removed", "blocked", "unreachable",
                                                  "pending"};

// "md", "csv", "json", "html"; nullopt for anything else.
std::optional<ReportFormat> ParseReportFormat(std::string_view name);
// The name ParseReportFormat reads, also the file extension.
const char* ReportFormatName(ReportFormat format);
// The HTTP Content-Type of a rendered report.
const char* ReportContentType(ReportFormat format);

std::string RenderReport(const storage::ReportData& data, ReportFormat format);

// The formats (report_render.cpp: JSON; report_markdown.cpp, report_csv.cpp,
// report_html.cpp).
std::string RenderMarkdown(const storage::ReportData& data);
std::string RenderCsv(const storage::ReportData& data);
std::string RenderJson(const storage::ReportData& data);
std::string RenderHtml(const storage::ReportData& data);

// A CSV field quoted when it holds , " CR or LF, quotes doubled (RFC 4180);
// text that a spreadsheet would run as a formula (= + - @ first) gets a
// leading ' (numbers such as -5 are left as they are).
std::string CsvField(std::string_view text);
// Text safe inside HTML elements and quoted attributes: & < > " ' escaped.
std::string HtmlEscape(std::string_view text);
// Time to removal over the history weeks as a histogram: links per bin of
// hours from registration to removal, bins [from, next from), the last open.
// Every format shows the same bins.
struct RemovalBin {
  double from_hours;
  std::optional<double> to_hours;  // nullopt: the last bin
  const char* label;               // "< 6 h", "6–12 h", ... "≥ 4 w"
  int64_t links;
};
std::vector<RemovalBin> RemovalDistribution(const storage::ReportData& data);

// Hours with one decimal ("12.5"), or "–" when absent.
std::string HoursText(const std::optional<double>& hours);

}  // namespace linkwatch::daemon
