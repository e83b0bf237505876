#include <catch2/catch.hpp>

#include "linkwatch/base/base64.h"
#include "linkwatch/base/folded_search.h"
#include "linkwatch/base/iso_week.h"
#include "linkwatch/base/sha256.h"
#include "linkwatch/base/zstd.h"
#include "linkwatch/base/status.h"
#include "linkwatch/base/time.h"

using namespace linkwatch;

TEST_CASE("SHA-256 matches the published test vectors") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.Update("a");
  h.Update("bc");
  CHECK(h.FinishHex() == Sha256Hex("abc"));
}

TEST_CASE("random hex has the asked length and differs between calls") {
  const auto a = RandomHex(16);
  CHECK(a.size() == 32);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != RandomHex(16));
}

TEST_CASE("ISO 8601 formatting round-trips") {
  const auto [t, text] = GENERATE(table<TimeMs, std::string>({
      {0, "1970-01-01T00:00:00.000Z"},
      {1795453029123, "2026-11-23T16:57:09.123Z"},
      {951782400000, "2000-02-29T00:00:00.000Z"},
  }));
  CHECK(FormatIso8601(t) == text);
  CHECK(ParseIso8601(text) == t);
}

TEST_CASE("ISO 8601 parsing refuses malformed text") {
  const auto bad = GENERATE(as<std::string>{}, "", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                            "yesterday", "2026-11-23T16:57:09", "2026-11-23T16:57:09Zjunk");
  CHECK_FALSE(ParseIso8601(bad).has_value());
}

TEST_CASE("Result carries either a value or an error") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(*good == 7);
  Result<int> bad = Status::NotFound("link 9");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Status::Code::kNotFound);
  CHECK(bad.status().ToString() == "not found: link 9");
}

TEST_CASE("zstd round-trips evidence and refuses corrupt, truncated and oversized frames") {
  std::string page;
  for (int i = 0; i < 20000; ++i) page += "line " + std::to_string(i) + " of a page\n";
  const std::string frame = linkwatch::ZstdCompress(page);
  CHECK(frame.size() < page.size() / 4);
  auto back = linkwatch::ZstdDecompress(frame, page.size());
  REQUIRE(back.ok());
  CHECK(*back == page);

  auto small = linkwatch::ZstdDecompress(frame, page.size() - 1);
  REQUIRE_FALSE(small.ok());
  CHECK(small.status().code() == linkwatch::Status::Code::kInvalidArgument);

  auto truncated = linkwatch::ZstdDecompress(frame.substr(0, frame.size() / 2), page.size());
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.status().code() == linkwatch::Status::Code::kCorruption);

  auto garbage = linkwatch::ZstdDecompress("not zstd at all", 1000);
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.status().code() == linkwatch::Status::Code::kCorruption);

  auto empty = linkwatch::ZstdDecompress(linkwatch::ZstdCompress(""), 0);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("base64 round-trips any bytes and refuses what is not base64") {
  const std::string bytes("\x00\xff\xe0\xeb binary\n", 12);
  for (size_t n = 0; n <= bytes.size(); ++n) {
    const std::string part = bytes.substr(0, n);
    auto back = linkwatch::Base64Decode(linkwatch::Base64Encode(part));
    REQUIRE(back.ok());
    CHECK(*back == part);
  }
  CHECK(linkwatch::Base64Encode("hi") == "aGk=");
  CHECK(linkwatch::Base64Decode("aGk").status().code() == linkwatch::Status::Code::kInvalidArgument);
  CHECK(linkwatch::Base64Decode("a*k=").status().code() == linkwatch::Status::Code::kInvalidArgument);
}

// Appended with the host-pattern helper; included here to keep the file append-only.
#include "linkwatch/base/host_pattern.h"

