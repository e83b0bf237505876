// Opening, migrating and refusing databases.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <fstream>

#include "storage_test_util.h"

namespace linkwatch::storage::testing {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Makes a file or folder unwritable, even for root (the immutable flag,
// where the file system supports it), and undoes it on destruction.
class ReadOnlyGuard {
 public:
  explicit ReadOnlyGuard(const std::filesystem::path& path) : path_(path) {
    std::filesystem::permissions(path_, std::filesystem::perms::owner_write |
                                            std::filesystem::perms::group_write |
                                            std::filesystem::perms::others_write,
                                 std::filesystem::perm_options::remove);
    if (geteuid() == 0) immutable_ = SetImmutable(true);
  }
  ~ReadOnlyGuard() {
    if (immutable_) SetImmutable(false);
    std::filesystem::permissions(path_, std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add);
  }
  ReadOnlyGuard(const ReadOnlyGuard&) = delete;
  ReadOnlyGuard& operator=(const ReadOnlyGuard&) = delete;

  // True when writing really fails (not so for root without the immutable flag).
  bool Effective() const {
    if (std::filesystem::is_directory(path_)) {
      const auto probe = path_ / "probe";
      const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT, 0600);
      if (fd < 0) return true;
      ::close(fd);
      std::filesystem::remove(probe);
      return false;
    }
    const int fd = ::open(path_.c_str(), O_WRONLY);
    if (fd < 0) return true;
    ::close(fd);
    return false;
  }

 private:
  bool SetImmutable(bool on) {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK);
    if (fd < 0) return false;
    int flags = 0;
    bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    ok = ok && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    ::close(fd);
    return ok;
  }

  std::filesystem::path path_;
  bool immutable_ = false;
};

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  REQUIRE(out.good());
}

TEST_CASE("a new database is created at the latest schema version with WAL and foreign keys") {
  TempDir dir;
  ManualClock clock(kStart);
  const auto path = dir.File("lw.db");
  auto store = MustOpen(path, clock);
  CHECK(store->SchemaVersion() == Store::LatestSchemaVersion());
  CHECK(Store::LatestSchemaVersion() >= 1);

  RawDb raw(path);
  CHECK(raw.Int("PRAGMA user_version") == Store::LatestSchemaVersion());
  CHECK(raw.Text("PRAGMA journal_mode") == "wal");
  for (const char* table :
       {"agency", "token", "link", "report", "link_check", "evidence", "cluster", "audit"}) {
    INFO(table);
    CHECK(raw.Int(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                              "name = '") + table + "'") == 1);
  }
  for (const char* index : {"link_due", "link_host", "link_category", "report_link",
                            "report_agency_time", "link_check_link_time"}) {
    INFO(index);
    CHECK(raw.Int(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                              "name = '") + index + "'") == 1);
  }
}

TEST_CASE("the link table keeps every fact of the data model") {
  TempDir dir;
  ManualClock clock(kStart);
  const auto path = dir.File("lw.db");
  MustOpen(path, clock);
  RawDb raw(path);
  const auto column = GENERATE(as<std::string>{}, "canonical_url", "submitted_url", "host",
                               "origin", "review_state", "category", "status", "flagged",
                               "last_checked_at", "next_check_at", "http_status", "final_url",
                               "cluster_id", "views", "shares", "removed_since", "created_at",
                               "found_from", "lease_until", "lease_owner");
  INFO(column);
  CHECK(raw.Int("SELECT count(*) FROM pragma_table_info('link') WHERE name = '" + column + "'") ==
        1);
}

TEST_CASE("reopening keeps the data and the schema version") {
  TempDir dir;
  ManualClock clock(kStart);
  const auto path = dir.File("lw.db");
  {
    auto store = MustOpen(path, clock);
    const Actor a = MustAgency(*store, "Prosecutor");
    MustRegister(*store, a, {Sub("https://example.org/a")});
  }
  auto store = MustOpen(path, clock);
  CHECK(store->SchemaVersion() == Store::LatestSchemaVersion());
  auto link = store->GetLinkByUrl("https://example.org/a");
  REQUIRE(link.ok());
  CHECK(link->first_agency == "Prosecutor");
  CHECK(store->FindAgency("Prosecutor").ok());
  auto verdict = store->VerifyAudit();
  REQUIRE(verdict.ok());
  CHECK(verdict->ok);
  CHECK(verdict->rows_checked == 2);
}

TEST_CASE("a database from a newer linkwatch is refused, naming both versions") {
  TempDir dir;
  ManualClock clock(kStart);
  const auto path = dir.File("lw.db");
  MustOpen(path, clock);
  const int newer = Store::LatestSchemaVersion() + 41;
  RawDb(path).Exec("PRAGMA user_version = " + std::to_string(newer));

  auto store = Store::Open(path, TestOptions(), clock);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kInvalidArgument);
  CHECK(Contains(store.status().message(), std::to_string(newer)));
  CHECK(Contains(store.status().message(), std::to_string(Store::LatestSchemaVersion())));
}

TEST_CASE("a file that is not a database is refused as corrupt") {
  TempDir dir;
  ManualClock clock(kStart);
  const auto path = dir.File("notes.txt");
  const auto content = GENERATE(as<std::string>{}, "just some notes, not a database\n",
                                std::string(8192, 'x'), std::string(4096, '\0') + "junk");
  WriteFile(path, content);
  auto store = Store::Open(path, TestOptions(), clock);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kCorruption);
  CHECK(Contains(store.status().message(), path + " is not a linkwatch/SQLite database"));
}

