#include "linkwatch/storage/bootstrap.h"

#include <exception>

#include "linkwatch/base/sha256.h"

namespace linkwatch::storage {
namespace {

constexpr char kSecretPrefix[] = "lw_";
constexpr size_t kSecretRandomBytes = 24;  // 48 hex characters
constexpr char kBootstrapLabel[] = "bootstrap admin";

// Finds the agency or creates it; a concurrent creator is not an error.
Result<Agency> EnsureAgency(Store& store, const Actor& actor, std::string_view name) {
  auto created = store.CreateAgency(actor, name);
  if (created.ok() || created.status().code() != Status::Code::kAlreadyExists) return created;
  return store.FindAgency(name);
}

Result<std::optional<std::string>> Bootstrap(Store& store, std::string_view agency_name) {
  auto tokens = store.CountTokens();
  if (!tokens.ok()) return tokens.status();
  if (*tokens > 0) return std::optional<std::string>();

  Actor actor;  // token_id 0: the local bootstrap
  actor.agency = std::string(agency_name);
  actor.role = Role::kAdmin;
  auto agency = EnsureAgency(store, actor, agency_name);
  if (!agency.ok()) return agency.status();
  actor.agency_id = agency->id;

  std::string secret = NewTokenSecret();
  auto token = store.CreateToken(actor, agency->name, Role::kAdmin, kBootstrapLabel,
                                 TokenHash(secret));
  if (!token.ok()) return token.status();
  return std::optional<std::string>(std::move(secret));
}

}  // namespace

std::string NewTokenSecret() { return kSecretPrefix + RandomHex(kSecretRandomBytes); }

std::string TokenHash(std::string_view secret) { return Sha256Hex(secret); }

Result<std::optional<std::string>> BootstrapAdmin(Store& store, std::string_view agency_name) {
  try {
    return Bootstrap(store, agency_name);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("bootstrap failed: ") + e.what());
  }
}

}  // namespace linkwatch::storage
