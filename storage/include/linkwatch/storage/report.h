// The weekly statistics report: the figures, as plain values. Store::Report
// computes them (storage/src/report_*.cpp, indexes only: no full scans of
// link_check); the daemon renders them as Markdown, CSV, JSON or HTML.
//
// Times are UTC milliseconds. A week is an ISO week [start, end): Monday 00:00
// to the next Monday 00:00 UTC. "This week" figures count events with
// start <= t < end (an event at week_end is the next week's).
//
// Due process: a link counts from its first report, that is from its
// registration, or for a discovered link from its acceptance (a reviewer's, or
// an agency registering it). Discovered links waiting for review or rejected
// count in the discovery figures only, never in status, transitions, time to
// removal, views or the top lists; an accepted one counts from its acceptance
// (before that, at past week ends, it is left out).
//
// Filters: `agency` keeps the links with at least one report by that agency
// (an unknown agency keeps none), each from the time of that agency's first
// report of it, so that a later report by the agency does not change the
// figures of weeks before it; `category` the links of that category
// (link.category). Both apply to every figure, with these exceptions:
// duplicates_* with an agency count only that agency's own duplicate reports
// (its row only); discovered/pending/rejected links have no report, so an
// agency filter leaves only `accepted` ones (those it reported by week_end).
//
// "Now" figures (status_now, views_alive, top_viewed, largest_clusters,
// pending) are as of the report's generation; the week's figures and the
// history are as of week_end (a link counts in the week's figures when it
// counts at week_end, and at each week end of the history when it counts
// then). The status at a week end T is the to_status of the last transition
// before T (events at T belong to the next week), pending for a link counted
// at T with no transition by then.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "linkwatch/base/time.h"

namespace linkwatch::storage {

struct ReportQuery {
  TimeMs week_start = 0;  // a Monday 00:00 UTC
  TimeMs week_end = 0;    // week_start + 7 days
  std::string week_label; // "2026-W47"
  std::optional<std::string> agency;    // links with a report by this agency
  std::optional<std::string> category;  // links of this category
  int top_n = 20;                       // top viewed links and largest clusters
  int history_weeks = 12;               // weeks of status history and time to removal
};

struct Count {
  std::string key;  // agency, category, host or status
  int64_t count = 0;
};

struct RemovalTimes {
  int64_t links = 0;                    // links whose first confirmed removal is in the period
  std::optional<double> median_hours;   // registration -> first confirmed removal (removed_since)
  std::optional<double> p90_hours;      // nearest-rank percentile (median too: the ceil(n/2)-th)
};

struct HostTransitions {
  std::string host;
  int64_t removed = 0, blocked = 0, reappeared = 0;  // links that became so this week
};

struct HostRemovalTimes {
  std::string host;
  RemovalTimes this_week, last_weeks;  // last_weeks: the history_weeks weeks ending with this one
};

struct TopLink {
  int64_t id = 0;
  std::string url, host, status;
  int64_t views = 0;
  // Views gained this week: the latest count before week_end minus the latest
  // before week_start (or the first in the week when there is none before);
  // 0 when no count in the week; nullopt when no count before week_end.
  std::optional<int64_t> growth;
};

struct TopCluster {
  int64_t id = 0;
  int64_t members = 0;  // links counted now (pending and rejected discovered ones left out)
  std::optional<int64_t> reach;  // sum of their known views; nullopt when none shows a count
  std::string sample_url;  // its oldest member
};

// The status of every monitored link at the end of one week (for a chart).
struct WeekStatus {
  std::string week_label;
  TimeMs end = 0;
  std::map<std::string, int64_t> by_status;  // pending, alive, removed, blocked, unreachable
};

struct ReportData {
  ReportQuery query;
  TimeMs generated_at = 0;

  // Registration.
  // A link is registered by its first report: a registration, or for a
  // discovered link its acceptance (or an agency registering it). this_week:
  // links whose first report is in the week; total: before week_end.
  int64_t registered_this_week = 0, registered_total = 0;  // links (not reports), up to week_end
  std::vector<Count> registered_by_agency;    // this week, by the agency of the link's first report
  std::vector<Count> registered_by_category;  // this week
  int64_t duplicates_this_week = 0;           // duplicate reports: repeated work the register removed
  std::vector<Count> duplicates_by_agency;    // this week, by the reporting agency
  // (Count vectors: most first, then by key.)

  // Status.
  std::map<std::string, int64_t> status_now;  // all five keys present (0 when none)
  // Links with a confirmed transition this week: to removed, to blocked, and
  // from removed to alive (as the daemon's reappeared_at). A link counts once.
  int64_t newly_removed = 0, newly_blocked = 0, reappeared = 0;  // transitions this week
  std::vector<HostTransitions> transitions_by_host;              // hosts with any, most first
  std::vector<WeekStatus> status_history;                        // oldest first, ending with this week

  // Time to removal: hours from the link's creation (its registration; for a
  // discovered link, its discovery) to removed_since of its first confirmed
  // removal; the period is that of the confirming transition.
  RemovalTimes removal_this_week, removal_last_weeks;
  std::vector<HostRemovalTimes> removal_by_host;  // hosts with removals in the last weeks, most first
  std::vector<double> removal_hours_last_weeks;   // every link's hours, ascending (for a histogram)

  // Reach.
  int64_t views_alive = 0;         // latest views of links alive now that show a view count
  int64_t alive_with_views = 0;    // how many of the links alive now show one (the rest count 0)
  int64_t views_growth = 0;        // views gained this week by links alive now (sum of TopLink::growth's rule)
  std::vector<TopLink> top_viewed;  // alive links, most viewed first
  std::vector<TopCluster> largest_clusters;  // clusters of 2 or more; most members first, then reach (unknown last)
  std::vector<std::pair<std::string, int64_t>> views_history;  // week label -> views of alive links at its end
                                                               // (each link's latest count before that end)

  // Discovery (this week: discovered = links found by the crawler in the week,
  // whatever their review since; accepted/rejected = decisions taken in the
  // week; pending = waiting now).
  int64_t discovered = 0, accepted = 0, rejected = 0, pending = 0;
};

}  // namespace linkwatch::storage
