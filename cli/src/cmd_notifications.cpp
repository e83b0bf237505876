// notifications failed|list: the webhook queue.
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "format.h"

namespace linkwatch::cli {
namespace {

using nlohmann::json;

void PrintNotifications(std::ostream& out, const json& r) {
  PrintJsonTable(out,
                 {{"ID", "id"},
                  {"EVENT", "event"},
                  {"LINK", "link_id"},
                  {"STATE", "state"},
                  {"TRIES", "attempts"},
                  {"CREATED", "created_at"},
                  {"WEBHOOK", "webhook"},
                  {"LAST ERROR", "last_error"}},
                 Member(r, "notifications"));
}

int RunList(Context& ctx, const std::string& state) {
  return Request(ctx, "/v1/notifications?" + BuildQuery({{"state", state}}), nullptr, &PrintNotifications);
}

}  // namespace

Handler SetupNotificationsFailed(CLI::App& command) {
  (void)command;
  return [](Context& ctx) { return RunList(ctx, "failed"); };
}

Handler SetupNotificationsList(CLI::App& command) {
  auto state = std::make_shared<std::string>("pending");
  command.add_option("--state", *state, "pending (default), delivered or failed")
      ->check(CLI::IsMember({"pending", "delivered", "failed"}));
  return [state](Context& ctx) { return RunList(ctx, *state); };
}

}  // namespace linkwatch::cli
