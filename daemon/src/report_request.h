// What GET /v1/report asks for, read from its query parameters. A pure
// function, so the API's validation is tested without a store.
#pragma once

#include <map>
#include <string>

#include "linkwatch/base/iso_week.h"
#include "linkwatch/base/status.h"
#include "report_render.h"

namespace linkwatch::daemon {

struct ReportRequest {
  storage::ReportQuery query;
  ReportFormat format = ReportFormat::kJson;
};

// Reads week (an ISO week, default: the last complete week before `now`),
// agency and category (empty or absent: all) and format (md, csv, json or html;
// default json). kInvalidArgument quoting the bad value, with *field set to
// the parameter's name ("week" or "format").
Result<ReportRequest> ParseReportRequest(const std::map<std::string, std::string>& params, TimeMs now,
                                         std::string* field);

// The query for one ISO week, unfiltered.
storage::ReportQuery ReportQueryFor(const IsoWeek& week);

}  // namespace linkwatch::daemon
