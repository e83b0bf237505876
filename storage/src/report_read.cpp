// The weekly report's queries (issue 6). One pass over the links through the
// covering index link_report gives the population the filters select (and
// every "now" figure); the time-ranged facts come from indexes: the week's
// reports (report_time), the transitions since the oldest week of the history
// (link_transition_at) and the weekly views rollup (link_views_week's primary
// key); with an agency filter, that agency's reports (report_agency_link, and
// those of the history's weeks by time). Past week ends are reached by
// undoing, newest first, the transitions and views rows after them. No query
// reads audit or link_check.
#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "linkwatch/base/iso_week.h"
#include "ops.h"
#include "report_read.h"
#include "row_pipe.h"
#include "sqlite_db.h"

namespace linkwatch::storage {

const std::string kReportLinksSql =
    "SELECT id, status, review_state, origin, category, created_at, reviewed_at, views, "
    "cluster_id FROM link";
const std::string kReportAgencyLinksSql =
    "SELECT link_id, count(*) FROM report WHERE agency_id = ?1 GROUP BY link_id";
// "+agency_id": the range of report_time, which holds link and agency, not
// report_agency_time with a table lookup per report.
const std::string kReportAgencyRecentSql =
    "SELECT link_id, reported_at FROM report WHERE +agency_id = ?1 AND reported_at >= ?2";
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
constexpr TimeMs kNever = std::numeric_limits<TimeMs>::max();     // counts at no time
constexpr TimeMs kLongAgo = std::numeric_limits<TimeMs>::min();   // before every boundary

// The links the filters select, pending and rejected discovered ones included
// (discovery counts them; no other figure does).
struct Population {
  std::vector<int32_t> pos_of;  // link id -> position, -1 when not selected
  std::vector<int64_t> id, created_at, reviewed_at, views, cluster;
  // From when the link counts in the figures: its first report (Since), or
  // with an agency filter that agency's first report of it; kNever for a
  // machine finding no person confirmed (pending or rejected).
  std::vector<TimeMs> since;
  std::vector<uint8_t> status, review, discovered;
  std::vector<int32_t> category;
  std::vector<std::string> categories;

  void Reserve(size_t n) {
    for (auto* v : {&id, &created_at, &reviewed_at, &views, &cluster, &since}) v->reserve(n);
    for (auto* v : {&status, &review, &discovered}) v->reserve(n);
    category.reserve(n);
  }
  int32_t Pos(int64_t link_id) const {
    if (link_id < 0 || static_cast<size_t>(link_id) >= pos_of.size()) return -1;
    return pos_of[static_cast<size_t>(link_id)];
  }
  size_t size() const { return id.size(); }
  // Counted in the "now" figures; in the figures of a time t (a week end).
  bool CountedNow(size_t p) const { return since[p] != kNever; }
  bool CountedAt(size_t p, TimeMs t) const { return since[p] < t; }
};

// The time of the link's first report: its registration, or for a discovered
// link its acceptance (or an agency registering it); kNever before that.
TimeMs Since(uint8_t review, bool discovered, TimeMs created_at, TimeMs reviewed_at) {
  if (review != kConfirmed) return kNever;
  if (!discovered) return created_at;
  return reviewed_at == kUnknown ? kNever : reviewed_at;
}

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

// The reports of the filter's agency: how many of each link, and those since
// `window` (the oldest week of the history). A link whose reports all fall in
// the window counts from the first of them; one with an older report counts
// at every boundary of this report.
class AgencyReports {
 public:
  Status Load(Db& db, int64_t agency_id, TimeMs window, int64_t max_id) {
    count_.assign(static_cast<size_t>(max_id) + 1, 0);
    auto all = db.Prepare(kReportAgencyLinksSql);
    if (!all.ok()) return all.status();
    all->Bind(1, agency_id);
    for (;;) {
      auto row = all->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const int64_t id = all->Int(0);
      if (id >= 0 && id <= max_id) count_[static_cast<size_t>(id)] = static_cast<int32_t>(all->Int(1));
    }
    auto recent = db.Prepare(kReportAgencyRecentSql);
    if (!recent.ok()) return recent.status();
    recent->Bind(1, agency_id).Bind(2, window);
    for (;;) {
      auto row = recent->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      Recent& r = recent_.try_emplace(recent->Int(0), Recent{0, kNever}).first->second;
      ++r.reports;
      r.first_at = std::min(r.first_at, recent->Int(1));
    }
    return Status::Ok();
  }
  bool Has(int64_t id) const { return count_[static_cast<size_t>(id)] > 0; }
  // REQUIRES: Has(id).
  TimeMs FirstAt(int64_t id) const {
    const auto it = recent_.find(id);
    if (it == recent_.end() || it->second.reports < count_[static_cast<size_t>(id)]) return kLongAgo;
    return it->second.first_at;
  }

