// Small pure functions: exit codes, "did you mean", canon lines, tables.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "canon_lines.h"
#include "commands.h"
#include "exit_codes.h"
#include "format.h"
#include "progress.h"
#include "suggest.h"

using linkwatch::Status;
using linkwatch::cli::CanonLine;
using linkwatch::cli::CodeForHttpStatus;
using linkwatch::cli::CommandTable;
using linkwatch::cli::EditDistance;
using linkwatch::cli::ExitCodeFor;
using linkwatch::cli::PrintTable;
using linkwatch::cli::Progress;
using linkwatch::cli::SuggestName;
using nlohmann::json;

TEST_CASE("HTTP statuses map to the documented exit codes") {
  const auto [http, exit_code] = GENERATE(table<long, int>({
      {200, 0},
      {201, 0},
      {204, 0},
      {400, 1},
      {401, 3},
      {403, 3},
      {404, 2},
      {405, 1},
      {409, 1},
      {413, 1},
      {500, 1},
      {502, 1},
      {503, 4},
  }));
  INFO("HTTP " << http);
  CHECK(ExitCodeFor(CodeForHttpStatus(http)) == exit_code);
}

TEST_CASE("local failures map to exit codes too") {
  CHECK(ExitCodeFor(Status::Ok()) == 0);
  CHECK(ExitCodeFor(Status::IOError("disk")) == 1);
  CHECK(ExitCodeFor(Status::Corruption("not a database")) == 1);
  CHECK(ExitCodeFor(Status::Unavailable("refused")) == 4);
}

TEST_CASE("edit distance counts insertions, deletions, substitutions and swaps") {
  const auto [a, b, distance] = GENERATE(table<std::string, std::string, size_t>({
      {"", "", 0},
      {"list", "list", 0},
      {"", "abc", 3},
      {"sumbit", "submit", 1},
      {"lst", "list", 1},
      {"lisst", "list", 1},
      {"kitten", "sitting", 3},
      {"ab", "ba", 1},
  }));
  CHECK(EditDistance(a, b) == distance);
  CHECK(EditDistance(b, a) == distance);
}

TEST_CASE("a mistyped command gets the closest name, an unrelated word none") {
  std::vector<std::string> names;
  for (const auto& spec : CommandTable()) {
    if (std::string(spec.name).find(' ') == std::string::npos) names.push_back(spec.name);
  }
  const auto [typed, expected] = GENERATE(table<std::string, std::string>({
      {"sumbit", "submit"},
      {"lst", "list"},
      {"agnecy", "agency"},
      {"imprt", "import"},
      {"whoamy", "whoami"},
      {"tokn", "token"},
      {"cannon", "canon"},
      {"audti", "audit"},
      {"xyzzy", ""},
      {"deploy", ""},
      {"", ""},
  }));
  INFO("typed '" << typed << "'");
  const auto suggestion = SuggestName(typed, names);
  CHECK(suggestion.value_or("") == expected);
}

TEST_CASE("every table row has a name, a help line, and a handler or members") {
  for (const auto& spec : CommandTable()) {
    INFO(spec.name);
    CHECK(std::string(spec.help).find('\n') == std::string::npos);
    CHECK_FALSE(std::string(spec.help).empty());
    const std::string name = spec.name;
    if (spec.setup == nullptr) {
      const bool has_member = std::any_of(
          CommandTable().begin(), CommandTable().end(),
          [&](const auto& other) { return std::string(other.name).rfind(name + " ", 0) == 0; });
      CHECK(has_member);
    }
  }
}

TEST_CASE("canon lines answer errors for bad input and keep going") {
  const auto [line, key] = GENERATE(table<std::string, std::string>({
      {"not json", "error"},
      {"", "error"},
      {"{\"input\": \"\xff\xfe\", \"base\": null}", "error"},  // invalid UTF-8
      {"[1,2]", "error"},
      {"{\"base\": null}", "error"},
      {"{\"input\": 5}", "error"},
      {"{\"input\": \"https://a.example/\", \"base\": 7}", "error"},
      {"{\"input\": \"javascript:alert(1)\", \"base\": null}", "error"},
      {"{\"input\": \"HTTPS://A.Example/x\", \"base\": null}", "href"},
      {"{\"input\": \"/y\", \"base\": \"https://a.example/x/\"}", "href"},
      {"{\"input\": \"https://a.example/\"}", "href"},
  }));
  INFO(line);
  const json answer = json::parse(CanonLine(line, false));
  REQUIRE(answer.is_object());
  CHECK(answer.size() == 1);
  CHECK(answer.contains(key));
}

TEST_CASE("canon lines give the canonical URL or, with --key, the dedup key") {
  const std::string line = R"({"input":"http://Example.COM:80/a/./b#frag","base":null})";
  CHECK(json::parse(CanonLine(line, false))["href"] == "http://example.com/a/b");
  CHECK(json::parse(CanonLine(line, true))["href"] == "https://example.com/a/b");
}

TEST_CASE("tables pad columns by characters, not bytes") {
  std::ostringstream out;
  PrintTable(out, {"ID", "NAME", "ROLE"}, {{"1", "полиция", "admin"}, {"12", "fsb", "operator"}});
  CHECK(out.str() ==
        "ID  NAME     ROLE\n"
        "1   полиция  admin\n"
        "12  fsb      operator\n");
}

TEST_CASE("control characters others typed are shown as \\xNN, never sent to the terminal") {
  CHECK(linkwatch::cli::Printable("basis\x1b[2J") == "basis\\x1B[2J");
  CHECK(linkwatch::cli::Printable("first\r\nfirst agency   Someone Else") == "first\\x0D\\x0Afirst agency   Someone Else");
  CHECK(linkwatch::cli::Printable(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(linkwatch::cli::Printable("\x7f \xc2\x9b" "31m") == "\\x7F \\x9B31m");  // DEL and the C1 CSI
  CHECK(linkwatch::cli::Printable("Суд № 2-1/2024 é") == "Суд № 2-1/2024 é");  // other text is left as it is
  CHECK(linkwatch::cli::CellText(nlohmann::json("note\x07")) == "note\\x07");
}

TEST_CASE("the progress line shows the share read and rows sent, only when enabled") {
  std::ostringstream shown, hidden, unknown_size;
  Progress bar(shown, true, 200);
  bar.Update(100, 1000);
  CHECK_THAT(shown.str(), Catch::StartsWith("\r[###############...............] 50%"));
  CHECK_THAT(shown.str(), Catch::EndsWith("1000 rows sent"));
  bar.Finish();
  CHECK_THAT(shown.str(), Catch::EndsWith(" \r"));
  Progress off(hidden, false, 200);
  off.Update(100, 1000);
  off.Finish();
  CHECK(hidden.str().empty());
  Progress stdin_bar(unknown_size, true, 0);
  stdin_bar.Update(100, 7);
  CHECK(unknown_size.str() == "\r7 rows sent");
}
