// The `linkwatch` command-line client: subcommands over linkwatchd's HTTP API
// (see docs/API.md) plus the offline `init`, `canon` and `audit verify --data-dir`.
#pragma once

namespace linkwatch::cli {

// Runs the client on the process's argv, stdin, stdout, stderr and
// environment; returns the process exit status (see `linkwatch --help`).
// Not reentrant with respect to the process streams; holds no global state.
int Main(int argc, char** argv);

}  // namespace linkwatch::cli
