// Shared by the check-result tests: a store with registered links, and the
// outcome and audit helpers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage_test_util.h"

namespace linkwatch::storage::testing {

inline constexpr int64_t kLeaseMs = 60'000;
inline constexpr TimeMs kHourMs = 3'600'000;

inline std::string Url(int i) { return "https://example.org/" + std::to_string(i); }

// A file store with `n` registered links, all due at kStart.
class Fixture {
 public:
  explicit Fixture(int n = 0) : clock_(kStart), store_(MustOpen(path(), clock_)) {
    police_ = MustAgency(*store_, "Police");
    std::vector<Submission> subs;
    for (int i = 0; i < n; ++i) subs.push_back(Sub(Url(i)));
    for (const SubmissionResult& r : MustRegister(*store_, police_, std::move(subs))) {
      ids_.push_back(r.link_id);
    }
  }

  std::string path() const { return dir_.File("lw.db"); }
  Store& store() { return *store_; }
  ManualClock& clock() { return clock_; }
  const Actor& police() const { return police_; }
  const std::vector<int64_t>& ids() const { return ids_; }
  void Reopen() {
    store_.reset();
    store_ = MustOpen(path(), clock_);
  }
  void Close() { store_.reset(); }

  std::vector<DueLink> Lease(TimeMs now, int limit = 100, int64_t lease_ms = kLeaseMs) {
    auto leased = store_->LeaseDue(now, limit, lease_ms);
    INFO(leased.status().ToString());
    REQUIRE(leased.ok());
    return std::move(leased).value();
  }

  std::vector<bool> Record(std::vector<CheckOutcome> outcomes) {
    auto applied = store_->RecordChecks(std::move(outcomes));
    INFO(applied.status().ToString());
    REQUIRE(applied.ok());
    return std::move(applied).value();
  }

  Link Get(int64_t id) {
    auto link = store_->GetLink(id);
    INFO(link.status().ToString());
    REQUIRE(link.ok());
    return std::move(link).value();
  }

  std::vector<CheckRow> History(int64_t id, int limit = 100, int64_t before = 0) {
    auto rows = store_->History(id, limit, before);
    INFO(rows.status().ToString());
    REQUIRE(rows.ok());
    return std::move(rows).value();
  }

  int64_t Checks() { return RawDb(path()).Int("SELECT count(*) FROM link_check"); }

 private:
  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
  Actor police_;
  std::vector<int64_t> ids_;
};

inline std::vector<int64_t> Ids(const std::vector<DueLink>& links) {
  std::vector<int64_t> ids;
  for (const DueLink& l : links) ids.push_back(l.id);
  return ids;
}

// A check of `l` at `at` that saw `observed` and confirms it at once.
inline CheckOutcome Outcome(const DueLink& l, TimeMs at, const std::string& observed = "alive",
                     std::optional<int> http = 200) {
  CheckOutcome o;
  o.link_id = l.id;
  o.lease_id = l.lease_id;
  o.checked_at = at;
  o.http_status = http;
  o.observed = observed;
  o.final_url = l.canonical_url;
  o.elapsed_ms = 12;
  o.bytes = 345;
  o.status = observed;
  o.next_check_at = at + 6 * kHourMs;
  return o;
}

inline std::vector<std::string> AuditActions(Store& store) {
  auto entries = store.ListAudit(0, 1000);
  REQUIRE(entries.ok());
  std::vector<std::string> actions;
  for (const AuditEntry& e : *entries) actions.push_back(e.action);
  return actions;
}

inline std::vector<AuditEntry> AuditOf(Store& store, const std::string& action) {
  auto entries = store.ListAudit(0, 1000);
  REQUIRE(entries.ok());
  std::vector<AuditEntry> out;
  for (const AuditEntry& e : *entries) {
    if (e.action == action) out.push_back(e);
  }
  return out;
}

inline void RequireChainOk(Store& store) {
  auto verdict = store.VerifyAudit();
  REQUIRE(verdict.ok());
  INFO(verdict->reason);
  CHECK(verdict->ok);
}

}  // namespace linkwatch::storage::testing
