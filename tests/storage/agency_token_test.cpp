// Agencies, tokens, roles and the admin bootstrap.
#include "storage_test_util.h"

namespace linkwatch::storage::testing {
namespace {

std::string StorePath(const TempDir& dir) {
  // Every behaviour here must hold for files and for :memory: alike.
  const auto kind = GENERATE(as<std::string>{}, "file", "memory");
  return kind == "file" ? dir.File("lw.db") : ":memory:";
}

TEST_CASE("role names parse and rank") {
  const auto [role, name] = GENERATE(table<Role, std::string>({
      {Role::kOperator, "operator"},
      {Role::kReviewer, "reviewer"},
      {Role::kAdmin, "admin"},
  }));
  CHECK(RoleName(role) == name);
  CHECK(ParseRole(name) == role);
  CHECK(RoleAtLeast(role, role));
  CHECK(RoleAtLeast(Role::kAdmin, role));
  CHECK(RoleAtLeast(role, Role::kOperator));
}

TEST_CASE("role parsing refuses unknown names and ranks are strict") {
  CHECK_FALSE(ParseRole("Admin").has_value());
  CHECK_FALSE(ParseRole("").has_value());
  CHECK_FALSE(ParseRole("root").has_value());
  CHECK_FALSE(RoleAtLeast(Role::kOperator, Role::kReviewer));
  CHECK_FALSE(RoleAtLeast(Role::kReviewer, Role::kAdmin));
}

TEST_CASE("agency names are unique") {
  TempDir dir;
  ManualClock clock(kStart);
  auto store = MustOpen(StorePath(dir), clock);
  auto first = store->CreateAgency(BootstrapActor(), "Prosecutor General");
  REQUIRE(first.ok());
  CHECK(first->id > 0);
  CHECK(first->created_at == kStart);

  auto again = store->CreateAgency(BootstrapActor(), "Prosecutor General");
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == Status::Code::kAlreadyExists);

  auto cased = store->CreateAgency(BootstrapActor(), "prosecutor GENERAL");
  REQUIRE_FALSE(cased.ok());
  CHECK(cased.status().code() == Status::Code::kAlreadyExists);
  CHECK_THAT(cased.status().message(), Catch::Contains("\"Prosecutor General\" already exists (the names differ only in case)"));

  auto found = store->FindAgency("Prosecutor General");
  REQUIRE(found.ok());
  CHECK(found->id == first->id);
  CHECK(store->FindAgency("Nobody").status().code() == Status::Code::kNotFound);

  MustAgency(*store, "Police");
  auto all = store->ListAgencies();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].name == "Prosecutor General");
  CHECK((*all)[1].name == "Police");
}

TEST_CASE("agency names must be 1..100 printable characters") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  std::string cyrillic_100;
  for (int i = 0; i < 100; ++i) cyrillic_100 += "\xd0\x96";  // Ж
  const auto [name, valid] = GENERATE_COPY(table<std::string, bool>({
      {"Police", true},
      {cyrillic_100, true},
      {"Прокуратура", true},
      {"", false},
      {std::string(101, 'a'), false},
      {cyrillic_100 + "\xd0\x96", false},
      {"tab\there", false},
      {"new\nline", false},
      {" leading", false},
      {"trailing ", false},
      {"bad \xff utf8", false},
      {"Ops\xc2\xa0One", false},          // a no-break space
      {"Ops\xe2\x80\x8bOne", false},      // a zero-width space
      {"Ops  One", false},                // two spaces
      {"Caf\x65\xcc\x81", false},          // e + combining acute
      {"Caf\xc3\xa9", true},               // é as one character
  }));
  INFO(name);
  auto created = store->CreateAgency(BootstrapActor(), name);
  CHECK(created.ok() == valid);
  if (!valid) CHECK(created.status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("tokens authenticate until revoked") {
  TempDir dir;
  ManualClock clock(kStart);
  auto store = MustOpen(StorePath(dir), clock);
  MustAgency(*store, "Police");
  const std::string secret = NewTokenSecret();
  auto token = store->CreateToken(BootstrapActor(), "Police", Role::kReviewer, "desk 4",
                                  TokenHash(secret));
  REQUIRE(token.ok());
  CHECK(token->agency == "Police");
  CHECK(token->role == Role::kReviewer);
  CHECK(token->label == "desk 4");
  CHECK_FALSE(token->revoked);

  auto who = store->Authenticate(TokenHash(secret));
  REQUIRE(who.ok());
  CHECK(who->id == token->id);
  CHECK(who->role == Role::kReviewer);
  CHECK(who->agency == "Police");
  CHECK(store->CountTokens().value() == 1);

  REQUIRE(store->RevokeToken(BootstrapActor(), token->id).ok());
  CHECK(store->Authenticate(TokenHash(secret)).status().code() ==
        Status::Code::kUnauthenticated);
  CHECK(store->RevokeToken(BootstrapActor(), token->id).ok());  // already revoked: no-op
  auto tokens = store->ListTokens();
  REQUIRE(tokens.ok());
  REQUIRE(tokens->size() == 1);
  CHECK((*tokens)[0].revoked);
  CHECK(store->CountTokens().value() == 1);  // revoked tokens still count
}

TEST_CASE("token creation and lookup failures carry their own codes") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  MustAgency(*store, "Police");
  const std::string hash = TokenHash("lw_secret");
  REQUIRE(store->CreateToken(BootstrapActor(), "Police", Role::kOperator, "", hash).ok());

  SECTION("the same hash twice") {
    CHECK(store->CreateToken(BootstrapActor(), "Police", Role::kAdmin, "", hash).status().code() ==
          Status::Code::kAlreadyExists);
  }
  SECTION("an unknown agency") {
    CHECK(store->CreateToken(BootstrapActor(), "Nobody", Role::kOperator, "", TokenHash("x"))
              .status()
              .code() == Status::Code::kNotFound);
  }
  SECTION("a hash that is not SHA-256 hex") {
    CHECK(store->CreateToken(BootstrapActor(), "Police", Role::kOperator, "", "abc")
              .status()
              .code() == Status::Code::kInvalidArgument);
  }
  SECTION("unknown hashes do not authenticate") {
    CHECK(store->Authenticate(TokenHash("other")).status().code() ==
          Status::Code::kUnauthenticated);
    CHECK(store->Authenticate("not-hex").status().code() == Status::Code::kUnauthenticated);
  }
  SECTION("an upper-case hash names the same token") {
    std::string upper = hash;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(store->Authenticate(upper).ok());
  }
  SECTION("revoking an unknown token") {
    CHECK(store->RevokeToken(BootstrapActor(), 999).code() == Status::Code::kNotFound);
  }
}

