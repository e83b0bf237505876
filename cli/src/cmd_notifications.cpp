// notifications failed|list|retry: the webhook queue.
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

struct RetryOptions {
  std::string id;
  bool failed = false;
};

int RunRetry(Context& ctx, const RetryOptions& o) {
  if (o.id.empty() == !o.failed) {
    return Fail(ctx, Status::InvalidArgument(o.failed ? "notifications retry takes an ID or --failed, not both"
                                                      : "notifications retry needs an ID or --failed"));
  }
  const json body = o.failed ? json{{"failed", true}} : json{{"id", std::stoll(o.id)}};
  return Request(ctx, "/v1/notifications/retry", &body, [](std::ostream& out, const json& r) {
    out << FieldText(r, "queued") << " notification(s) queued to be sent again\n";
  });
}

}  // namespace

Handler SetupNotificationsRetry(CLI::App& command) {
  auto o = std::make_shared<RetryOptions>();
  command.add_option("ID", o->id, "the failed notification to send again")->check(IdNumber());
  command.add_flag("--failed", o->failed, "every failed notification");
  return [o](Context& ctx) { return RunRetry(ctx, *o); };
}

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
