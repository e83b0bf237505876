// GET /v1/report: the weekly report, rendered in the format asked for.
#include "api_internal.h"
#include "report_request.h"

namespace linkwatch::daemon::api {

void GetReport(const Context& ctx, const Call& call, Done done) {
  std::string field;
  auto request = ParseReportRequest(call.query, SystemClock::Instance().Now(), &field);
  if (!request.ok()) return done(FromStatus(request.status(), field));
  // A mistyped filter would give an all-zero report that looks like a quiet week.
  if (auto unknown = UnknownFilter(ctx, request->query.category, request->query.agency)) return done(*unknown);
  auto data = ctx.store.Report(request->query);
  if (!data.ok()) return done(FromStatus(data.status()));
  ApiResponse response;
  response.body = RenderReport(*data, request->format);
  response.content_type = ReportContentType(request->format);
  done(std::move(response));
}

}  // namespace linkwatch::daemon::api
