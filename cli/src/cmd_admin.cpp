// whoami, agency add/list, token create/list/revoke: thin wrappers over the API.
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "format.h"

namespace linkwatch::cli {
namespace {

using nlohmann::json;

constexpr char kRoles[][9] = {"operator", "reviewer", "admin"};

struct AgencyAddOptions {
  std::string name;
};

struct TokenCreateOptions {
  std::string agency;
  std::string role;
  std::string label;
  bool quiet = false;  // print only the secret
};

struct TokenRevokeOptions {
  int64_t id = 0;
};

void PrintWhoami(std::ostream& out, const json& me) {
  out << "token #" << FieldText(me, "token_id") << " of agency '" << FieldText(me, "agency")
      << "', role " << FieldText(me, "role") << '\n';
}

void PrintTokenCreated(std::ostream& out, const json& token, bool quiet) {
  if (quiet) {
    out << FieldText(token, "token") << '\n';
    return;
  }
  out << "token #" << FieldText(token, "id") << " for agency '" << FieldText(token, "agency")
      << "', role " << FieldText(token, "role") << ":\n\n  " << FieldText(token, "token")
      << "\n\nThis secret is shown only now; store it safely.\n";
}

int RunTokenCreate(Context& ctx, const TokenCreateOptions& o) {
  json body = {{"agency", o.agency}, {"role", o.role}};
  if (!o.label.empty()) body["label"] = o.label;
  return Request(ctx, "/v1/tokens", &body, [&o](std::ostream& out, const json& token) {
    PrintTokenCreated(out, token, o.quiet);
  });
}

}  // namespace

Handler SetupWhoami(CLI::App&) {
  return [](Context& ctx) { return Request(ctx, "/v1/whoami", nullptr, &PrintWhoami); };
}

Handler SetupAgencyAdd(CLI::App& command) {
  auto o = std::make_shared<AgencyAddOptions>();
  command.add_option("NAME", o->name, "agency name (unique)")->required();
  return [o](Context& ctx) {
    const json body = {{"name", o->name}};
    return Request(ctx, "/v1/agencies", &body, [](std::ostream& out, const json& agency) {
      out << "agency #" << FieldText(agency, "id") << " '" << FieldText(agency, "name")
          << "' created\n";
    });
  };
}

Handler SetupAgencyList(CLI::App&) {
  return [](Context& ctx) {
    return Request(ctx, "/v1/agencies", nullptr, [](std::ostream& out, const json& body) {
      PrintJsonTable(out, {{"ID", "id"}, {"NAME", "name"}, {"CREATED", "created_at"}},
                     Member(body, "agencies"));
    });
  };
}

Handler SetupTokenCreate(CLI::App& command) {
  auto o = std::make_shared<TokenCreateOptions>();
  command.add_option("--agency", o->agency, "agency the token acts for")->required();
  command.add_option("--role", o->role, "operator, reviewer or admin")
      ->required()
      ->check(CLI::IsMember({kRoles[0], kRoles[1], kRoles[2]}));
  command.add_option("--label", o->label, "a note on whose token this is");
  command.add_flag("--quiet,-q", o->quiet, "print only the token");
  return [o](Context& ctx) { return RunTokenCreate(ctx, *o); };
}

Handler SetupTokenList(CLI::App&) {
  return [](Context& ctx) {
    return Request(ctx, "/v1/tokens", nullptr, [](std::ostream& out, const json& body) {
      PrintJsonTable(out,
                     {{"ID", "id"},
                      {"AGENCY", "agency"},
                      {"ROLE", "role"},
                      {"REVOKED", "revoked"},
                      {"CREATED", "created_at"},
                      {"LABEL", "label"}},
                     Member(body, "tokens"));
    });
  };
}

Handler SetupTokenRevoke(CLI::App& command) {
  auto o = std::make_shared<TokenRevokeOptions>();
  command.add_option("ID", o->id, "token id (see `token list`)")->required()->check(IdNumber());
  return [o](Context& ctx) {
    const json body = json::object();
    return Request(ctx, "/v1/tokens/" + std::to_string(o->id) + "/revoke", &body,
                   [](std::ostream& out, const json& token) {
                     out << "token #" << FieldText(token, "id") << " revoked\n";
                   });
  };
}

}  // namespace linkwatch::cli