TEST_CASE("a SQLite database of another program is refused as corrupt") {
  TempDir dir;
  ManualClock clock(kStart);
  const auto path = dir.File("other.db");
  RawDb(path).Exec("CREATE TABLE link (whatever TEXT)");
  auto store = Store::Open(path, TestOptions(), clock);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kCorruption);
  CHECK(Contains(store.status().message(), "not a linkwatch database"));
}

TEST_CASE("a path that cannot be opened is an I/O error naming the path") {
  TempDir dir;
  ManualClock clock(kStart);
  WriteFile(dir.File("plain-file"), "x");
  // As root, permission bits do not stop writes; these paths fail for anyone.
  // Generated values outlive this run's TempDir: generate names, not paths.
  const auto name = GENERATE(as<std::string>{}, "missing-dir/sub/lw.db", "plain-file/lw.db",
                             "/proc/linkwatch-test/lw.db");
  const std::string path = name.front() == '/' ? name : dir.File(name);
  auto store = Store::Open(path, TestOptions(), clock);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kIOError);
  CHECK(Contains(store.status().message(), path));
}

TEST_CASE("a missing database is an I/O error when it must not be created") {
  TempDir dir;
  ManualClock clock(kStart);
  Options options = TestOptions();
  options.create_if_missing = false;
  const auto path = dir.File("absent.db");
  auto store = Store::Open(path, options, clock);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kIOError);
  CHECK(Contains(store.status().message(), path));
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a database in a read-only folder is an I/O error naming the path") {
  TempDir dir;
  ManualClock clock(kStart);
  const auto folder = std::filesystem::path(dir.path()) / "ro";
  std::filesystem::create_directory(folder);
  const auto existing = (folder / "existing.db").string();
  MustOpen(existing, clock);  // closed again: no -wal/-shm left behind
  const auto path = (folder / GENERATE(as<std::string>{}, "new.db", "existing.db")).string();

  ReadOnlyGuard guard(folder);
  if (!guard.Effective()) {
    WARN("cannot make a folder read-only here (root without the immutable flag); skipped");
    return;
  }
  auto store = Store::Open(path, TestOptions(), clock);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kIOError);
  CHECK(Contains(store.status().message(), path));
}

TEST_CASE("a read-only database file is an I/O error naming the path") {
  TempDir dir;
  ManualClock clock(kStart);
  const auto path = dir.File("lw.db");
  MustOpen(path, clock);
  ReadOnlyGuard guard(path);
  if (!guard.Effective()) {
    WARN("cannot make a file read-only here (root without the immutable flag); skipped");
    return;
  }
  auto store = Store::Open(path, TestOptions(), clock);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kIOError);
  CHECK(Contains(store.status().message(), path));
}

TEST_CASE("bad options and an empty path are invalid arguments") {
  ManualClock clock(kStart);
  Options zero_readers = TestOptions();
  zero_readers.read_connections = 0;
  Options zero_batch = TestOptions();
  zero_batch.max_batch_jobs = 0;
  Options negative_busy = TestOptions();
  negative_busy.busy_timeout_ms = -1;
  const auto [path, options] = GENERATE_COPY(table<std::string, Options>({
      {"", TestOptions()},
      {":memory:", zero_readers},
      {":memory:", zero_batch},
      {":memory:", negative_busy},
  }));
  auto store = Store::Open(path, options, clock);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("an in-memory store works end to end") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  const Actor a = MustAgency(*store, "Police");
  auto r = MustRegister(*store, a, {Sub("https://example.org/m"), Sub("https://example.org/m")});
  CHECK_FALSE(r[0].duplicate);
  CHECK(r[1].duplicate);
  auto page = store->ListLinks({});
  REQUIRE(page.ok());
  CHECK(page->links.size() == 1);
  auto verdict = store->VerifyAudit();
  REQUIRE(verdict.ok());
  CHECK(verdict->ok);
}

TEST_CASE("after Close every call is unavailable and queued work was committed") {
  TempDir dir;
  ManualClock clock(kStart);
  auto store = MustOpen(dir.File("lw.db"), clock);
  const Actor a = MustAgency(*store, "Police");
  std::atomic<int> committed{0};
  for (int i = 0; i < 50; ++i) {
    store->RegisterAsync(a, {Sub("https://example.org/q" + std::to_string(i))},
                         [&committed](Result<std::vector<SubmissionResult>> r) {
                           if (r.ok()) ++committed;
                         });
  }
  store->Close();
  CHECK(committed == 50);
  store->Close();  // idempotent

  CHECK(store->CreateAgency(BootstrapActor(), "Late").status().code() ==
        Status::Code::kUnavailable);
  CHECK(store->ListAgencies().status().code() == Status::Code::kUnavailable);
  CHECK(store->GetLink(1).status().code() == Status::Code::kUnavailable);
  CHECK(store->VerifyAudit().status().code() == Status::Code::kUnavailable);
  CHECK(store->Register(a, {Sub("https://example.org/late")}).status().code() ==
        Status::Code::kUnavailable);
  Status async_status;
  store->RegisterAsync(a, {Sub("https://example.org/late")},
                       [&async_status](Result<std::vector<SubmissionResult>> r) {
                         async_status = r.status();
                       });
  CHECK(async_status.code() == Status::Code::kUnavailable);

  auto reopened = MustOpen(dir.File("lw.db"), clock);
  auto page = reopened->ListLinks({});
  REQUIRE(page.ok());
  CHECK(page->links.size() == 50);
}

}  // namespace
}  // namespace linkwatch::storage::testing
