// ListLinks: every filter field, and keyset paging.
#include "storage_test_util.h"

namespace linkwatch::storage::testing {
namespace {

// Five links with distinct facts; statuses and origins set by hand, as the
// scheduler and crawler will set them later.
class ListFixture {
 public:
  ListFixture() : clock_(kStart), store_(MustOpen(dir_.File("lw.db"), clock_)) {
    const Actor police = MustAgency(*store_, "Police");
    const Actor court = MustAgency(*store_, "Court 50%_off");
    MustRegister(*store_, police,
                 {Sub("https://a.example/alpha", "forum post"),
                  Sub("https://b.example/beta", "", "terrorism"),
                  Sub("https://c.example/100%_sure", "note with a_b inside")});
    MustRegister(*store_, court, {Sub("https://d.example/delta", "", "terrorism"),
                                  Sub("https://a.example/alpha", "court saw it too")});
    MustRegister(*store_, court, {Sub("https://e.example/axb", "")});
    RawDb raw(dir_.File("lw.db"));
    raw.Exec("UPDATE link SET status = 'alive' WHERE canonical_url LIKE '%beta' OR "
             "canonical_url LIKE '%delta'");
    raw.Exec("UPDATE link SET origin = 'discovered', review_state = 'pending' "
             "WHERE canonical_url LIKE '%axb'");
  }
  Store& store() { return *store_; }

  std::vector<std::string> Urls(const LinkFilter& filter) {
    auto page = store_->ListLinks(filter);
    INFO(page.status().ToString());
    REQUIRE(page.ok());
    std::vector<std::string> urls;
    for (const Link& l : page->links) urls.push_back(l.canonical_url);
    return urls;
  }

 private:
  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
};

LinkFilter With(void (*set)(LinkFilter&)) {
  LinkFilter f;
  set(f);
  return f;
}

TEST_CASE("ListLinks honours every filter field") {
  ListFixture fx;
  using Urls = std::vector<std::string>;
  const auto [name, filter, expected] = GENERATE(table<std::string, LinkFilter, Urls>({
      {"no filter", LinkFilter{},
       {"https://a.example/alpha", "https://b.example/beta", "https://c.example/100%_sure",
        "https://d.example/delta", "https://e.example/axb"}},
      {"status", With([](LinkFilter& f) { f.status = "alive"; }),
       {"https://b.example/beta", "https://d.example/delta"}},
      {"status nobody has", With([](LinkFilter& f) { f.status = "removed"; }), {}},
      {"category", With([](LinkFilter& f) { f.category = "terrorism"; }),
       {"https://b.example/beta", "https://d.example/delta"}},
      {"origin", With([](LinkFilter& f) { f.origin = "discovered"; }),
       {"https://e.example/axb"}},
      {"agency: any report, duplicates included",
       With([](LinkFilter& f) { f.agency = "Court 50%_off"; }),
       {"https://a.example/alpha", "https://d.example/delta", "https://e.example/axb"}},
      {"unknown agency", With([](LinkFilter& f) { f.agency = "Nobody"; }), {}},
      {"text in the URL", With([](LinkFilter& f) { f.text = "example/BETA"; }),
       {"https://b.example/beta"}},
      {"text in a duplicate's note", With([](LinkFilter& f) { f.text = "court saw"; }),
       {"https://a.example/alpha"}},
      {"% is literal", With([](LinkFilter& f) { f.text = "%"; }),
       {"https://c.example/100%_sure"}},
      {"_ is literal", With([](LinkFilter& f) { f.text = "a_b"; }),
       {"https://c.example/100%_sure"}},
      {"combined", With([](LinkFilter& f) {
         f.status = "alive";
         f.agency = "Police";
         f.category = "terrorism";
       }),
       {"https://b.example/beta"}},
      {"after_id", With([](LinkFilter& f) { f.after_id = 3; }),
       {"https://d.example/delta", "https://e.example/axb"}},
  }));
  INFO(name);
  CHECK(fx.Urls(filter) == expected);
}

TEST_CASE("ListLinks pages by id with a cursor that ends at 0") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  const Actor police = MustAgency(*store, "Police");
  const auto [total, limit, pages] = GENERATE(table<int, int, std::vector<size_t>>({
      {25, 10, {10, 10, 5}},
      {20, 10, {10, 10}},
      {3, 1, {1, 1, 1}},
      {0, 50, {0}},
  }));
  std::vector<Submission> subs;
  for (int i = 0; i < total; ++i) subs.push_back(Sub("https://example.org/" + std::to_string(i)));
  MustRegister(*store, police, subs);

  LinkFilter filter;
  filter.limit = limit;
  std::vector<size_t> sizes;
  int64_t last_id = 0;
  for (;;) {
    auto page = store->ListLinks(filter);
    REQUIRE(page.ok());
    sizes.push_back(page->links.size());
    for (const Link& l : page->links) {
      CHECK(l.id > last_id);
      CHECK(l.first_agency == "Police");
      CHECK(l.reports.empty());
      last_id = l.id;
    }
    if (page->next_after_id == 0) break;
    CHECK(page->next_after_id == page->links.back().id);
    filter.after_id = page->next_after_id;
  }
  CHECK(sizes == pages);
}

TEST_CASE("ListLinks refuses a limit outside 1..1000") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  const int limit = GENERATE(0, -1, 1001);
  LinkFilter filter;
  filter.limit = limit;
  CHECK(store->ListLinks(filter).status().code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace linkwatch::storage::testing
