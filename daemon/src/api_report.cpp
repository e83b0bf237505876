// GET /v1/report: the weekly report, rendered in the format asked for.
#include <algorithm>

#include "api_internal.h"
#include "report_request.h"

namespace linkwatch::daemon::api {

void GetReport(const Context& ctx, const Call& call, Done done) {
  std::string field;
  auto request = ParseReportRequest(call.query, SystemClock::Instance().Now(), &field);
  if (!request.ok()) return done(FromStatus(request.status(), field));
  // A mistyped filter would give an all-zero report that looks like a quiet week.
  if (const auto& category = request->query.category; category && !KnownCategory(ctx, *category)) {
    return done(Error(400, "invalid_argument",
                      "unknown category \"" + *category + "\"; known: " + CategoryList(ctx), "category"));
  }
  if (const auto& agency = request->query.agency) {
    auto agencies = ctx.store.ListAgencies();
    if (!agencies.ok()) return done(FromStatus(agencies.status()));
    const bool known = std::any_of(agencies->begin(), agencies->end(),
                                   [&](const storage::Agency& a) { return a.name == *agency; });
    if (!known) {
      return done(Error(400, "invalid_argument", "no agency named \"" + *agency + "\"", "agency"));
    }
  }
  auto data = ctx.store.Report(request->query);
  if (!data.ok()) return done(FromStatus(data.status()));
  ApiResponse response;
  response.body = RenderReport(*data, request->format);
  response.content_type = ReportContentType(request->format);
  done(std::move(response));
}

}  // namespace linkwatch::daemon::api
