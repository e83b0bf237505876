#include "import_reader.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

using linkwatch::Status;
using linkwatch::cli::ImportOptions;
using linkwatch::cli::ImportReader;
using linkwatch::cli::ImportRecord;

namespace {

// What a test expects of one row.
struct Row {
  int64_t line;
  std::string url;
  std::string basis;
  std::string category;
  std::string note;
  std::string problem;  // a substring of the local reason; empty for a valid row
};

struct ReadResult {
  std::vector<ImportRecord> rows;
  Status status;
};

ReadResult ReadAll(const std::string& text, const ImportOptions& options = {}) {
  std::istringstream in(text);
  ImportReader reader(in, options);
  ReadResult result;
  ImportRecord record;
  while (reader.Next(&record)) result.rows.push_back(record);
  result.status = reader.status();
  CHECK_FALSE(reader.Next(&record));  // stays at the end
  return result;
}

void CheckRows(const std::vector<ImportRecord>& got, const std::vector<Row>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("row " << i);
    CHECK(got[i].line == want[i].line);
    CHECK(got[i].url == want[i].url);
    if (!want[i].problem.empty()) {
      CHECK_THAT(got[i].problem, Catch::Contains(want[i].problem));
      continue;
    }
    CHECK(got[i].problem.empty());
    CHECK(got[i].basis == want[i].basis);
    CHECK(got[i].category == want[i].category);
    CHECK(got[i].note == want[i].note);
  }
}

ImportOptions PlainList() {
  ImportOptions options;
  options.basis = "Court 7/2025";
  options.category = "extremist";
  return options;
}

}  // namespace

TEST_CASE("CSV rows are read with their starting line numbers") {
  struct Case {
    const char* name;
    std::string input;
    std::vector<Row> rows;
  };
  const Case cases[] = {
      {"a quoted comma stays inside the field",
       "https://a.example/x,\"Court 1, part 2\",extremist\n",
       {{1, "https://a.example/x", "Court 1, part 2", "extremist", "", ""}}},
      {"a quoted newline continues the row; the next row keeps its own line",
       "https://a.example/1,b,c,\"first\nsecond\"\nhttps://a.example/2,b,c\n",
       {{1, "https://a.example/1", "b", "c", "first\nsecond", ""},
        {3, "https://a.example/2", "b", "c", "", ""}}},
      {"a header row is skipped",
       "url,basis,category,note\nhttps://a.example/1,b,c,n\n",
       {{2, "https://a.example/1", "b", "c", "n", ""}}},
      {"header detection ignores case",
       "URL,Basis,Category\nhttps://a.example/1,b,c\n",
       {{2, "https://a.example/1", "b", "c", "", ""}}},
      {"without a header the first row is data",
       "https://a.example/1,b,c\n",
       {{1, "https://a.example/1", "b", "c", "", ""}}},
      {"rows with too few or too many columns are invalid, others valid",
       "https://a.example/1,b\nhttps://a.example/2,b,c,d,e\nhttps://a.example/3,b,c\n",
       {{1, "https://a.example/1", "", "", "", "found 2"},
        {2, "https://a.example/2", "", "", "", "found 5"},
        {3, "https://a.example/3", "b", "c", "", ""}}},
      {"blank and comment lines are skipped but counted",
       "\n# exported 2026-11-23\nhttps://a.example/1,b,c\n   \n  #x,y,z\nhttps://a.example/2,b,c\n",
       {{3, "https://a.example/1", "b", "c", "", ""},
        {6, "https://a.example/2", "b", "c", "", ""}}},
      {"a '#' line inside a quoted field is data",
       "https://a.example/1,\"b\n# not a comment\",c\n",
       {{1, "https://a.example/1", "b\n# not a comment", "c", "", ""}}},
      {"CRLF line ends leave no carriage return in fields",
       "url,basis,category\r\nhttps://a.example/1,b,c\r\nhttps://a.example/2,b,c,n\r\n",
       {{2, "https://a.example/1", "b", "c", "", ""},
        {3, "https://a.example/2", "b", "c", "n", ""}}},
      {"a UTF-8 byte order mark before the header is ignored",
       "\xEF\xBB\xBFurl,basis,category\nhttps://a.example/1,b,c\n",
       {{2, "https://a.example/1", "b", "c", "", ""}}},
      {"a UTF-8 byte order mark before data is not part of the URL",
       "\xEF\xBB\xBFhttps://a.example/1,b,c\n",
       {{1, "https://a.example/1", "b", "c", "", ""}}},
      {"the last line needs no newline",
       "https://a.example/1,b,c",
       {{1, "https://a.example/1", "b", "c", "", ""}}},
      {"an empty input has no rows", "", {}},
      {"doubled quotes are one quote",
       "https://a.example/1,\"order \"\"7\"\"\",c\n",
       {{1, "https://a.example/1", "order \"7\"", "c", "", ""}}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      const ReadResult result = ReadAll(c.input);
      CHECK(result.status.ok());
      CheckRows(result.rows, c.rows);
    }
  }
}

