// The weekly report's queries. (Filled in by the report work of issue 6.)
#include "ops.h"
#include "sqlite_db.h"

namespace linkwatch::storage {

Result<ReportData> QueryReport(Db& db, const ReportQuery& query, TimeMs now) {
  (void)db;
  (void)query;
  (void)now;
  return Status::Internal("the weekly report is not built yet");
}

}  // namespace linkwatch::storage