 private:
  struct Recent {
    int32_t reports;
    TimeMs first_at;
  };
  std::vector<int32_t> count_;  // link id -> the agency's reports of it
  std::unordered_map<int64_t, Recent> recent_;
};

// window: the start of the history's oldest week.
Result<Population> LoadPopulation(Db& db, const ReportQuery& q,
                                  const std::optional<int64_t>& agency_id, TimeMs window) {
  Population pop;
  auto max_id = db.QueryInt("SELECT coalesce(max(id), 0) FROM link");
  if (!max_id.ok()) return max_id.status();
  pop.pos_of.assign(static_cast<size_t>(*max_id) + 1, -1);
  AgencyReports by_agency;
  if (q.agency) {
    if (!agency_id) return pop;  // an unknown agency reported nothing
    if (auto st = by_agency.Load(db, *agency_id, window, *max_id); !st.ok()) return st;
  }
  auto stmt = db.Prepare(kReportLinksSql);
  if (!stmt.ok()) return stmt.status();
  pop.Reserve(pop.pos_of.size());
  struct LinkRow {
    int64_t id, created_at, reviewed_at, views, cluster;
    TimeMs since;
    int32_t category;
    uint8_t status, review, discovered;
  };
  std::map<std::string, int32_t, std::less<>> category_ids;  // a handful; the reader's
  std::vector<std::string> categories;
  {
    RowPipe<LinkRow> links(*stmt, [&](const Stmt& s, LinkRow& r) {
      r.id = s.Int(0);
      if (r.id < 0 || r.id > *max_id) return false;  // written after max(id): not in this report
      if (q.agency && !by_agency.Has(r.id)) return false;
      const std::string_view category = s.TextView(4);
      if (q.category && category != *q.category) return false;
      auto it = category_ids.find(category);
      if (it == category_ids.end()) {
        it = category_ids.emplace(std::string(category), static_cast<int32_t>(categories.size())).first;
        categories.emplace_back(category);
      }
      r.category = it->second;
      r.status = StatusCode(s.TextView(1));
      r.review = ReviewCode(s.TextView(2));
      r.discovered = s.TextView(3) == "discovered" ? 1 : 0;
      r.created_at = s.Int(5);
      r.reviewed_at = s.OptInt(6).value_or(kUnknown);
      r.views = s.OptInt(7).value_or(kUnknown);
      r.cluster = s.OptInt(8).value_or(kUnknown);
      r.since = Since(r.review, r.discovered != 0, r.created_at, r.reviewed_at);
      if (q.agency && r.since != kNever) r.since = std::max(r.since, by_agency.FirstAt(r.id));
      return true;
    });
    for (;;) {
      auto next = links.Next();
      if (!next.ok()) return next.status();
      const LinkRow* r = *next;
      if (r == nullptr) break;
      pop.pos_of[static_cast<size_t>(r->id)] = static_cast<int32_t>(pop.id.size());
      pop.id.push_back(r->id);
      pop.status.push_back(r->status);
      pop.review.push_back(r->review);
      pop.discovered.push_back(r->discovered);
      pop.category.push_back(r->category);
      pop.created_at.push_back(r->created_at);
      pop.reviewed_at.push_back(r->reviewed_at);
      pop.views.push_back(r->views);
      pop.cluster.push_back(r->cluster);
      pop.since.push_back(r->since);
    }
  }
  pop.categories = std::move(categories);
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
    if (p < 0 || !pop.CountedAt(static_cast<size_t>(p), q.week_end)) continue;
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
    if (pop.CountedAt(p, q.week_end)) ++out.registered_total;
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

// Discovery counts every machine finding, whatever its review since; with an
// agency filter only those the agency reported by the week's end.
void CountDiscovery(const ReportQuery& q, const Population& pop, size_t p, ReportData& out) {
  if (q.agency && !pop.CountedAt(p, q.week_end)) return;
  if (InWeek(pop.created_at[p], q)) ++out.discovered;
  if (pop.reviewed_at[p] != kUnknown && InWeek(pop.reviewed_at[p], q)) {
    if (pop.review[p] == kConfirmed) ++out.accepted;
    if (pop.review[p] == kRejected) ++out.rejected;
  }
  if (pop.review[p] == kReviewPending) ++out.pending;
}

void FillNow(const ReportQuery& q, const Population& pop, ReportData& out) {
  for (const char* s : kStatusNames) out.status_now[s] = 0;
  for (size_t p = 0; p < pop.size(); ++p) {
    if (pop.discovered[p]) CountDiscovery(q, pop, p, out);
    if (!pop.CountedNow(p)) continue;
    ++out.status_now[kStatusNames[pop.status[p]]];
    if (pop.status[p] == kAlive && pop.views[p] != kUnknown) {
      out.views_alive += pop.views[p];
      ++out.alive_with_views;
    }
  }
}

Status FillTopViewed(Db& db, const ReportQuery& q, const Population& pop,
                     const std::vector<std::optional<int64_t>>& growth, ReportData& out) {
  std::vector<size_t> alive;
  for (size_t p = 0; p < pop.size(); ++p) {
    if (pop.CountedNow(p) && pop.status[p] == kAlive && pop.views[p] != kUnknown) alive.push_back(p);
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
    int64_t members = 0;
    std::optional<int64_t> reach;  // unknown until a member shows its views
    TimeMs oldest_at = 0;
    int64_t oldest_id = 0;
  };
  std::unordered_map<int64_t, Agg> clusters;
  for (size_t p = 0; p < pop.size(); ++p) {
    if (!pop.CountedNow(p) || pop.cluster[p] == kUnknown) continue;
    Agg& a = clusters[pop.cluster[p]];
    if (a.members == 0 || std::make_pair(pop.created_at[p], pop.id[p]) <
                              std::make_pair(a.oldest_at, a.oldest_id)) {
      a.oldest_at = pop.created_at[p];
      a.oldest_id = pop.id[p];
    }
    ++a.members;
    if (pop.views[p] != kUnknown) a.reach = a.reach.value_or(0) + pop.views[p];
  }
  std::vector<TopCluster> all;
  for (const auto& [id, a] : clusters) {
    if (a.members >= 2) all.push_back({id, a.members, a.reach, std::to_string(a.oldest_id)});
  }
  std::sort(all.begin(), all.end(), [](const TopCluster& a, const TopCluster& b) {
    if (a.members != b.members) return a.members > b.members;
    if (a.reach != b.reach) return a.reach > b.reach;  // an unknown reach after every known one
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

// Host names numbered in order of first appearance (a report sees a few hundred).
class HostIds {
 public:
  int32_t Of(std::string_view host) {
    if (auto it = ids_.find(host); it != ids_.end()) return it->second;
    const auto id = static_cast<int32_t>(names_.size());
    names_.emplace_back(host);
    ids_.emplace(names_.back(), id);
    return id;
  }
  const std::string& Name(int32_t id) const { return names_[static_cast<size_t>(id)]; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::string> names_;
};

// One link_transition row as read, before the population is consulted.
struct RawTransition {
  int64_t id = 0, link_id = 0;
  TimeMs at = 0, removed_since = 0;
  int32_t host = -1;  // only for the rows whose host a figure may need
  uint8_t from = 0, to = 0;
  bool first_removal = false;
};

// Reads the transitions since `since`, newest first, and fills this week's
// transitions and the removal times. Rows come in time order, so their links
// are scattered over the population's arrays: they are read in batches and
// each batch's lookups are prefetched before they are used.
Result<std::vector<TransitionRow>> LoadTransitions(Db& db, const ReportQuery& q, TimeMs since,
                                                   const Population& pop, ReportData& out) {
  enum : uint8_t { kBecameRemoved = 1, kBecameBlocked = 2, kReappeared = 4 };
  std::vector<uint8_t> this_week(pop.size(), 0);  // what each link became this week
  HostIds host_ids;
  std::vector<HostTransitions> hosts;
  struct HostHours {
    std::vector<double> week, last;
  };
  std::vector<HostHours> host_hours;
  std::vector<double> week_hours, last_hours;
  std::vector<TransitionRow> rows;
  const auto count = [&](const RawTransition& r, int32_t p) {
    TransitionRow t{r.id, r.at, p, r.from, r.to};
    rows.push_back(t);
    if (t.at >= q.week_end) return;
    const bool in_week = t.at >= q.week_start;
    const size_t pos = static_cast<size_t>(p);
    if (in_week) {
      uint8_t became = 0;
      if (t.to == kRemoved) became = kBecameRemoved;
      if (t.to == kBlocked) became = kBecameBlocked;
      if (t.from == kRemoved && t.to == kAlive) became = kReappeared;
      if (became != 0 && (this_week[pos] & became) == 0) {
        this_week[pos] |= became;
        if (hosts.size() <= static_cast<size_t>(r.host)) hosts.resize(static_cast<size_t>(r.host) + 1);
        HostTransitions& h = hosts[static_cast<size_t>(r.host)];
        h.removed += became == kBecameRemoved ? 1 : 0;
        h.blocked += became == kBecameBlocked ? 1 : 0;
        h.reappeared += became == kReappeared ? 1 : 0;
      }
    }
    if (t.to == kRemoved && r.first_removal) {
      const double hours = static_cast<double>(r.removed_since - pop.created_at[pos]) /
                           static_cast<double>(kHourMs);
      if (host_hours.size() <= static_cast<size_t>(r.host)) {
        host_hours.resize(static_cast<size_t>(r.host) + 1);
      }
      HostHours& h = host_hours[static_cast<size_t>(r.host)];
      last_hours.push_back(hours);
      h.last.push_back(hours);
      if (in_week) {
        week_hours.push_back(hours);
        h.week.push_back(hours);
      }
    }
  };
  constexpr size_t kBatch = 32;
  RawTransition batch[kBatch];
  int32_t positions[kBatch];
  const auto flush = [&](size_t n) {
    for (size_t i = 0; i < n; ++i) {
      positions[i] = pop.Pos(batch[i].link_id);
      if (positions[i] >= 0) {
        __builtin_prefetch(&pop.since[static_cast<size_t>(positions[i])]);
        __builtin_prefetch(&pop.created_at[static_cast<size_t>(positions[i])]);
        __builtin_prefetch(&this_week[static_cast<size_t>(positions[i])]);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (positions[i] >= 0 && pop.CountedAt(static_cast<size_t>(positions[i]), q.week_end)) {
        count(batch[i], positions[i]);
      }
    }
  };
  auto stmt = db.Prepare(kReportTransitionsSql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, since);
  {
    RowPipe<RawTransition> pipe(*stmt, [&host_ids](const Stmt& s, RawTransition& r) {
      r.link_id = s.Int(0);
      r.at = s.Int(1);
      r.from = StatusCode(s.TextView(2));
      r.to = StatusCode(s.TextView(3));
      r.first_removal = s.Int(4) != 0;
      r.removed_since = s.OptInt(5).value_or(r.at);
      r.id = s.Int(7);
      const bool host_needed =
          r.to == kRemoved || r.to == kBlocked || (r.from == kRemoved && r.to == kAlive);
      r.host = host_needed ? host_ids.Of(s.TextView(6)) : -1;
      return true;
    });
    size_t n = 0;
    for (;;) {
      auto next = pipe.Next();
      if (!next.ok()) return next.status();
      if (*next == nullptr) break;
      const RawTransition& r = batch[n] = **next;
      if (r.link_id >= 0 && static_cast<size_t>(r.link_id) < pop.pos_of.size()) {
        __builtin_prefetch(&pop.pos_of[static_cast<size_t>(r.link_id)]);
      }
      if (++n == kBatch) {
        flush(n);
        n = 0;
      }
    }
    flush(n);
  }  // the reader is done with host_ids
  int64_t became[3] = {0, 0, 0};
  for (const uint8_t b : this_week) {
    became[0] += (b & kBecameRemoved) != 0 ? 1 : 0;
    became[1] += (b & kBecameBlocked) != 0 ? 1 : 0;
    became[2] += (b & kReappeared) != 0 ? 1 : 0;
  }
  out.newly_removed = became[0];
  out.newly_blocked = became[1];
  out.reappeared = became[2];
  for (size_t i = 0; i < hosts.size(); ++i) {
    HostTransitions& h = hosts[i];
    if (h.removed + h.blocked + h.reappeared == 0) continue;
    h.host = host_ids.Name(static_cast<int32_t>(i));
    out.transitions_by_host.push_back(std::move(h));
  }
  std::sort(out.transitions_by_host.begin(), out.transitions_by_host.end(),
            [](const HostTransitions& a, const HostTransitions& b) {
              const int64_t na = a.removed + a.blocked + a.reappeared;
              const int64_t nb = b.removed + b.blocked + b.reappeared;
              return na != nb ? na > nb : a.host < b.host;
            });
  out.removal_this_week = Times(week_hours);
  out.removal_last_weeks = Times(last_hours);
  out.removal_hours_last_weeks = last_hours;  // sorted by Times
  for (size_t i = 0; i < host_hours.size(); ++i) {
    HostHours& h = host_hours[i];
    if (h.last.empty()) continue;
    out.removal_by_host.push_back({host_ids.Name(static_cast<int32_t>(i)), Times(h.week), Times(h.last)});
  }
  std::sort(out.removal_by_host.begin(), out.removal_by_host.end(),
            [](const HostRemovalTimes& a, const HostRemovalTimes& b) {
              return a.last_weeks.links != b.last_weeks.links
                         ? a.last_weeks.links > b.last_weeks.links
                         : a.host < b.host;
            });
  // Undone newest first; among equal times the later row first. The rows came
  // newest first, so only the runs of equal times need ordering.
  for (size_t i = 0; i < rows.size();) {
    size_t j = i + 1;
    while (j < rows.size() && rows[j].at == rows[i].at) ++j;
    if (j - i > 1) {
      std::sort(rows.begin() + static_cast<std::ptrdiff_t>(i), rows.begin() + static_cast<std::ptrdiff_t>(j),
                [](const TransitionRow& a, const TransitionRow& b) { return a.id > b.id; });
    }
    i = j;
  }
  return rows;
}

// The weekly views rows of the counted links, newest week first, read as
// they are used (there are millions: they are not kept).
class ViewsCursor {
 public:
  // stmt: kReportViewsSql, bound.
  ViewsCursor(Stmt& stmt, const Population& pop)
      : pop_(pop), pipe_(stmt, [](const Stmt& s, Raw& r) {
          r.link_id = s.Int(0);
          r.week = s.Int(1);
          r.prev = s.OptInt(2).value_or(kUnknown);
          r.first = s.Int(3);
          return true;
        }) {}

  // The next row, or nullptr at the end.
  Result<const ViewsRow*> Next() {
    for (;;) {
      auto next = pipe_.Next();
      if (!next.ok()) return next.status();
      const Raw* r = *next;
      if (r == nullptr) return static_cast<const ViewsRow*>(nullptr);
      const int32_t p = pop_.Pos(r->link_id);
      if (p < 0 || !pop_.CountedNow(static_cast<size_t>(p))) continue;
      row_ = {r->week, p, r->prev, r->first};
      return static_cast<const ViewsRow*>(&row_);
    }
  }

 private:
  struct Raw {
    int64_t link_id = 0;
    TimeMs week = 0;
    int64_t prev = kUnknown, first = 0;
  };
  const Population& pop_;
  RowPipe<Raw> pipe_;
  ViewsRow row_;
};

std::string WeekLabel(TimeMs week_start) { return IsoWeekOf(week_start).label(); }

// Status and views at each week end, by undoing what happened after it; and
// each link's views growth in the report week.
Status FillHistory(const ReportQuery& q, const Population& pop,
                   const std::vector<TransitionRow>& transitions, ViewsCursor& views,
                   std::vector<std::optional<int64_t>>& growth, ReportData& out) {
  const int weeks = q.history_weeks;
  std::vector<uint8_t> status = pop.status;
  std::vector<int64_t> seen = pop.views;
  std::vector<int64_t> at_end, at_start;
  std::unordered_map<int32_t, int64_t> first_in_week;
  out.status_history.resize(static_cast<size_t>(weeks));
  out.views_history.resize(static_cast<size_t>(weeks));
  size_t ti = 0;
  auto next_view = views.Next();
  if (!next_view.ok()) return next_view.status();
  const ViewsRow* v = *next_view;
  // Boundaries newest first: every week's end, then the oldest week's start.
  for (int k = weeks - 1; k >= -1; --k) {
    const TimeMs t = q.week_start - static_cast<TimeMs>(weeks - 1 - k) * kWeekMs + kWeekMs;
    for (; ti < transitions.size() && transitions[ti].at >= t; ++ti) {
      status[static_cast<size_t>(transitions[ti].pos)] = transitions[ti].from;
    }
    for (; v != nullptr && v->week >= t; v = *next_view) {
      seen[static_cast<size_t>(v->pos)] = v->prev;
      if (v->week == q.week_start && v->prev == kUnknown) first_in_week[v->pos] = v->first;
      next_view = views.Next();
      if (!next_view.ok()) return next_view.status();
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
      if (!pop.CountedAt(p, t)) continue;
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
    if (pop.CountedNow(p) && pop.status[p] == kAlive && growth[p]) out.views_growth += *growth[p];
  }
  return Status::Ok();
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
  const TimeMs oldest_start = q.week_start - static_cast<TimeMs>(q.history_weeks - 1) * kWeekMs;
  auto pop = LoadPopulation(db, q, agency_id, oldest_start);
  if (!pop.ok()) return pop.status();
  if (q.agency && !agency_id) agency_id = -1;  // matches no report
  if (auto st = FillRegistration(db, q, agency_id, *pop, out); !st.ok()) return st;
  FillNow(q, *pop, out);
  auto transitions = LoadTransitions(db, q, oldest_start, *pop, out);
  if (!transitions.ok()) return transitions.status();
  auto views_stmt = db.Prepare(kReportViewsSql);
  if (!views_stmt.ok()) return views_stmt.status();
  views_stmt->Bind(1, oldest_start);
  std::vector<std::optional<int64_t>> growth;
  {
    ViewsCursor views(*views_stmt, *pop);
    if (auto st = FillHistory(q, *pop, *transitions, views, growth, out); !st.ok()) return st;
  }
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
