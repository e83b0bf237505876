// JSON text for audit details.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace linkwatch::storage {

// Compact JSON; never throws on bad UTF-8 (inputs are validated before, and a
// stray byte must not fail a write that already happened).
inline std::string JsonText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace linkwatch::storage
