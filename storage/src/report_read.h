// The weekly report's SQL, exposed so that tests can check the query plans.
#pragma once

#include <string>

namespace linkwatch::storage {

extern const std::string kReportLinksSql;        // every link, through the covering index link_report
extern const std::string kReportAgencyLinksSql;   // ?1 agency id: its links, reports of each (report_agency_link)
extern const std::string kReportAgencyRecentSql;  // ?1 agency id, ?2 since: its reports' links and times
extern const std::string kReportWeekReportsSql;  // ?1, ?2: the week's reports (report_time)
extern const std::string kReportTransitionsSql;  // ?1: transitions since, newest first
extern const std::string kReportViewsSql;        // ?1: weekly views rows since, newest first

}  // namespace linkwatch::storage
