// Base64 (RFC 4648, standard alphabet, padded) on OpenSSL. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "linkwatch/base/status.h"

namespace linkwatch {

std::string Base64Encode(std::string_view bytes);

// kInvalidArgument when `text` is not padded base64 (line breaks are not allowed).
Result<std::string> Base64Decode(std::string_view text);

}  // namespace linkwatch
