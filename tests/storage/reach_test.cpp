// Reach and spread: counters and their growth, content clusters, discovery
// candidates within their limits, and the review of discovered links.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "checks_fixture.h"

namespace linkwatch::storage::testing {
namespace {

constexpr TimeMs kDayMs = 24 * kHourMs;
const std::string kFa(64, 'a'), kFb(64, 'b'), kFc(64, 'c');

CheckOutcome Seen(const DueLink& l, TimeMs at, std::optional<int64_t> views) {
  CheckOutcome o = Outcome(l, at);
  o.reach.counters_seen = true;
  o.reach.views = views;
  o.reach.shares = views ? std::optional<int64_t>(*views / 10) : std::nullopt;
  o.next_check_at = at + 1;
  return o;
}

CheckOutcome Clustered(const DueLink& l, TimeMs at, const std::string& fingerprint,
                       const std::string& cluster, uint64_t simhash, std::optional<int64_t> views) {
  CheckOutcome o = Seen(l, at, views);
  o.reach.fingerprint = fingerprint;
  o.reach.cluster_key = cluster;
  o.reach.simhash = simhash;
  return o;
}

CandidateOffer Offer(const std::string& url, const std::string& host, bool allow = false) {
  return {url, url, host, allow};
}

Actor Reviewer(Store& store) {
  Actor a = MustAgency(store, "Prosecutor");
  a.role = Role::kReviewer;
  return a;
}

TEST_CASE("every check keeps the counters it saw, the link its latest known ones, and growth") {
  Fixture fx(1);
  TimeMs t = kStart;
  const std::vector<std::pair<TimeMs, std::optional<int64_t>>> seen = {
      {0, 100}, {1 * kDayMs, 150}, {5 * kDayMs, 400}, {8 * kDayMs, std::nullopt}, {9 * kDayMs, 800}};
  for (const auto& [offset, views] : seen) {
    t = kStart + offset;
    const DueLink l = fx.Lease(t).at(0);
    REQUIRE(fx.Record({Seen(l, t, views)}) == std::vector<bool>{true});
  }
  fx.clock().Set(t);
  const Link link = fx.Get(fx.ids()[0]);
  CHECK(link.views == 800);
  CHECK(link.shares == 80);
  CHECK(link.views_growth == 700);     // since the first count
  CHECK(link.views_growth_7d == 650);  // since the last count a week ago or earlier (day 1)
  RawDb raw(fx.path());
  CHECK(raw.Int("SELECT count(*) FROM link_check WHERE views IS NULL") == 1);  // unknown, not 0

  SECTION("an unreadable counter keeps the link's last known value") {
    const DueLink l = fx.Lease(t + 1).at(0);
    REQUIRE(fx.Record({Seen(l, t + 1, std::nullopt)}) == std::vector<bool>{true});
    CHECK(fx.Get(l.id).views == 800);
  }
}

TEST_CASE("pages join clusters by key, and a cluster lists its copies with their views") {
  Fixture fx(3);
  const auto l = fx.Lease(kStart);
  REQUIRE(l.size() == 3);
  REQUIRE(fx.Record({Clustered(l[0], kStart, kFa, kFa, 0x1234, 100),
                     Clustered(l[1], kStart, kFb, kFa, 0x1235, 50),
                     Clustered(l[2], kStart, kFc, kFc, 0xFFFF000000000000ULL, 7)}) ==
          std::vector<bool>{true, true, true});
  auto cluster = fx.store().GetCluster(l[0].id);
  REQUIRE(cluster.ok());
  CHECK(cluster->fingerprint == kFa);
  REQUIRE(cluster->members.size() == 2);
  CHECK(cluster->members[0].link_id == l[0].id);
  CHECK(cluster->members[1].link_id == l[1].id);
  CHECK(cluster->members[1].views == 50);
  CHECK(cluster->reach == 150);
  CHECK(fx.Get(l[0].id).repost_count == 1);
  CHECK(fx.Get(l[2].id).repost_count == 0);
  CHECK(fx.Get(l[0].id).cluster_id == fx.Get(l[1].id).cluster_id);
  CHECK(fx.Get(l[0].id).cluster_id != fx.Get(l[2].id).cluster_id);

  auto entries = fx.store().ListClusterEntries();
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 3);
  std::map<std::string, std::pair<uint64_t, std::string>> by_fp;
  for (const auto& e : *entries) by_fp[e.fingerprint] = {e.simhash, e.cluster_key};
  CHECK(by_fp[kFb] == std::make_pair(uint64_t{0x1235}, kFa));
  CHECK(by_fp[kFc].first == 0xFFFF000000000000ULL);  // all 64 bits survive storage

