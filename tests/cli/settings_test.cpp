#include "settings.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "test_support.h"

using linkwatch::Status;
using linkwatch::cli::EnvLookup;
using linkwatch::cli::GlobalFlags;
using linkwatch::cli::LoadConfig;
using linkwatch::cli::ParseConfig;
using linkwatch::cli::ResolveApiOptions;
using linkwatch::test::TempDir;
using linkwatch::test::WriteFile;

namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("url and token: a flag beats the environment, which beats the config file") {
  // "" = not given at that level.
  const auto [flag, env, file, expected] =
      GENERATE(table<std::string, std::string, std::string, std::string>({
          {"flag", "env", "file", "flag"},
          {"flag", "", "file", "flag"},
          {"flag", "env", "", "flag"},
          {"", "env", "file", "env"},
          {"", "", "file", "file"},
          {"", "env", "", "env"},
      }));
  TempDir dir;
  const std::string config = dir.File("cli.toml");
  std::string text;
  if (!file.empty()) text = "url = \"http://" + file + "\"\ntoken = \"" + file + "\"\n";
  WriteFile(config, text);
  GlobalFlags flags;
  flags.config = config;
  if (!flag.empty()) {
    flags.url = "http://" + flag;
    flags.token = flag;
  }
  std::map<std::string, std::string> vars;
  if (!env.empty()) vars = {{"LINKWATCH_URL", "http://" + env}, {"LINKWATCH_TOKEN", env}};
  const auto options = ResolveApiOptions(flags, FakeEnv(vars));
  REQUIRE(options.ok());
  CHECK(options->base_url == "http://" + expected);
  CHECK(options->token == expected);
}

TEST_CASE("with nothing configured the defaults apply") {
  const auto options = ResolveApiOptions(GlobalFlags{}, FakeEnv({}));
  REQUIRE(options.ok());
  CHECK(options->base_url == "http://127.0.0.1:8470");
  CHECK(options->token.empty());
  CHECK(options->timeout_seconds == 30);
}

TEST_CASE("the timeout comes from the flag, else the config file") {
  TempDir dir;
  WriteFile(dir.File("cli.toml"), "timeout = 7\n");
  GlobalFlags flags;
  flags.config = dir.File("cli.toml");
  CHECK(ResolveApiOptions(flags, FakeEnv({}))->timeout_seconds == 7);
  flags.timeout_seconds = 2.5;
  CHECK(ResolveApiOptions(flags, FakeEnv({}))->timeout_seconds == 2.5);
}

TEST_CASE("the config file is --config, else LINKWATCH_CONFIG, else the XDG default") {
  TempDir dir;
  WriteFile(dir.File("flag.toml"), "url = \"http://from-flag\"\n");
  WriteFile(dir.File("env.toml"), "url = \"http://from-env\"\n");
  std::filesystem::create_directories(dir.File("xdg/linkwatch"));
  WriteFile(dir.File("xdg/linkwatch/cli.toml"), "url = \"http://from-default\"\n");
  const auto [use_flag, use_env, expected] = GENERATE(table<bool, bool, std::string>({
      {true, true, "http://from-flag"},
      {false, true, "http://from-env"},
      {false, false, "http://from-default"},
  }));
  GlobalFlags flags;
  if (use_flag) flags.config = dir.File("flag.toml");
  std::map<std::string, std::string> vars = {{"XDG_CONFIG_HOME", dir.File("xdg")}};
  if (use_env) vars["LINKWATCH_CONFIG"] = dir.File("env.toml");
  const auto config = LoadConfig(flags, FakeEnv(vars));
  REQUIRE(config.ok());
  CHECK(config->url == expected);
}

TEST_CASE("a missing default config file is fine, a named one that is missing is an error") {
  TempDir dir;
  CHECK(LoadConfig(GlobalFlags{}, FakeEnv({{"HOME", dir.path()}})).ok());
  GlobalFlags flags;
  flags.config = dir.File("nope.toml");
  const auto named = LoadConfig(flags, FakeEnv({}));
  REQUIRE_FALSE(named.ok());
  CHECK_THAT(named.status().message(), Catch::Contains("nope.toml"));
  const auto from_env =
      LoadConfig(GlobalFlags{}, FakeEnv({{"LINKWATCH_CONFIG", dir.File("x.toml")}}));
  CHECK_FALSE(from_env.ok());
}

TEST_CASE("a bad config file is an error naming the file and the line") {
  const auto [text, line, why] = GENERATE(table<std::string, std::string, std::string>({
      {"url = \"http://x\"\n\n# comment\ntokn = \"abc\"\n", ":4:", "unknown key 'tokn'"},
      {"url = 8470\n", ":1:", "'url' must be a string"},
      {"token = \"a\"\ntimeout = \"soon\"\n", ":2:", "'timeout' must be a positive number"},
      {"timeout = 100000\n", ":1:", "'timeout' must be a positive number of seconds up to 86400"},
      {"timeout = 0\n", ":1:", "'timeout' must be a positive number"},
      {"url = \"http://x\"\n[server]\nport = 1\n", ":2:", "unknown key 'server'"},
      {"url = \"http://x\nbroken", ":1:", ""},
  }));
  const auto config = ParseConfig(text, "/home/op/.config/linkwatch/cli.toml");
  REQUIRE_FALSE(config.ok());
  CHECK(config.status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(config.status().message(),
             Catch::StartsWith("/home/op/.config/linkwatch/cli.toml" + line));
  CHECK_THAT(config.status().message(), Catch::Contains(why));
}

TEST_CASE("an unknown key in a real config file stops the client with file and line") {
  TempDir dir;
  WriteFile(dir.File("cli.toml"), "token = \"t\"\nulr = \"http://x\"\n");
  GlobalFlags flags;
  flags.config = dir.File("cli.toml");
  const auto options = ResolveApiOptions(flags, FakeEnv({}));
  REQUIRE_FALSE(options.ok());
  CHECK_THAT(options.status().message(), Catch::StartsWith(dir.File("cli.toml") + ":2:"));
  CHECK_THAT(options.status().message(), Catch::Contains("ulr"));
}

TEST_CASE("an empty environment variable counts as unset") {
  const auto options =
      ResolveApiOptions(GlobalFlags{}, FakeEnv({{"LINKWATCH_URL", ""}, {"LINKWATCH_TOKEN", ""}}));
  REQUIRE(options.ok());
  CHECK(options->base_url == "http://127.0.0.1:8470");
}
