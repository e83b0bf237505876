// Parses the command line against the subcommand table and runs one handler.
#pragma once

#include <string>
#include <vector>

#include "commands.h"

namespace linkwatch::cli {

// `args[0]` is the program name. Returns the exit code (see exit_codes.h).
// An unknown subcommand fails with "did you mean ...?" for a close name; no
// subcommand prints the usage and fails.
int Run(const std::vector<std::string>& args, Io io);

}  // namespace linkwatch::cli
