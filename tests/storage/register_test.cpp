// Registering links: new, duplicate, duplicate within a batch, concurrency,
// batch isolation and durability.
#include <future>
#include <set>
#include <thread>

#include "storage_test_util.h"

namespace linkwatch::storage::testing {
namespace {

std::string StorePath(const TempDir& dir) {
  const auto kind = GENERATE(as<std::string>{}, "file", "memory");
  return kind == "file" ? dir.File("lw.db") : ":memory:";
}

TEST_CASE("a new link is created pending and confirmed, checked at once") {
  TempDir dir;
  ManualClock clock(kStart);
  auto store = MustOpen(StorePath(dir), clock);
  const Actor police = MustAgency(*store, "Police");
  Submission s = Sub("https://example.org/a", "seen on a forum");
  s.submitted_url = "HTTP://Example.org/a#top";
  auto r = MustRegister(*store, police, {s});
  REQUIRE(r.size() == 1);
  CHECK_FALSE(r[0].duplicate);
  CHECK(r[0].first_agency == "Police");
  CHECK(r[0].first_reported_at == kStart);

  auto link = store->GetLink(r[0].link_id);
  REQUIRE(link.ok());
  CHECK(link->canonical_url == "https://example.org/a");
  CHECK(link->submitted_url == "HTTP://Example.org/a#top");
  CHECK(link->host == "example.org");
  CHECK(link->origin == "registered");
  CHECK(link->review_state == "confirmed");
  CHECK(link->status == "pending");
  CHECK(link->category == "extremism");
  CHECK_FALSE(link->flagged);
  CHECK(link->next_check_at == kStart);
  CHECK_FALSE(link->last_checked_at.has_value());
  CHECK(link->created_at == kStart);
  CHECK(link->first_agency == "Police");
  REQUIRE(link->reports.size() == 1);
  CHECK(link->reports[0].id == r[0].report_id);
  CHECK(link->reports[0].agency == "Police");
  CHECK(link->reports[0].note == "seen on a forum");
  CHECK(link->reports[0].legal_basis == "Court decision 2-123/2026");
  CHECK_FALSE(link->reports[0].duplicate);
}

TEST_CASE("a second registration of the same link names who was first and when") {
  TempDir dir;
  ManualClock clock(kStart);
  auto store = MustOpen(StorePath(dir), clock);
  const Actor police = MustAgency(*store, "Police");
  const Actor fsb = MustAgency(*store, "Security Service");
  const auto first = MustRegister(*store, police, {Sub("https://example.org/a")});
  clock.Advance(60'000);
  const auto second = MustRegister(*store, fsb, {Sub("https://example.org/a", "again")});

  REQUIRE(second.size() == 1);
  CHECK(second[0].duplicate);
  CHECK(second[0].link_id == first[0].link_id);
  CHECK(second[0].report_id != first[0].report_id);
  CHECK(second[0].first_agency == "Police");
  CHECK(second[0].first_reported_at == kStart);

  auto link = store->GetLinkByUrl("https://example.org/a");
  REQUIRE(link.ok());
  REQUIRE(link->reports.size() == 2);
  CHECK(link->reports[0].agency == "Police");
  CHECK_FALSE(link->reports[0].duplicate);
  CHECK(link->reports[1].agency == "Security Service");
  CHECK(link->reports[1].duplicate);
  CHECK(link->reports[1].reported_at == kStart + 60'000);
  CHECK(store->GetLinkByUrl("https://example.org/b").status().code() ==
        Status::Code::kNotFound);
  CHECK(store->GetLink(999).status().code() == Status::Code::kNotFound);
}

TEST_CASE("within one batch, a repeated URL is a duplicate of its first row") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  const Actor police = MustAgency(*store, "Police");
  const auto r = MustRegister(*store, police,
                              {Sub("https://example.org/x"), Sub("https://example.org/y"),
                               Sub("https://example.org/x"), Sub("https://example.org/x")});
  struct Expect {
    bool duplicate;
    size_t same_link_as;
  };
  const Expect expected[] = {{false, 0}, {false, 1}, {true, 0}, {true, 0}};
  REQUIRE(r.size() == std::size(expected));
  for (size_t i = 0; i < r.size(); ++i) {
    INFO("row " << i);
    CHECK(r[i].duplicate == expected[i].duplicate);
    CHECK(r[i].link_id == r[expected[i].same_link_as].link_id);
    CHECK(r[i].first_agency == "Police");
    CHECK(r[i].first_reported_at == kStart);
  }
  CHECK(r[0].link_id != r[1].link_id);
  auto page = store->ListLinks({});
  REQUIRE(page.ok());
  CHECK(page->links.size() == 2);
}

TEST_CASE("invalid submissions are refused before anything is written") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  const Actor police = MustAgency(*store, "Police");
  Submission no_basis = Sub("https://example.org/a");
  no_basis.legal_basis.clear();
  Submission no_category = Sub("https://example.org/b");
  no_category.category.clear();
  Submission no_url = Sub("");
  Submission huge_note = Sub("https://example.org/c", std::string(100'000, 'n'));
  Submission bad_utf8 = Sub("https://example.org/\xc3");
  const auto bad = GENERATE_COPY(no_basis, no_category, no_url, huge_note, bad_utf8);
  auto r = store->Register(police, {Sub("https://example.org/ok"), bad});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(r.status().message().find("submission 1") != std::string::npos);
  auto page = store->ListLinks({});
  REQUIRE(page.ok());
  CHECK(page->links.empty());
}

TEST_CASE("a failing job is rolled back alone while its batch commits") {
  TempDir dir;
  ManualClock clock(kStart);
  auto store = MustOpen(dir.File("lw.db"), clock);
  const Actor police = MustAgency(*store, "Police");
  // Failure injection: a report noted "boom" fails, after the job already
  // wrote a link, a report and an audit row for its first submission.
  RawDb(dir.File("lw.db"))
      .Exec("CREATE TRIGGER boom BEFORE INSERT ON report WHEN NEW.note = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");

  // Hold the writer in a callback so that the next jobs queue up as one batch.
  std::promise<void> release;
  auto released = release.get_future().share();
  store->RegisterAsync(police, {Sub("https://example.org/gate")},
                       [released](Result<std::vector<SubmissionResult>>) { released.wait(); });
  std::promise<Result<std::vector<SubmissionResult>>> before, failing, after;
  auto deliver = [](std::promise<Result<std::vector<SubmissionResult>>>& p) {
    return [&p](Result<std::vector<SubmissionResult>> r) { p.set_value(std::move(r)); };
  };
  store->RegisterAsync(police, {Sub("https://example.org/before")}, deliver(before));
  store->RegisterAsync(police,
                       {Sub("https://example.org/doomed"), Sub("https://example.org/b", "boom")},
                       deliver(failing));
  store->RegisterAsync(police, {Sub("https://example.org/after")}, deliver(after));
  release.set_value();

  CHECK(before.get_future().get().ok());
  auto failed = failing.get_future().get();
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().message().find("injected failure") != std::string::npos);
  CHECK(after.get_future().get().ok());
  CHECK(store->GetLinkByUrl("https://example.org/before").ok());
  CHECK(store->GetLinkByUrl("https://example.org/after").ok());
  CHECK(store->GetLinkByUrl("https://example.org/doomed").status().code() ==
        Status::Code::kNotFound);
  // The failed job's audit row was rolled back with it: the chain has no gap.
  MustRegister(*store, police, {Sub("https://example.org/later")});
  auto verdict = store->VerifyAudit();
  REQUIRE(verdict.ok());
  CHECK(verdict->ok);
  CHECK(verdict->rows_checked == 5);
}

TEST_CASE("duplicate agency names in one batch: one wins, the other fails alone") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  const Actor police = MustAgency(*store, "Police");
  std::promise<void> release;
  auto released = release.get_future().share();
  store->RegisterAsync(police, {Sub("https://example.org/gate")},
                       [released](Result<std::vector<SubmissionResult>>) { released.wait(); });
  auto a = std::async(std::launch::async,
                      [&] { return store->CreateAgency(BootstrapActor(), "Twice"); });
  auto b = std::async(std::launch::async,
                      [&] { return store->CreateAgency(BootstrapActor(), "Twice"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let both queue up
  release.set_value();
  const auto ra = a.get();
  const auto rb = b.get();
  CHECK(ra.ok() != rb.ok());
  const auto& loser = ra.ok() ? rb : ra;
  CHECK(loser.status().code() == Status::Code::kAlreadyExists);
  auto agencies = store->ListAgencies();
  REQUIRE(agencies.ok());
  CHECK(agencies->size() == 2);
  CHECK(store->VerifyAudit().value().ok);
}

TEST_CASE("concurrent registrations keep one link per URL and every report") {
  TempDir dir;
  ManualClock clock(kStart);
  auto store = MustOpen(dir.File("lw.db"), clock);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  constexpr int kPerCall = 50;
  constexpr int kDistinct = 700;
  std::vector<Actor> actors;
  for (int t = 0; t < kThreads; ++t) actors.push_back(MustAgency(*store, "A" + std::to_string(t)));
  auto url = [](int t, int k) {
    return "https://example.org/p/" + std::to_string((t * 137 + k) % kDistinct);
  };
  std::set<std::string> distinct;
  for (int t = 0; t < kThreads; ++t) {
    for (int k = 0; k < kPerThread; ++k) distinct.insert(url(t, k));
  }

  std::atomic<int> fresh{0}, duplicates{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<void>> pending;
      for (int k = 0; k < kPerThread; k += kPerCall) {
        std::vector<Submission> subs;
        for (int j = k; j < k + kPerCall; ++j) subs.push_back(Sub(url(t, j)));
        auto done = std::make_shared<std::promise<void>>();
        pending.push_back(done->get_future());
        store->RegisterAsync(actors[t], std::move(subs),
                             [&, done](Result<std::vector<SubmissionResult>> r) {
                               if (!r.ok()) ++failures;
                               for (const auto& s : r.ok() ? *r : std::vector<SubmissionResult>{})
                                 ++(s.duplicate ? duplicates : fresh);
                               done->set_value();
                             });
        (void)store->ListLinks({});  // readers run alongside the writer
      }
      for (auto& f : pending) f.wait();
    });
  }
  for (auto& th : threads) th.join();

  CHECK(failures == 0);
  CHECK(fresh == static_cast<int>(distinct.size()));
  CHECK(duplicates == kThreads * kPerThread - static_cast<int>(distinct.size()));

  std::set<std::string> seen;
  int64_t reports = 0;
  LinkFilter filter;
  filter.limit = 1000;
  for (;;) {
    auto page = store->ListLinks(filter);
    REQUIRE(page.ok());
    for (const Link& l : page->links) {
      CHECK(seen.insert(l.canonical_url).second);
      auto full = store->GetLink(l.id);
      REQUIRE(full.ok());
      reports += static_cast<int64_t>(full->reports.size());
      CHECK_FALSE(full->reports.front().duplicate);
    }
    if (page->next_after_id == 0) break;
    filter.after_id = page->next_after_id;
  }
  CHECK(seen == distinct);
  CHECK(reports == kThreads * kPerThread);
  auto verdict = store->VerifyAudit();
  REQUIRE(verdict.ok());
  CHECK(verdict->ok);
  CHECK(verdict->rows_checked == kThreads + kThreads * kPerThread);
}

TEST_CASE("a registration is visible to a second store on the same file without Close") {
  TempDir dir;
  ManualClock clock(kStart);
  const auto path = dir.File("lw.db");
  Options durable = TestOptions();
  durable.durable = true;
  auto first = MustOpen(path, clock, durable);
  const Actor police = MustAgency(*first, "Police");
  MustRegister(*first, police, {Sub("https://example.org/durable")});

  auto second = MustOpen(path, clock, durable);
  auto link = second->GetLinkByUrl("https://example.org/durable");
  REQUIRE(link.ok());
  CHECK(link->first_agency == "Police");

  // Both stores write; each picks up the other's audit rows before appending.
  MustRegister(*second, police, {Sub("https://example.org/second")});
  MustRegister(*first, police, {Sub("https://example.org/first-again")});
  auto verdict = second->VerifyAudit();
  REQUIRE(verdict.ok());
  CHECK(verdict->ok);
  CHECK(verdict->rows_checked == 4);
}

TEST_CASE("registration by an unknown agency or token fails and writes nothing") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  const Actor police = MustAgency(*store, "Police");
  Actor nobody;
  nobody.agency_id = 77;
  nobody.agency = "Nobody";
  Actor ghost = police;
  ghost.token_id = 4242;  // no such token: the report's foreign key fails
  const bool unknown_agency = GENERATE(true, false);
  auto r = store->Register(unknown_agency ? nobody : ghost, {Sub("https://example.org/a")});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(store->GetLinkByUrl("https://example.org/a").status().code() == Status::Code::kNotFound);
}

TEST_CASE("registrations are audited with their report") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  const Actor police = MustAgency(*store, "Police");
  const auto r = MustRegister(*store, police,
                              {Sub("https://example.org/a"), Sub("https://example.org/a")});
  auto audit = store->ListAudit(1, 10);  // after agency.create
  REQUIRE(audit.ok());
  REQUIRE(audit->size() == 2);
  const std::string target = "link:" + std::to_string(r[0].link_id);
  CHECK((*audit)[0].action == "link.register");
  CHECK((*audit)[0].target == target);
  CHECK((*audit)[0].agency == "Police");
  CHECK((*audit)[0].detail ==
        R"({"basis":"Court decision 2-123/2026","category":"extremism","report":)" +
            std::to_string(r[0].report_id) + R"(,"url":"https://example.org/a"})");
  CHECK((*audit)[1].action == "link.register.repeat");  // the same agency, basis and category
  CHECK((*audit)[1].target == target);
}

TEST_CASE("an agency reporting a link again with the same basis records nothing new") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  const Actor police = MustAgency(*store, "Police");
  const Actor fsb = MustAgency(*store, "FSB");
  const auto first = MustRegister(*store, police, {Sub("https://example.org/a", "first")});
  clock.Advance(1000);
  // A retried import: same agency, basis and category (the note may differ).
  const auto again = MustRegister(*store, police, {Sub("https://example.org/a", "retry")});
  REQUIRE(again.size() == 1);
  CHECK(again[0].duplicate);
  CHECK(again[0].repeated);
  CHECK(again[0].report_id == first[0].report_id);
  CHECK(again[0].first_agency == "Police");
  // A new basis from the same agency, and another agency, are new reports.
  Submission other_basis = Sub("https://example.org/a");
  other_basis.legal_basis = "Court decision 9-1/2026";
  const auto newer = MustRegister(*store, police, {other_basis});
  CHECK(newer[0].duplicate);
  CHECK_FALSE(newer[0].repeated);
  CHECK(newer[0].report_id != first[0].report_id);
  const auto by_fsb = MustRegister(*store, fsb, {Sub("https://example.org/a")});
  CHECK(by_fsb[0].duplicate);
  CHECK_FALSE(by_fsb[0].repeated);
  auto link = store->GetLink(first[0].link_id);
  REQUIRE(link.ok());
  REQUIRE(link->reports.size() == 3);
  CHECK(link->reports[0].note == "first");
}

}  // namespace
}  // namespace linkwatch::storage::testing
