// The weekly report's queries (issue 6). One pass over the links through the
// covering index link_report gives the population the filters select (and
// every "now" figure); the time-ranged facts come from indexes: the week's
// reports (report_time), the transitions since the oldest week of the history
// (link_transition_at) and the weekly views rollup (link_views_week's primary
// key). Past week ends are reached by undoing, newest first, the transitions
// and views rows after them. No query reads audit or link_check.
#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "linkwatch/base/iso_week.h"
#include "ops.h"
#include "report_read.h"
#include "sqlite_db.h"

namespace linkwatch::storage {

const std::string kReportLinksSql =
    "SELECT id, status, review_state, origin, category, created_at, reviewed_at, views, "
    "cluster_id FROM link";
const std::string kReportAgencyLinksSql =
    "SELECT DISTINCT link_id FROM report WHERE agency_id = ?1";
const std::string kReportWeekReportsSql =
    "SELECT r.link_id, a.name, r.duplicate, r.agency_id, "
    "NOT EXISTS (SELECT 1 FROM report p WHERE p.link_id = r.link_id AND p.id < r.id) "
    "FROM report r JOIN agency a ON a.id = r.agency_id "
    "WHERE r.reported_at >= ?1 AND r.reported_at < ?2";
const std::string kReportTransitionsSql =
    "SELECT link_id, at, from_status, to_status, first_removal, removed_since, host, id "
    "FROM link_transition WHERE at >= ?1 ORDER BY at DESC";
const std::string kReportViewsSql =
    "SELECT link_id, week, prev_views, first_views FROM link_views_week "
    "WHERE week >= ?1 ORDER BY week DESC";

namespace {

constexpr TimeMs kHourMs = 3600 * 1000LL;
constexpr TimeMs kWeekMs = 7 * 24 * kHourMs;

constexpr const char* kStatusNames[] = {"pending", "alive", "removed", "blocked", "unreachable"};
enum : uint8_t { kPending, kAlive, kRemoved, kBlocked, kUnreachable };
enum : uint8_t { kConfirmed, kReviewPending, kRejected };

uint8_t StatusCode(std::string_view s) {
  if (s == "alive") return kAlive;
  if (s == "removed") return kRemoved;
  if (s == "blocked") return kBlocked;
  if (s == "unreachable") return kUnreachable;
  return kPending;
}

uint8_t ReviewCode(std::string_view s) {
  if (s == "pending") return kReviewPending;
  if (s == "rejected") return kRejected;
  return kConfirmed;
}

constexpr int64_t kUnknown = -1;  // views never seen

// The links the filters select, rejected ones included (discovery counts them).
struct Population {
  std::vector<int32_t> pos_of;  // link id -> position, -1 when not selected
  std::vector<int64_t> id, created_at, reviewed_at, views, cluster;
  std::vector<uint8_t> status, review, discovered;
  std::vector<int32_t> category;
  std::vector<std::string> categories;