  CHECK(fx.store().GetCluster(999).status().code() == Status::Code::kNotFound);
}

TEST_CASE("a cluster's reach adds the known views only, and is unknown when none is") {
  Fixture fx(4);
  const auto l = fx.Lease(kStart);
  REQUIRE(l.size() == 4);
  REQUIRE(fx.Record({Clustered(l[0], kStart, kFa, kFa, 0x1234, std::nullopt),
                     Clustered(l[1], kStart, kFb, kFa, 0x1235, std::nullopt),
                     Clustered(l[2], kStart, kFc, kFc, 0xFFFF000000000000ULL, 0),
                     Clustered(l[3], kStart, std::string(64, 'd'), kFc, 0xFFFF000000000001ULL, std::nullopt)}) ==
          std::vector<bool>{true, true, true, true});
  auto unknown = fx.store().GetCluster(l[0].id);
  REQUIRE(unknown.ok());
  REQUIRE(unknown->members.size() == 2);
  CHECK_FALSE(unknown->reach.has_value());  // not 0: nobody saw a count
  auto partly = fx.store().GetCluster(l[2].id);
  REQUIRE(partly.ok());
  REQUIRE(partly->members.size() == 2);
  CHECK(partly->reach == std::optional<int64_t>(0));  // one copy shows 0 views: a real 0
}

TEST_CASE("candidates are queued only within scope, depth and the day's budget") {
  Fixture fx(1);  // https://example.org/0, host example.org
  const int64_t from = fx.ids()[0];
  OfferLimits limits;
  limits.max_depth = 2;
  limits.max_per_day = 3;
  auto queued = fx.store().OfferCandidates(
      from,
      {Offer("https://example.org/copy", "example.org"),            // a monitored host
       Offer("https://elsewhere.example/x", "elsewhere.example"),   // out of scope
       Offer("https://mirror.example/y", "mirror.example", true),   // allow-listed
       Offer("https://example.org/0", "example.org")},              // already a link
      limits, kStart);
  REQUIRE(queued.ok());
  CHECK(*queued == 2);
  // Offered again: nothing new.
  CHECK(*fx.store().OfferCandidates(from, {Offer("https://example.org/copy", "example.org")}, limits, kStart) == 0);
  // The day's budget: 3 in 24 h.
  CHECK(*fx.store().OfferCandidates(from, {Offer("https://example.org/a", "example.org"),
                                           Offer("https://example.org/b", "example.org")},
                                    limits, kStart + 1) == 1);
  CHECK(*fx.store().OfferCandidates(from, {Offer("https://example.org/c", "example.org")}, limits,
                                    kStart + kDayMs + 1) == 1);

  auto due = fx.store().LeaseCandidates(kStart + kDayMs + 2, 10, 60'000);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 4);
  // The page cap counts links in scope: three out of scope first do not use up a cap of 2.
  OfferLimits per_page;
  per_page.max_per_page = 2;
  CHECK(*fx.store().OfferCandidates(from,
                                    {Offer("https://far1.example/x", "far1.example"),
                                     Offer("https://far2.example/x", "far2.example"),
                                     Offer("https://far3.example/x", "far3.example"),
                                     Offer("https://example.org/m1", "example.org"),
                                     Offer("https://example.org/m2", "example.org"),
                                     Offer("https://example.org/m3", "example.org")},
                                    per_page, kStart + kDayMs + 3) == 2);
  const auto capped = fx.store().LeaseCandidates(kStart + kDayMs + 4, 10, 60'000);
  REQUIRE(capped.ok());
  REQUIRE(capped->size() == 2);
  CHECK(capped->at(0).url == "https://example.org/m1");
  CHECK(capped->at(1).url == "https://example.org/m2");
  // Offered again, the known ones (queued already) do not use the cap either.
  CHECK(*fx.store().OfferCandidates(from,
                                    {Offer("https://example.org/m1", "example.org"),
                                     Offer("https://example.org/m2", "example.org"),
                                     Offer("https://example.org/m3", "example.org")},
                                    per_page, kStart + kDayMs + 5) == 1);
  CHECK(due->at(0).found_from == from);
  CHECK(due->at(0).depth == 1);
  CHECK(fx.store().LeaseCandidates(kStart + kDayMs + 3, 10, 60'000)->empty());  // leased
  CHECK(fx.store().LeaseCandidates(kStart + kDayMs + 60'003, 10, 60'000)->size() == 5);  // expired, and m3

  SECTION("a discovered candidate becomes a pending link one level deeper, due now") {
    CandidateVerdict v;
    v.key = "https://example.org/copy";
    v.discovered = true;
    v.reason = "rules: cd-001";
    v.checked_at = kStart + kDayMs + 10;
    auto ids = fx.store().RecordCandidates({v});
    REQUIRE(ids.ok());
    REQUIRE(ids->at(0) > 0);
    const Link link = fx.Get(ids->at(0));
    CHECK(link.origin == "discovered");
    CHECK(link.review_state == "pending");
    CHECK(link.found_from == from);
    CHECK(link.found_from_url == "https://example.org/0");
    CHECK(link.found_reason == "rules: cd-001");
    CHECK(link.depth == 1);
    CHECK(link.category == "extremism");  // found_from's
    CHECK(link.next_check_at == v.checked_at);
    CHECK(AuditOf(fx.store(), "link.discover").size() == 1);
    // Depth: from a link at depth 1 with max_depth 1 nothing is offered.
    limits.max_depth = 1;
    CHECK(*fx.store().OfferCandidates(link.id, {Offer("https://example.org/deeper", "example.org")},
                                      limits, kStart + kDayMs + 20) == 0);
  }
  SECTION("a candidate that matched nothing is not queued again before its remember time") {
    CandidateVerdict v;
    v.key = "https://mirror.example/y";
    v.checked_at = kStart + kDayMs + 10;
    v.remember_ms = kDayMs;
    REQUIRE(fx.store().RecordCandidates({v})->at(0) == 0);
    limits.max_per_day = 100;
    const auto again = Offer("https://mirror.example/y", "mirror.example", true);
    CHECK(*fx.store().OfferCandidates(from, {again}, limits, v.checked_at + kDayMs - 1) == 0);
    CHECK(*fx.store().OfferCandidates(from, {again}, limits, v.checked_at + kDayMs) == 1);
  }
}

TEST_CASE("reviewers accept or reject discovered links, each decision audited") {
  Fixture fx(1);
  const int64_t from = fx.ids()[0];
  OfferLimits limits;
  REQUIRE(*fx.store().OfferCandidates(from, {Offer("https://example.org/p1", "example.org"),
                                             Offer("https://example.org/p2", "example.org")},
                                      limits, kStart) == 2);
  std::vector<CandidateVerdict> verdicts(2);
  verdicts[0].key = "https://example.org/p1";
  verdicts[1].key = "https://example.org/p2";
  for (auto& v : verdicts) {
    v.discovered = true;
    v.checked_at = kStart + 5;
  }
  auto ids = fx.store().RecordCandidates(verdicts);
  REQUIRE(ids.ok());
  auto pending = fx.store().ListReview("pending", 50, 0);
  REQUIRE(pending.ok());
  REQUIRE(pending->links.size() == 2);
  CHECK(pending->links[0].found_from_url == "https://example.org/0");

  const Actor reviewer = Reviewer(fx.store());
  auto accepted = fx.store().Review(reviewer, {ids->at(0), true, "Court decision 9/2026", ""});
  REQUIRE(accepted.ok());
  CHECK(accepted->review_state == "confirmed");
  REQUIRE(accepted->reports.size() == 1);
  CHECK(accepted->reports[0].agency == "Prosecutor");
  CHECK(accepted->reports[0].legal_basis == "Court decision 9/2026");
  CHECK(accepted->reviewed_at.has_value());

  auto rejected = fx.store().Review(reviewer, {ids->at(1), false, "", "not the designated material"});
  REQUIRE(rejected.ok());
  CHECK(rejected->review_state == "rejected");
  CHECK(rejected->review_reason == "not the designated material");
  CHECK_FALSE(rejected->next_check_at.has_value());
  // Never leased again, whatever the clock says.
  for (const DueLink& d : fx.Lease(kStart + 365 * kDayMs)) CHECK(d.id != ids->at(1));
  CHECK(fx.store().ListReview("pending", 50, 0)->links.empty());
  CHECK(fx.store().ListReview("rejected", 50, 0)->links.size() == 1);
  CHECK(AuditOf(fx.store(), "link.accept").size() == 1);
  CHECK(AuditOf(fx.store(), "link.reject").size() == 1);
  RequireChainOk(fx.store());

  // A second decision, a missing basis or reason, an unknown link: refused.
  CHECK(fx.store().Review(reviewer, {ids->at(0), false, "", "changed my mind"}).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(fx.store().Review(reviewer, {ids->at(0), true, "", ""}).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(fx.store().Review(reviewer, {from, true, "x", ""}).status().code() ==
        Status::Code::kInvalidArgument);  // a registered link
  CHECK(fx.store().Review(reviewer, {999, true, "x", ""}).status().code() == Status::Code::kNotFound);
}

TEST_CASE("registering a discovered link confirms it, as its first report, pending or rejected") {
  Fixture fx(1);
  REQUIRE(*fx.store().OfferCandidates(fx.ids()[0], {Offer("https://example.org/p1", "example.org"),
                                                    Offer("https://example.org/p2", "example.org")},
                                      OfferLimits{}, kStart) == 2);
  CandidateVerdict v;
  v.key = "https://example.org/p1";
  v.discovered = true;
  v.checked_at = kStart;
  CandidateVerdict w = v;
  w.key = "https://example.org/p2";
  const auto found = fx.store().RecordCandidates({v, w});
  REQUIRE(found.ok());
  const int64_t pending = found->at(0), rejected = found->at(1);
  Actor reviewer = MustAgency(fx.store(), "Prosecutor");
  reviewer.role = Role::kReviewer;
  REQUIRE(fx.store().Review(reviewer, {rejected, false, "", "a parody"}).ok());

  auto r = MustRegister(fx.store(), fx.police(), {Sub("https://example.org/p1"), Sub("https://example.org/p2")});
  CHECK(r[0].link_id == pending);
  CHECK_FALSE(r[0].duplicate);  // nobody had reported it: not "already registered by" anyone
  CHECK(r[0].first_agency == "Police");
  CHECK(r[0].confirmed_finding == "pending");
  CHECK(r[1].link_id == rejected);
  CHECK_FALSE(r[1].duplicate);
  CHECK(r[1].confirmed_finding == "rejected");
  CHECK(fx.Get(pending).review_state == "confirmed");
  const Link back = fx.Get(rejected);
  CHECK(back.review_state == "confirmed");
  CHECK(back.review_reason.empty());      // the rejection's reason is in the audit log
  CHECK(back.next_check_at.has_value());  // monitored again
  const auto audit = AuditOf(fx.store(), "link.register");
  REQUIRE(audit.size() >= 2);
  CHECK_THAT(audit[audit.size() - 1].detail, Catch::Contains("\"confirms_finding\":\"rejected\""));
  CHECK_THAT(audit[audit.size() - 2].detail, Catch::Contains("\"confirms_finding\":\"pending\""));
  CHECK(AuditOf(fx.store(), "link.register.duplicate").empty());
  // A second agency's report of it is a duplicate, naming the first.
  const Actor city = MustAgency(fx.store(), "City");
  auto again = MustRegister(fx.store(), city, {Sub("https://example.org/p1")});
  CHECK(again[0].duplicate);
  CHECK(again[0].first_agency == "Police");
  CHECK(again[0].confirmed_finding.empty());
  RequireChainOk(fx.store());
}

}  // namespace
}  // namespace linkwatch::storage::testing