TEST_CASE("host patterns match all, a domain with its subdomains, or one host") {
  struct Row {
    const char* pattern;
    const char* host;
    bool matches;
  };
  const Row rows[] = {
      {"*", "example.org", true},
      {"*", "", true},
      {"*.example.org", "example.org", true},
      {"*.example.org", "www.example.org", true},
      {"*.example.org", "a.b.example.org", true},
      {"*.example.org", "WWW.Example.ORG", true},
      {"*.example.org", "example.org.", true},
      {"*.example.org", "badexample.org", false},
      {"*.example.org", "example.org.evil.net", false},
      {"*.example.org", ".example.org", false},
      {"*.example.org", "org", false},
      {"example.org", "example.org", true},
      {"Example.Org", "example.ORG", true},
      {"example.org", "www.example.org", false},
      {"example.org", "example.com", false},
      {"example.org", "", false},
      {"", "example.org", false},
      {"", "", false},
      {"*.", "example.org", false},
      {"*example.org", "badexample.org", false},
      {"a*.example.org", "ab.example.org", false},
  };
  for (const Row& row : rows) {
    CAPTURE(row.pattern, row.host);
    CHECK(HostPatternMatches(row.pattern, row.host) == row.matches);
  }
}

TEST_CASE("a host pattern that can match no host is named, with what is wrong") {
  for (const char* ok : {"*", "*.example.org", "example.org", "Example.ORG.", "127.0.0.1", "*.xn--bcher-kva.example",
                         "[::1]", "[2001:db8::1]", "my_host.local"}) {
    CAPTURE(ok);
    CHECK(HostPatternError(ok).empty());
  }
  const std::pair<const char*, const char*> bad[] = {
      {"", "an empty host pattern matches no host"},
      {"*127.0.0.1", "\"*127.0.0.1\" matches no host: \"*\" stands alone or starts \"*.\""},
      {"a*.example.org", "matches no host"},
      {"*.*.example.org", "matches no host"},
      {"http://example.onion/", "without scheme or path"},
      {"example.org/videos", "without scheme or path"},
      {"example.org:8080", "without a port"},
      {"*.", "names no host"},
      {".", "names no host"},
      {"bücher.example", "is not ASCII: write an international domain in its xn-- form"},
      {"exa mple.org", "has ' ', which no host has"},
      {"a..example.org", "has an empty label"},
      {"[::1", "has '['"},
      {"[zz::1]", "is not a bracketed IPv6 address"},
  };
  for (const auto& [pattern, message] : bad) {
    CAPTURE(pattern);
    CHECK_THAT(HostPatternError(pattern), Catch::Contains(message));
  }
}

namespace {
TimeMs At(const char* iso) {
  const auto t = ParseIso8601(iso);
  REQUIRE(t.has_value());
  return *t;
}
}  // namespace

TEST_CASE("ISO week labels parse to their Monday 00:00 UTC for 7 days") {
  struct Row {
    const char* label;
    const char* monday;
  };
  const Row rows[] = {
      {"2026-W47", "2026-11-16T00:00:00Z"},
      {"2026-W01", "2025-12-29T00:00:00Z"},  // week 1 starts in December
      {"2025-W01", "2024-12-30T00:00:00Z"},
      {"2019-W01", "2018-12-31T00:00:00Z"},
      {"2027-W01", "2027-01-04T00:00:00Z"},  // 1 January a Friday: it belongs to 2026-W53
      {"2026-W53", "2026-12-28T00:00:00Z"},  // 53-week years
      {"2020-W53", "2020-12-28T00:00:00Z"},
      {"2015-W53", "2015-12-28T00:00:00Z"},
      {"2009-W53", "2009-12-28T00:00:00Z"},
      {"1970-W01", "1969-12-29T00:00:00Z"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.label);
    auto w = ParseIsoWeek(row.label);
    REQUIRE(w.ok());
    CHECK(w->start == At(row.monday));
    CHECK(w->end == w->start + kWeekMs);
    CHECK(w->label() == row.label);
  }
}

