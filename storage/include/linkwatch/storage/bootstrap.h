// Creating the first admin credential directly in the store (linkwatch init,
// the daemon's first start). All functions are thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "linkwatch/base/status.h"
#include "linkwatch/storage/store.h"

namespace linkwatch::storage {

// Token secrets look like "lw_" + 48 hex chars; the store keeps only TokenHash(secret).
std::string NewTokenSecret();
// Lower-case hex SHA-256 of the secret, as Store::CreateToken/Authenticate expect.
std::string TokenHash(std::string_view secret);

// When the store has no token yet (revoked ones count): creates the agency
// `agency_name` (if missing) and an admin token for it, and returns the
// secret, which exists nowhere else. Otherwise returns std::nullopt.
// Never fails with kAlreadyExists; errors from the store pass through.
// Two processes bootstrapping the same empty store at once may both get an
// admin secret; both are valid.
Result<std::optional<std::string>> BootstrapAdmin(Store& store, std::string_view agency_name);

}  // namespace linkwatch::storage
