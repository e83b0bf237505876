// linkwatchd as a function, so that main() stays thin.
#pragma once

namespace linkwatch::daemon {

// Parses the command line (`linkwatchd --help`), loads the config, opens the
// store, creates the first admin token on an empty database (printed once on
// stdout), serves the API until SIGTERM/SIGINT, then drains and returns 0.
// Returns 1 for a usage or configuration error, 2 when the store cannot be
// opened, 3 when the listen address cannot be bound.
int RunDaemon(int argc, char** argv);

}  // namespace linkwatch::daemon
