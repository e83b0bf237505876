// What the end-to-end tests share: the binaries under test (their paths come
// from linkwatch_e2e_test() in CMake) and the seconds-scale schedule with
// which a test sees several check cycles.
#pragma once

#include <string>

namespace linkwatch::test {

inline const std::string kDaemon = LINKWATCHD_BIN;
inline const std::string kCli = LINKWATCH_BIN;

// A [schedule] table: every status rechecked each second, no jitter, removed
// confirmed by two checks. A config appends more [schedule] keys right after
// it, then its other tables.
inline const std::string kFastSchedule = R"toml(
[schedule]
alive_interval_s = 1
blocked_interval_s = 1
removed_initial_s = 1
unreachable_initial_s = 1
confirm_interval_s = 1
jitter = 0
poll_interval_ms = 100
confirm_removed = 2
)toml";

}  // namespace linkwatch::test
