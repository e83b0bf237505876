#include "settings.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace linkwatch::cli {
namespace {

constexpr char kKnownKeys[] = "url, token, timeout";

std::string Where(const std::string& path, const toml::source_region& source) {
  return path + ":" + std::to_string(source.begin.line);
}

Status WrongType(const std::string& where, std::string_view key, const char* type) {
  return Status::InvalidArgument(where + ": '" + std::string(key) + "' must be " + type);
}

// Stores one key's value into `config`.
Status ReadKey(std::string_view key, const toml::node& value, const std::string& where,
               ConfigFile& config) {
  if (key == "url" || key == "token") {
    auto text = value.value_exact<std::string>();
    if (!text) return WrongType(where, key, "a string");
    (key == "url" ? config.url : config.token) = std::move(*text);
    return Status::Ok();
  }
  if (key == "timeout") {
    auto seconds = value.value<double>();
    if (!seconds || !(*seconds > 0 && *seconds <= kMaxTimeoutSeconds)) {
      return WrongType(where, key, "a positive number of seconds up to 86400");
    }
    config.timeout_seconds = *seconds;
    return Status::Ok();
  }
  return Status::InvalidArgument(where + ": unknown key '" + std::string(key) +
                                 "' (known keys: " + kKnownKeys + ")");
}

Result<ConfigFile> ReadTable(const toml::table& table, const std::string& path) {
  ConfigFile config;
  for (const auto& [key, value] : table) {
    Status status = ReadKey(key.str(), value, Where(path, key.source()), config);
    if (!status.ok()) return status;
  }
  return config;
}

Result<ConfigFile> LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read config file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

// The first of flag, environment variable, config value that is set.
// An environment variable set to "" counts as unset.
std::optional<std::string> NonEmpty(std::optional<std::string> value) {
  if (value && value->empty()) return std::nullopt;
  return value;
}

template <typename T>
std::optional<T> FirstOf(const std::optional<T>& flag, std::optional<T> env,
                         const std::optional<T>& file) {
  if (flag) return flag;
  if (env) return env;
  return file;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<ConfigFile> ParseConfig(std::string_view text, const std::string& path) {
  try {
    return ReadTable(toml::parse(text, path), path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(Where(path, e.source()) + ": " + std::string(e.description()));
  }
}

std::string DefaultConfigPath(const EnvLookup& env) {
  if (auto xdg = env("XDG_CONFIG_HOME"); xdg && !xdg->empty()) {
    return *xdg + "/linkwatch/cli.toml";
  }
  if (auto home = env("HOME"); home && !home->empty()) {
    return *home + "/.config/linkwatch/cli.toml";
  }
  return {};
}

Result<ConfigFile> LoadConfig(const GlobalFlags& flags, const EnvLookup& env) {
  if (flags.config) return LoadFile(*flags.config);
  if (auto named = env(kEnvConfig); named && !named->empty()) return LoadFile(*named);
  const std::string fallback = DefaultConfigPath(env);
  std::error_code ec;
  if (fallback.empty() || !std::filesystem::exists(fallback, ec)) return ConfigFile{};
  return LoadFile(fallback);
}

Result<ApiOptions> ResolveApiOptions(const GlobalFlags& flags, const EnvLookup& env) {
  Result<ConfigFile> file = LoadConfig(flags, env);
  if (!file.ok()) return file.status();
  ApiOptions options;
  options.base_url = FirstOf(flags.url, NonEmpty(env(kEnvUrl)), file->url).value_or(kDefaultUrl);
  options.token = FirstOf(flags.token, NonEmpty(env(kEnvToken)), file->token).value_or("");
  options.timeout_seconds =
      FirstOf(flags.timeout_seconds, std::optional<double>(), file->timeout_seconds)
          .value_or(kDefaultTimeoutSeconds);
  return options;
}

}  // namespace linkwatch::cli