TEST_CASE("broken CSV quoting makes its row invalid, and reading goes on at the next line") {
  struct Case {
    const char* name;
    std::string input;
    std::vector<Row> rows;
  };
  const Case cases[] = {
      {"text after a closing quote",
       "https://a.example/1,b,c\nhttps://a.example/2,b,c\nhttps://a.example/3,\"b\"x,c\n"
       "https://a.example/4,b,c\n",
       {{1, "https://a.example/1", "b", "c", "", ""},
        {2, "https://a.example/2", "b", "c", "", ""},
        {3, "", "", "", "", "malformed CSV quoting"},
        {4, "https://a.example/4", "b", "c", "", ""}}},
      {"a quote inside an unquoted field",
       "https://a.example/1,b,c\nhttps://a.example/\"2,b,c\nhttps://a.example/3,Order G3,c,ok\n",
       {{1, "https://a.example/1", "b", "c", "", ""},
        {2, "", "", "", "", "malformed CSV quoting"},
        {3, "https://a.example/3", "Order G3", "c", "ok", ""}}},
      {"a row spanning lines names where it starts and where it broke",
       "https://a.example/1,\"two\nlines\"x,c\nhttps://a.example/2,b,c\n",
       {{1, "", "", "", "", "malformed CSV quoting (a quote inside an unquoted field, or text after a "
                            "closing quote) on line 2"},
        {3, "https://a.example/2", "b", "c", "", ""}}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      const ReadResult result = ReadAll(c.input);
      CHECK(result.status.ok());
      CheckRows(result.rows, c.rows);
    }
  }
}

TEST_CASE("a quoted field that never closes stops reading, naming the lines it took") {
  const ReadResult result =
      ReadAll("https://a.example/1,b,c\n\"https://a.example/2,b,c\nmore\nand more\n");
  REQUIRE_FALSE(result.status.ok());
  CHECK(result.status.code() == Status::Code::kInvalidArgument);
  CHECK(result.status.message() ==
        "line 2: a quoted CSV field is never closed (missing '\"'); lines 2 to 4 were read inside "
        "it and not imported");
  REQUIRE(result.rows.size() == 1);
  CHECK(result.rows[0].url == "https://a.example/1");
}

TEST_CASE("a row over 64 KiB is invalid locally and the rows beside it are kept") {
  const std::string huge(256 * 1024, 'n');
  SECTION("CSV") {
    const ReadResult result = ReadAll("https://a.example/1,b,c\nhttps://a.example/2,b,c,\"" + huge +
                                      "\"\nhttps://a.example/3,b,c\n");
    CHECK(result.status.ok());
    CheckRows(result.rows, {{1, "https://a.example/1", "b", "c", "", ""},
                            {2, "", "", "", "", "the row is 262165 bytes, over the 64 KiB"},
                            {3, "https://a.example/3", "b", "c", "", ""}});
  }
  SECTION("a plain list") {
    const ReadResult result =
        ReadAll("https://a.example/1\nhttps://a.example/" + huge + "\nhttps://a.example/3\n", PlainList());
    CHECK(result.status.ok());
    CheckRows(result.rows, {{1, "https://a.example/1", "Court 7/2025", "extremist", "", ""},
                            {2, "", "", "", "", "over the 64 KiB"},
                            {3, "https://a.example/3", "Court 7/2025", "extremist", "", ""}});
  }
}

TEST_CASE("a one-column CSV stops with a hint to give --basis and --category") {
  const ReadResult result = ReadAll("url\nhttps://a.example/1\nhttps://a.example/2\n");
  CHECK(result.rows.empty());
  REQUIRE_FALSE(result.status.ok());
  CHECK_THAT(result.status.message(), Catch::StartsWith("line 2:"));
  CHECK_THAT(result.status.message(), Catch::Contains("--basis and --category"));
}

TEST_CASE("a plain list gives each line's URL the given basis and category") {
  struct Case {
    const char* name;
    std::string input;
    std::vector<Row> rows;
  };
  const char* b = "Court 7/2025";
  const char* c = "extremist";
  const Case cases[] = {
      {"commas are part of the URL; blank and comment lines skipped; CRLF trimmed",
       "https://a.example/1\n\n# list\nhttps://a.example/p?x=1,2\r\n  https://a.example/3  \n",
       {{1, "https://a.example/1", b, c, "", ""},
        {4, "https://a.example/p?x=1,2", b, c, "", ""},
        {5, "https://a.example/3", b, c, "", ""}}},
      {"a BOM and a 'url' header line are skipped",
       "\xEF\xBB\xBFurl\r\nhttps://a.example/1\r\n",
       {{2, "https://a.example/1", b, c, "", ""}}},
      {"quotes are not special",
       "\"https://a.example/1\n",
       {{1, "\"https://a.example/1", b, c, "", ""}}},
  };
  for (const Case& test : cases) {
    SECTION(test.name) {
      const ReadResult result = ReadAll(test.input, PlainList());
      CHECK(result.status.ok());
      CheckRows(result.rows, test.rows);
    }
  }
}

TEST_CASE("bytes_read counts the input consumed") {
  const std::string text = "https://a.example/1,b,c\nhttps://a.example/2,b,c\n";
  std::istringstream in(text);
  ImportReader reader(in, {});
  ImportRecord record;
  while (reader.Next(&record)) {
  }
  CHECK(reader.bytes_read() == text.size());
}