  int32_t Pos(int64_t link_id) const {
    if (link_id < 0 || static_cast<size_t>(link_id) >= pos_of.size()) return -1;
    return pos_of[static_cast<size_t>(link_id)];
  }
  size_t size() const { return id.size(); }
  bool Counted(size_t p) const { return review[p] != kRejected; }
  // The time of the link's first report: its registration, or for a
  // discovered link its acceptance (or an agency registering it).
  std::optional<TimeMs> RegisteredAt(size_t p) const {
    if (review[p] != kConfirmed) return std::nullopt;
    if (!discovered[p]) return created_at[p];
    if (reviewed_at[p] == kUnknown) return std::nullopt;
    return reviewed_at[p];
  }
};

bool InWeek(TimeMs t, const ReportQuery& q) { return t >= q.week_start && t < q.week_end; }

std::vector<Count> Sorted(const std::unordered_map<std::string, int64_t>& counts) {
  std::vector<Count> out;
  out.reserve(counts.size());
  for (const auto& [key, n] : counts) out.push_back({key, n});
  std::sort(out.begin(), out.end(), [](const Count& a, const Count& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
  return out;
}

// nullopt: the agency is unknown (it selects nothing).
Result<std::optional<int64_t>> AgencyId(Db& db, const std::string& name) {
  auto stmt = db.Prepare("SELECT id FROM agency WHERE name = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, std::string_view(name)).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->Int(0));
}

Result<Population> LoadPopulation(Db& db, const ReportQuery& q,
                                  const std::optional<int64_t>& agency_id) {
  Population pop;
  auto max_id = db.QueryInt("SELECT coalesce(max(id), 0) FROM link");
  if (!max_id.ok()) return max_id.status();
  pop.pos_of.assign(static_cast<size_t>(*max_id) + 1, -1);
  std::vector<bool> by_agency;
  if (q.agency) {
    by_agency.assign(pop.pos_of.size(), false);
    if (!agency_id) return pop;  // an unknown agency reported nothing
    auto stmt = db.Prepare(kReportAgencyLinksSql);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, *agency_id);
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const int64_t id = stmt->Int(0);
      if (id >= 0 && id <= *max_id) by_agency[static_cast<size_t>(id)] = true;
    }
  }
  auto stmt = db.Prepare(kReportLinksSql);
  if (!stmt.ok()) return stmt.status();
  std::unordered_map<std::string, int32_t> category_ids;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t id = stmt->Int(0);
    if (id < 0 || id > *max_id) continue;  // written after max(id): not in this report
    if (q.agency && !by_agency[static_cast<size_t>(id)]) continue;
    std::string category = stmt->Text(4);
    if (q.category && category != *q.category) continue;
    auto [it, added] = category_ids.try_emplace(category, static_cast<int32_t>(pop.categories.size()));
    if (added) pop.categories.push_back(std::move(category));
    pop.pos_of[static_cast<size_t>(id)] = static_cast<int32_t>(pop.id.size());
    pop.id.push_back(id);
    pop.status.push_back(StatusCode(stmt->Text(1)));
    pop.review.push_back(ReviewCode(stmt->Text(2)));
    pop.discovered.push_back(stmt->Text(3) == "discovered" ? 1 : 0);
    pop.category.push_back(it->second);
    pop.created_at.push_back(stmt->Int(5));
    pop.reviewed_at.push_back(stmt->OptInt(6).value_or(kUnknown));
    pop.views.push_back(stmt->OptInt(7).value_or(kUnknown));
    pop.cluster.push_back(stmt->OptInt(8).value_or(kUnknown));
  }
  return pop;
}

// ---- registration and duplicates -------------------------------------------------

Status FillRegistration(Db& db, const ReportQuery& q, const std::optional<int64_t>& agency_id,
                        const Population& pop, ReportData& out) {
  std::unordered_map<std::string, int64_t> by_agency, by_category, duplicates;
  auto stmt = db.Prepare(kReportWeekReportsSql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, q.week_start).Bind(2, q.week_end);
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int32_t p = pop.Pos(stmt->Int(0));
    if (p < 0 || !pop.Counted(static_cast<size_t>(p))) continue;
    const std::string agency = stmt->Text(1);
    if (stmt->Int(4) != 0) {  // the link's first report
      ++out.registered_this_week;
      ++by_agency[agency];
      ++by_category[pop.categories[static_cast<size_t>(pop.category[static_cast<size_t>(p)])]];
    }
    if (stmt->Int(2) != 0 && (!agency_id || stmt->Int(3) == *agency_id)) {
      ++out.duplicates_this_week;
      ++duplicates[agency];
    }
  }
  out.registered_by_agency = Sorted(by_agency);
  out.registered_by_category = Sorted(by_category);
  out.duplicates_by_agency = Sorted(duplicates);
  for (size_t p = 0; p < pop.size(); ++p) {
    const auto at = pop.RegisteredAt(p);
    if (at && *at < q.week_end) ++out.registered_total;
  }
  return Status::Ok();
}

// ---- now: status, reach, clusters, discovery ---------------------------------------

Result<std::pair<std::string, std::string>> UrlAndHost(Db& db, int64_t id) {
  auto stmt = db.Prepare("SELECT canonical_url, host FROM link WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Bind(1, id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::make_pair(std::string(), std::string());
  return std::make_pair(stmt->Text(0), stmt->Text(1));
}

void FillNow(const ReportQuery& q, const Population& pop, ReportData& out) {
  for (const char* s : kStatusNames) out.status_now[s] = 0;
  for (size_t p = 0; p < pop.size(); ++p) {
    if (pop.discovered[p]) {
      if (pop.review[p] != kRejected && InWeek(pop.created_at[p], q)) ++out.discovered;
      if (pop.reviewed_at[p] != kUnknown && InWeek(pop.reviewed_at[p], q)) {
        if (pop.review[p] == kConfirmed) ++out.accepted;
        if (pop.review[p] == kRejected) ++out.rejected;
      }
      if (pop.review[p] == kReviewPending) ++out.pending;
    }
    if (!pop.Counted(p)) continue;
    ++out.status_now[kStatusNames[pop.status[p]]];
    if (pop.status[p] == kAlive && pop.views[p] != kUnknown) out.views_alive += pop.views[p];
  }
}

Status FillTopViewed(Db& db, const ReportQuery& q, const Population& pop,
                     const std::vector<std::optional<int64_t>>& growth, ReportData& out) {
  std::vector<size_t> alive;
  for (size_t p = 0; p < pop.size(); ++p) {
    if (pop.Counted(p) && pop.status[p] == kAlive && pop.views[p] != kUnknown) alive.push_back(p);
  }
  const auto more_viewed = [&](size_t a, size_t b) {
    return pop.views[a] != pop.views[b] ? pop.views[a] > pop.views[b] : pop.id[a] < pop.id[b];
  };
  const size_t n = std::min(alive.size(), static_cast<size_t>(q.top_n));
  std::partial_sort(alive.begin(), alive.begin() + static_cast<std::ptrdiff_t>(n), alive.end(),
                    more_viewed);
  for (size_t i = 0; i < n; ++i) {
    const size_t p = alive[i];
    auto url = UrlAndHost(db, pop.id[p]);
    if (!url.ok()) return url.status();
    out.top_viewed.push_back(
        {pop.id[p], std::move(url->first), std::move(url->second), "alive", pop.views[p], growth[p]});
  }
  return Status::Ok();
}

Status FillClusters(Db& db, const ReportQuery& q, const Population& pop, ReportData& out) {
  struct Agg {
    int64_t members = 0, reach = 0;
    TimeMs oldest_at = 0;
    int64_t oldest_id = 0;
  };
  std::unordered_map<int64_t, Agg> clusters;
  for (size_t p = 0; p < pop.size(); ++p) {
    if (!pop.Counted(p) || pop.cluster[p] == kUnknown) continue;
    Agg& a = clusters[pop.cluster[p]];
    if (a.members == 0 || std::make_pair(pop.created_at[p], pop.id[p]) <
                              std::make_pair(a.oldest_at, a.oldest_id)) {
      a.oldest_at = pop.created_at[p];
      a.oldest_id = pop.id[p];
    }
    ++a.members;
    if (pop.views[p] != kUnknown) a.reach += pop.views[p];
  }
  std::vector<TopCluster> all;
  for (const auto& [id, a] : clusters) {
    if (a.members >= 2) all.push_back({id, a.members, a.reach, std::to_string(a.oldest_id)});
  }
  std::sort(all.begin(), all.end(), [](const TopCluster& a, const TopCluster& b) {
    if (a.members != b.members) return a.members > b.members;
    if (a.reach != b.reach) return a.reach > b.reach;
    return a.id < b.id;
  });
  if (all.size() > static_cast<size_t>(q.top_n)) all.resize(static_cast<size_t>(q.top_n));
  for (TopCluster& c : all) {
    auto url = UrlAndHost(db, std::stoll(c.sample_url));
    if (!url.ok()) return url.status();
    c.sample_url = std::move(url->first);
  }
  out.largest_clusters = std::move(all);
  return Status::Ok();
}

// ---- transitions, removal times, history -------------------------------------------

struct TransitionRow {
  int64_t id = 0;
  TimeMs at = 0;
  int32_t pos = -1;
  uint8_t from = 0, to = 0;
};

struct ViewsRow {
  TimeMs week = 0;
  int32_t pos = -1;
  int64_t prev = kUnknown, first = 0;
};

// Nearest rank: the smallest value with at least p% of the values at or below it.
std::optional<double> NearestRank(const std::vector<double>& sorted, int percent) {
  if (sorted.empty()) return std::nullopt;
  const size_t n = sorted.size();
  size_t rank = (static_cast<size_t>(percent) * n + 99) / 100;
  rank = std::clamp<size_t>(rank, 1, n);
  return sorted[rank - 1];
}

RemovalTimes Times(std::vector<double>& hours) {
  std::sort(hours.begin(), hours.end());
  RemovalTimes t;
  t.links = static_cast<int64_t>(hours.size());
  t.median_hours = NearestRank(hours, 50);
  t.p90_hours = NearestRank(hours, 90);
  return t;
}

// Reads the transitions since `since`, newest first, and fills this week's
// transitions and the removal times.
Result<std::vector<TransitionRow>> LoadTransitions(Db& db, const ReportQuery& q, TimeMs since,
                                                   const Population& pop, ReportData& out) {
  std::vector<TransitionRow> rows;
  std::unordered_set<int64_t> removed, blocked, reappeared;
  std::unordered_map<std::string, HostTransitions> hosts;
  struct HostHours {
    std::vector<double> week, last;
  };
  std::unordered_map<std::string, HostHours> host_hours;
  std::vector<double> week_hours, last_hours;
  auto stmt = db.Prepare(kReportTransitionsSql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, since);
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t link_id = stmt->Int(0);
    const int32_t p = pop.Pos(link_id);
    if (p < 0 || !pop.Counted(static_cast<size_t>(p))) continue;
    TransitionRow t{stmt->Int(7), stmt->Int(1), p, StatusCode(stmt->Text(2)),
                    StatusCode(stmt->Text(3))};
    rows.push_back(t);
    if (t.at >= q.week_end) continue;
    const bool in_week = t.at >= q.week_start;
    if (in_week) {
      const bool r = t.to == kRemoved && removed.insert(link_id).second;
      const bool b = t.to == kBlocked && blocked.insert(link_id).second;
      const bool a = t.from == kRemoved && t.to == kAlive && reappeared.insert(link_id).second;
      if (r || b || a) {
        const std::string host = stmt->Text(6);
        HostTransitions& h = hosts[host];
        h.host = host;
        h.removed += r ? 1 : 0;
        h.blocked += b ? 1 : 0;
        h.reappeared += a ? 1 : 0;
      }
    }
    if (t.to == kRemoved && stmt->Int(4) != 0) {
      const TimeMs removed_since = stmt->OptInt(5).value_or(t.at);
      const double hours =
          static_cast<double>(removed_since - pop.created_at[static_cast<size_t>(p)]) /
          static_cast<double>(kHourMs);
      HostHours& h = host_hours[stmt->Text(6)];
      last_hours.push_back(hours);
      h.last.push_back(hours);
      if (in_week) {
        week_hours.push_back(hours);
        h.week.push_back(hours);
      }
    }
  }
  out.newly_removed = static_cast<int64_t>(removed.size());
  out.newly_blocked = static_cast<int64_t>(blocked.size());
  out.reappeared = static_cast<int64_t>(reappeared.size());
  for (auto& [host, h] : hosts) out.transitions_by_host.push_back(h);
  std::sort(out.transitions_by_host.begin(), out.transitions_by_host.end(),
            [](const HostTransitions& a, const HostTransitions& b) {
              const int64_t na = a.removed + a.blocked + a.reappeared;
              const int64_t nb = b.removed + b.blocked + b.reappeared;
              return na != nb ? na > nb : a.host < b.host;
            });
  out.removal_this_week = Times(week_hours);
  out.removal_last_weeks = Times(last_hours);
  out.removal_hours_last_weeks = last_hours;  // sorted by Times
  for (auto& [host, h] : host_hours) {
    out.removal_by_host.push_back({host, Times(h.week), Times(h.last)});
  }
  std::sort(out.removal_by_host.begin(), out.removal_by_host.end(),
            [](const HostRemovalTimes& a, const HostRemovalTimes& b) {
              return a.last_weeks.links != b.last_weeks.links
                         ? a.last_weeks.links > b.last_weeks.links
                         : a.host < b.host;
            });
  // Undone newest first; among equal times the later row first.
  std::sort(rows.begin(), rows.end(), [](const TransitionRow& a, const TransitionRow& b) {
    return a.at != b.at ? a.at > b.at : a.id > b.id;
  });
  return rows;
}

Result<std::vector<ViewsRow>> LoadViews(Db& db, TimeMs since, const Population& pop) {
  std::vector<ViewsRow> rows;
  auto stmt = db.Prepare(kReportViewsSql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, since);
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return rows;
    const int32_t p = pop.Pos(stmt->Int(0));
    if (p < 0 || !pop.Counted(static_cast<size_t>(p))) continue;
    rows.push_back({stmt->Int(1), p, stmt->OptInt(2).value_or(kUnknown), stmt->Int(3)});
  }
}