TEST_CASE("malformed or impossible ISO weeks are refused") {
  const char* bad[] = {"2026-W54", "2026W47", "2026-W00", "2021-W53", "2025-W53", "2026-w47",
                       "26-W47",   "2026-W7", "2026-W470", "",        "2026-WAB", " 2026-W47",
                       "0000-W01", "2026-47"};
  for (const char* text : bad) {
    CAPTURE(text);
    auto w = ParseIsoWeek(text);
    REQUIRE_FALSE(w.ok());
    CHECK(w.status().code() == Status::Code::kInvalidArgument);
    CHECK_THAT(w.status().message(), Catch::Contains(std::string("\"") + text + "\""));
  }
}

TEST_CASE("a time falls in the ISO week of its Thursday's year") {
  struct Row {
    const char* time;
    const char* week;
    const char* last_complete;
  };
  const Row rows[] = {
      {"2026-11-23T06:00:00Z", "2026-W48", "2026-W47"},
      {"2026-11-23T00:00:00Z", "2026-W48", "2026-W47"},  // a week ends at Monday 00:00
      {"2026-11-22T23:59:59.999Z", "2026-W47", "2026-W46"},
      {"2027-01-01T12:00:00Z", "2026-W53", "2026-W52"},
      {"2027-01-04T00:00:00Z", "2027-W01", "2026-W53"},
      {"2024-12-30T00:00:00Z", "2025-W01", "2024-W52"},
      {"2021-01-03T23:59:59.999Z", "2020-W53", "2020-W52"},
      {"2021-01-04T00:00:00Z", "2021-W01", "2020-W53"},
      {"2010-01-03T10:00:00Z", "2009-W53", "2009-W52"},
      {"1970-01-01T00:00:00Z", "1970-W01", "1969-W52"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.time);
    const IsoWeek w = IsoWeekOf(At(row.time));
    CHECK(w.label() == row.week);
    CHECK(w.start <= At(row.time));
    CHECK(At(row.time) < w.end);
    CHECK(LastCompleteWeek(At(row.time)).label() == row.last_complete);
    CHECK(LastCompleteWeek(At(row.time)).end == w.start);
  }
}

TEST_CASE("years have 52 or 53 ISO weeks") {
  CHECK(IsoWeeksInYear(2020) == 53);
  CHECK(IsoWeeksInYear(2026) == 53);
  CHECK(IsoWeeksInYear(2015) == 53);
  CHECK(IsoWeeksInYear(2021) == 52);
  CHECK(IsoWeeksInYear(2024) == 52);
  CHECK(IsoWeeksInYear(2025) == 52);
}

TEST_CASE("a folded text finds a phrase whatever the case of its ASCII letters") {
  const auto [text, phrase, found] = GENERATE(table<std::string, std::string, bool>({
      {"Video unavailable", "video UNAVAILABLE", true},
      {"<h1>VIDEO unavailable</h1>", "Video unavailable", true},
      {"xxVideo unavailabl", "video unavailable", false},     // cut short at the end
      {"ideo unavailable", "video unavailable", false},       // cut short at the start
      {"abcabcabd", "ABCABD", true},                          // a partial match first
      {"abcabcab", "abcabd", false},
      {"a", "A", true},
      {"", "a", false},
      {"anything", "", true},
      {"[Ab]", "[aB]", true},
      {"@[", "`{", false},                                     // the bytes beside the letters do not fold
      {"Публикация удалена", "Публикация удалена", true},
      {"ПУБЛИКАЦИЯ УДАЛЕНА", "публикация удалена", false},     // only ASCII folds
      {std::string("a\0B", 3), std::string("A\0b", 3), true},  // NUL is a byte like any other
  }));
  CAPTURE(text, phrase);
  CHECK(FoldedText(text).Contains(phrase) == found);
}

TEST_CASE("LowerAscii lowers A-Z and keeps every other byte") {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  const std::string lowered = LowerAscii(all);
  REQUIRE(lowered.size() == 256);
  for (int c = 0; c < 256; ++c) {
    INFO(c);
    const int expected = c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
    CHECK(static_cast<unsigned char>(lowered[static_cast<size_t>(c)]) == expected);
  }
}
