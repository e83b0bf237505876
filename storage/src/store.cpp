#include "linkwatch/storage/store.h"

#include "schema.h"
#include "sqlite_store.h"

namespace linkwatch::storage {
namespace {

struct RoleRow {
  Role role;
  const char* name;
  int rank;  // higher may do everything lower may
};

constexpr RoleRow kRoles[] = {
    {Role::kOperator, "operator", 0},
    {Role::kReviewer, "reviewer", 1},
    {Role::kAdmin, "admin", 2},
};

const RoleRow& Row(Role role) {
  for (const RoleRow& r : kRoles) {
    if (r.role == role) return r;
  }
  return kRoles[0];
}

}  // namespace

const char* RoleName(Role role) { return Row(role).name; }

std::optional<Role> ParseRole(std::string_view name) {
  for (const RoleRow& r : kRoles) {
    if (name == r.name) return r.role;
  }
  return std::nullopt;
}

bool RoleAtLeast(Role have, Role need) { return Row(have).rank >= Row(need).rank; }

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, const Options& options,
                                           const Clock& clock) {
  return SqliteStore::Open(path, options, clock);
}

int Store::LatestSchemaVersion() { return LatestMigration(); }

}  // namespace linkwatch::storage