std::string WeekLabel(TimeMs week_start) { return IsoWeekOf(week_start).label(); }

// Status and views at each week end, by undoing what happened after it; and
// each link's views growth in the report week.
void FillHistory(const ReportQuery& q, const Population& pop,
                 const std::vector<TransitionRow>& transitions, const std::vector<ViewsRow>& views,
                 std::vector<std::optional<int64_t>>& growth, ReportData& out) {
  const int weeks = q.history_weeks;
  std::vector<uint8_t> status = pop.status;
  std::vector<int64_t> seen = pop.views;
  std::vector<int64_t> at_end, at_start;
  std::unordered_map<int32_t, int64_t> first_in_week;
  out.status_history.resize(static_cast<size_t>(weeks));
  out.views_history.resize(static_cast<size_t>(weeks));
  size_t ti = 0, vi = 0;
  // Boundaries newest first: every week's end, then the oldest week's start.
  for (int k = weeks - 1; k >= -1; --k) {
    const TimeMs t = q.week_start - static_cast<TimeMs>(weeks - 1 - k) * kWeekMs + kWeekMs;
    for (; ti < transitions.size() && transitions[ti].at >= t; ++ti) {
      status[static_cast<size_t>(transitions[ti].pos)] = transitions[ti].from;
    }
    for (; vi < views.size() && views[vi].week >= t; ++vi) {
      const ViewsRow& v = views[vi];
      seen[static_cast<size_t>(v.pos)] = v.prev;
      if (v.week == q.week_start && v.prev == kUnknown) first_in_week[v.pos] = v.first;
    }
    if (t == q.week_end) at_end = seen;
    if (t == q.week_start) at_start = seen;
    if (k < 0) break;
    WeekStatus& ws = out.status_history[static_cast<size_t>(k)];
    ws.end = t;
    ws.week_label = WeekLabel(t - kWeekMs);
    for (const char* s : kStatusNames) ws.by_status[s] = 0;
    int64_t counts[5] = {0, 0, 0, 0, 0};
    int64_t alive_views = 0;
    for (size_t p = 0; p < pop.size(); ++p) {
      if (!pop.Counted(p) || pop.created_at[p] >= t) continue;
      ++counts[status[p]];
      if (status[p] == kAlive && seen[p] != kUnknown) alive_views += seen[p];
    }
    for (int s = 0; s < 5; ++s) ws.by_status[kStatusNames[s]] = counts[s];
    out.views_history[static_cast<size_t>(k)] = {ws.week_label, alive_views};
  }
  growth.assign(pop.size(), std::nullopt);
  for (size_t p = 0; p < pop.size(); ++p) {
    if (at_end[p] == kUnknown) continue;
    if (at_start[p] != kUnknown) {
      growth[p] = at_end[p] - at_start[p];
    } else if (auto it = first_in_week.find(static_cast<int32_t>(p)); it != first_in_week.end()) {
      growth[p] = at_end[p] - it->second;
    }
    if (pop.Counted(p) && pop.status[p] == kAlive && growth[p]) out.views_growth += *growth[p];
  }
}

