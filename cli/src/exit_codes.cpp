#include "exit_codes.h"

namespace linkwatch::cli {

const char kExitCodesHelp[] =
    "Exit codes:\n"
    "  0  ok\n"
    "  1  usage error, invalid input, or another failure\n"
    "  2  not found\n"
    "  3  authentication or permission (HTTP 401/403)\n"
    "  4  daemon unreachable (connection refused, timeout) or shutting down\n"
    "  5  import: some rows were committed, others were invalid or not sent\n"
    "  6  audit verify: the audit chain is broken\n"
    "\n"
    "Settings: --url, --token and --timeout beat LINKWATCH_URL / LINKWATCH_TOKEN,\n"
    "which beat the config file (--config, LINKWATCH_CONFIG, default\n"
    "~/.config/linkwatch/cli.toml with keys url, token, timeout).";

int ExitCodeFor(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return kExitOk;
    case Status::Code::kNotFound:
      return kExitNotFound;
    case Status::Code::kUnauthenticated:
    case Status::Code::kPermissionDenied:
      return kExitAuth;
    case Status::Code::kUnavailable:
      return kExitUnreachable;
    case Status::Code::kInvalidArgument:
    case Status::Code::kAlreadyExists:
    case Status::Code::kIOError:
    case Status::Code::kCorruption:
    case Status::Code::kInternal:
      return kExitUsage;
  }
  return kExitUsage;
}

Status::Code CodeForHttpStatus(long http_status) {
  using Code = Status::Code;
  if (http_status >= 200 && http_status < 300) return Code::kOk;
  switch (http_status) {
    case 401:
      return Code::kUnauthenticated;
    case 403:
      return Code::kPermissionDenied;
    case 404:
      return Code::kNotFound;
    case 409:
      return Code::kAlreadyExists;
    case 503:
      return Code::kUnavailable;
    default:
      break;
  }
  return http_status >= 400 && http_status < 500 ? Code::kInvalidArgument : Code::kInternal;
}

}  // namespace linkwatch::cli
