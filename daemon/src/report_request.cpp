#include "report_request.h"

namespace linkwatch::daemon {
namespace {

std::optional<std::string> NonEmpty(const std::map<std::string, std::string>& params, const char* name) {
  const auto it = params.find(name);
  if (it == params.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

}  // namespace

storage::ReportQuery ReportQueryFor(const IsoWeek& week) {
  storage::ReportQuery q;
  q.week_start = week.start;
  q.week_end = week.end;
  q.week_label = week.label();
  return q;
}

Result<ReportRequest> ParseReportRequest(const std::map<std::string, std::string>& params, TimeMs now,
                                         std::string* field) {
  ReportRequest out;
  IsoWeek week = LastCompleteWeek(now);
  if (const auto text = NonEmpty(params, "week")) {
    auto parsed = ParseIsoWeek(*text);
    if (!parsed.ok()) {
      *field = "week";
      return parsed.status();
    }
    if (parsed->start > now) {
      // A week that has not begun would report only zeros, as if nothing had happened.
      *field = "week";
      return Status::InvalidArgument("week " + parsed->label() + " has not begun; the last complete week is " +
                                     week.label());
    }
    week = *parsed;
  }
  out.query = ReportQueryFor(week);
  out.query.agency = NonEmpty(params, "agency");
  out.query.category = NonEmpty(params, "category");
  if (const auto name = NonEmpty(params, "format")) {
    const auto format = ParseReportFormat(*name);
    if (!format) {
      *field = "format";
      return Status::InvalidArgument("\"" + *name + "\" is not a report format (md, csv, json or html)");
    }
    out.format = *format;
  }
  return out;
}

}  // namespace linkwatch::daemon