Result<ReportData> Build(Db& db, const ReportQuery& q, TimeMs now) {
  ReportData out;
  out.query = q;
  out.generated_at = now;
  std::optional<int64_t> agency_id;
  if (q.agency) {
    auto id = AgencyId(db, *q.agency);
    if (!id.ok()) return id.status();
    agency_id = *id;
  }
  auto pop = LoadPopulation(db, q, agency_id);
  if (!pop.ok()) return pop.status();
  if (q.agency && !agency_id) agency_id = -1;  // matches no report
  if (auto st = FillRegistration(db, q, agency_id, *pop, out); !st.ok()) return st;
  FillNow(q, *pop, out);
  const TimeMs oldest_start = q.week_start - static_cast<TimeMs>(q.history_weeks - 1) * kWeekMs;
  auto transitions = LoadTransitions(db, q, oldest_start, *pop, out);
  if (!transitions.ok()) return transitions.status();
  auto views = LoadViews(db, oldest_start, *pop);
  if (!views.ok()) return views.status();
  std::vector<std::optional<int64_t>> growth;
  FillHistory(q, *pop, *transitions, *views, growth, out);
  if (auto st = FillTopViewed(db, q, *pop, growth, out); !st.ok()) return st;
  if (auto st = FillClusters(db, q, *pop, out); !st.ok()) return st;
  return out;
}

}  // namespace

Result<ReportData> QueryReport(Db& db, const ReportQuery& query, TimeMs now) {
  // One read transaction: every figure sees the same snapshot.
  if (auto st = db.Exec("BEGIN"); !st.ok()) return st;
  auto report = Build(db, query, now);
  (void)db.Exec("COMMIT");
  return report;
}

}  // namespace linkwatch::storage
