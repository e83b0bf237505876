// Process exit codes of `linkwatch` and how errors map onto them.
#pragma once

#include "linkwatch/base/status.h"

namespace linkwatch::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,        // usage error, invalid input, or any other failure
  kExitNotFound = 2,     // no such link / agency / token
  kExitAuth = 3,         // 401 or 403: missing, unknown, revoked token or too weak a role
  kExitUnreachable = 4,  // daemon unreachable (refused, timeout, DNS) or shutting down
  kExitPartial = 5,      // import: some rows committed, others not
  kExitAuditFailed = 6,  // audit verify: the hash chain is broken
};

// The text for the top-level --help footer.
extern const char kExitCodesHelp[];

// The exit code for a failed operation; kExitOk for an ok status.
int ExitCodeFor(Status::Code code);
inline int ExitCodeFor(const Status& status) { return ExitCodeFor(status.code()); }

// The Status kind an HTTP status of linkwatchd's API stands for (docs/API.md);
// kOk for 2xx.
Status::Code CodeForHttpStatus(long http_status);

}  // namespace linkwatch::cli
