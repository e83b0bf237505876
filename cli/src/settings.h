// Where the client finds the daemon and its token: command-line flags beat
// environment variables, which beat the config file (TOML), which beats the
// built-in defaults.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api_client.h"
#include "linkwatch/base/status.h"

namespace linkwatch::cli {

inline constexpr char kEnvUrl[] = "LINKWATCH_URL";
inline constexpr char kEnvToken[] = "LINKWATCH_TOKEN";
inline constexpr char kEnvConfig[] = "LINKWATCH_CONFIG";

// Reads an environment variable; nullopt when unset. Tests pass a fake.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
// The process environment (getenv).
EnvLookup ProcessEnv();

// The global options as given on the command line; nullopt = not given.
struct GlobalFlags {
  std::optional<std::string> url;
  std::optional<std::string> token;
  std::optional<std::string> config;  // a config file that must exist
  std::optional<double> timeout_seconds;
  bool json = false;  // machine-readable output
};

// The keys a config file may set (all optional).
struct ConfigFile {
  std::optional<std::string> url;
  std::optional<std::string> token;
  std::optional<double> timeout_seconds;
};

// Parses config text; `path` only names the file in messages. Fails with
// kInvalidArgument "<path>:<line>: ..." for a TOML syntax error, an unknown
// key or a value of the wrong type.
Result<ConfigFile> ParseConfig(std::string_view text, const std::string& path);

// $XDG_CONFIG_HOME/linkwatch/cli.toml, else $HOME/.config/linkwatch/cli.toml;
// empty when neither variable is set.
std::string DefaultConfigPath(const EnvLookup& env);

// The config file named by --config, else $LINKWATCH_CONFIG (both must
// exist), else the default path when it exists; an empty ConfigFile when none.
Result<ConfigFile> LoadConfig(const GlobalFlags& flags, const EnvLookup& env);

// Flags > environment > config file > defaults. Reads the config file.
Result<ApiOptions> ResolveApiOptions(const GlobalFlags& flags, const EnvLookup& env);

}  // namespace linkwatch::cli