TEST_CASE("token secrets have the documented form") {
  const std::string secret = NewTokenSecret();
  REQUIRE(secret.size() == 3 + 48);
  CHECK(secret.rfind("lw_", 0) == 0);
  CHECK(secret.find_first_not_of("0123456789abcdef", 3) == std::string::npos);
  CHECK(secret != NewTokenSecret());
  CHECK(TokenHash(secret).size() == 64);
  CHECK(TokenHash(secret) != TokenHash(NewTokenSecret()));
}

TEST_CASE("bootstrap creates one admin token, and only while there is none") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  const bool agency_exists = GENERATE(false, true);
  if (agency_exists) MustAgency(*store, "Linkwatch admins");

  auto secret = BootstrapAdmin(*store, "Linkwatch admins");
  REQUIRE(secret.ok());
  REQUIRE(secret->has_value());
  auto who = store->Authenticate(TokenHash(**secret));
  REQUIRE(who.ok());
  CHECK(who->role == Role::kAdmin);
  CHECK(who->agency == "Linkwatch admins");

  auto again = BootstrapAdmin(*store, "Linkwatch admins");
  REQUIRE(again.ok());
  CHECK_FALSE(again->has_value());
  CHECK(store->CountTokens().value() == 1);
}

TEST_CASE("bootstrap passes store errors through") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  auto bad_name = BootstrapAdmin(*store, "");
  REQUIRE_FALSE(bad_name.ok());
  CHECK(bad_name.status().code() == Status::Code::kInvalidArgument);
  store->Close();
  CHECK(BootstrapAdmin(*store, "Admins").status().code() == Status::Code::kUnavailable);
}

TEST_CASE("the last admin token cannot be revoked, an admin among others can") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  MustAgency(*store, "Admins");
  auto first = store->CreateToken(BootstrapActor(), "Admins", Role::kAdmin, "first", TokenHash("a1"));
  auto second = store->CreateToken(BootstrapActor(), "Admins", Role::kAdmin, "second", TokenHash("a2"));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(store->RevokeToken(BootstrapActor(), first->id).ok());
  const Status last = store->RevokeToken(BootstrapActor(), second->id);
  CHECK(last.code() == Status::Code::kInvalidArgument);
  CHECK_THAT(last.message(), Catch::Contains("token #" + std::to_string(second->id) +
                                             " is the last admin token and stays"));
  CHECK(store->Authenticate(TokenHash("a2")).ok());  // still works
  auto audit = store->ListAudit(0, 10);
  REQUIRE(audit.ok());
  CHECK(audit->back().action == "token.revoke");
  CHECK(audit->back().target == "token:" + std::to_string(first->id));  // the refused one left no row
  auto third = store->CreateToken(BootstrapActor(), "Admins", Role::kAdmin, "third", TokenHash("a3"));
  REQUIRE(third.ok());
  CHECK(store->RevokeToken(BootstrapActor(), second->id).ok());
}

TEST_CASE("agency and token changes are audited") {
  ManualClock clock(kStart);
  auto store = MustOpen(":memory:", clock);
  Actor admin = BootstrapActor();
  admin.token_id = 0;
  MustAgency(*store, "Police");
  auto token = store->CreateToken(admin, "Police", Role::kOperator, "desk", TokenHash("s"));
  REQUIRE(token.ok());
  REQUIRE(store->RevokeToken(admin, token->id).ok());
  auto audit = store->ListAudit(0, 10);
  REQUIRE(audit.ok());
  REQUIRE(audit->size() == 3);
  CHECK((*audit)[0].action == "agency.create");
  CHECK((*audit)[0].target == "agency:1");
  CHECK((*audit)[0].detail == R"({"name":"Police"})");
  CHECK((*audit)[1].action == "token.create");
  CHECK((*audit)[1].target == "token:" + std::to_string(token->id));
  CHECK((*audit)[1].detail.find("\"role\":\"operator\"") != std::string::npos);
  CHECK((*audit)[2].action == "token.revoke");
  CHECK((*audit)[2].agency == "bootstrap");
}

}  // namespace
}  // namespace linkwatch::storage::testing
