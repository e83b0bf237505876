// The SQL behind each Store call. Read operations take any connection; write
// operations take the writer's context and run inside its transaction. None
// is thread-safe by itself: the caller holds the connection exclusively.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/storage/store.h"
#include "writer.h"

namespace linkwatch::storage {

class Db;

// ---- agencies and tokens (agency_ops.cpp) ----
Result<Agency> InsertAgency(WriteContext& ctx, const Actor& actor, const std::string& name);
Result<std::vector<Agency>> QueryAgencies(Db& db);
Result<Agency> QueryAgency(Db& db, std::string_view name);  // kNotFound

// REQUIRES: `hash` is lower-case hex.
Result<TokenInfo> InsertToken(WriteContext& ctx, const Actor& actor, const std::string& agency,
                              Role role, const std::string& label, const std::string& hash);
// True when the token was live and is now revoked, false when it already was.
Result<bool> RevokeTokenRow(WriteContext& ctx, const Actor& actor, int64_t token_id);
Result<std::vector<TokenInfo>> QueryTokens(Db& db);
Result<TokenInfo> QueryLiveToken(Db& db, const std::string& hash);  // kUnauthenticated
Result<int64_t> QueryTokenCount(Db& db);

// ---- links and reports (link_write.cpp, link_read.cpp) ----
Result<std::vector<SubmissionResult>> RegisterAll(WriteContext& ctx, const Actor& actor,
                                                  const std::vector<Submission>& submissions);
Result<Link> QueryLink(Db& db, int64_t id);                        // kNotFound
Result<Link> QueryLinkByUrl(Db& db, std::string_view canonical_url);  // kNotFound
// REQUIRES: filter.limit was validated.
Result<LinkPage> QueryLinks(Db& db, const LinkFilter& filter);

// ---- audit (audit_ops.cpp) ----
// Appends one chained row and advances ctx.chain; returns the row's id.
Result<int64_t> AppendAuditRow(WriteContext& ctx, const Actor& actor, std::string_view action,
                               std::string_view target, std::string_view detail_json);
Result<std::vector<AuditEntry>> QueryAudit(Db& db, int64_t after_id, int limit);
// Streams every row in id order through an AuditVerifier.
Result<AuditVerdict> WalkAudit(Db& db);

}  // namespace linkwatch::storage
