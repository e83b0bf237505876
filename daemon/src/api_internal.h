// Internals shared by the API's handler files. Not part of the public header.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "linkwatch/daemon/api.h"

namespace linkwatch::daemon::api {

using nlohmann::json;

// Request bodies nest no deeper than this (a batch is 3 levels).
inline constexpr int kMaxJsonDepth = 32;

// One authenticated call, as handlers see it.
struct Call {
  storage::Actor actor;
  std::vector<std::string> params;           // the path's {id} parts, in order
  std::map<std::string, std::string> query;  // decoded query parameters (last wins)
  std::string body;
};

// What handlers share: options and the store. Immutable after construction.
struct Context {
  ApiOptions options;
  storage::Store& store;
  Api::Executor run;  // worker threads, for work that resumes off them (a fetch's answer)
};

using Done = Api::Done;

// Responses.
ApiResponse Json(int status, const json& body);
ApiResponse Error(int status, std::string_view code, std::string_view message,
                  std::string_view field = {});
ApiResponse FromStatus(const Status& status, std::string_view field = {});

// Parses a JSON object body; on failure returns the 400 response to send.
std::variant<json, ApiResponse> ParseObject(const std::string& body);

// The first member of a request body that the request does not take, named
// in the error: a misspelt "nots" must not drop the note silently.
std::optional<std::string> UnknownMember(const json& obj, std::initializer_list<std::string_view> known);
std::string UnknownMemberMessage(const std::string& name, std::initializer_list<std::string_view> known);
std::optional<ApiResponse> NotKnown(const json& obj, std::initializer_list<std::string_view> known);

// A string member of `obj`, or nullopt when absent or not a string.
std::optional<std::string> StringField(const json& obj, const char* name);
// The first of `names` that `obj` has with a value other than a string or
// null, as the 400 naming it ("basis must be a string"); nullopt when none.
std::optional<ApiResponse> NotAString(const json& obj, std::initializer_list<const char*> names);
// Without leading and trailing spaces, tabs and line ends.
std::string Trim(std::string s);
// Counts code points, so that limits mean characters, not bytes.
size_t Utf8Length(std::string_view s);
// The "limit" query parameter (1..kMaxListLimit) into *limit when present;
// the 400 to answer when it is malformed.
std::optional<ApiResponse> ParseLimit(const Call& call, int* limit);
// A positive decimal id, or nullopt.
std::optional<int64_t> ParseId(const std::string& text);

// The categories of the config (registry.categories), and them as "a, b, c".
bool KnownCategory(const Context& ctx, const std::string& category);
std::string CategoryList(const Context& ctx);
// A link status: pending, alive, removed, blocked or unreachable.
bool KnownStatus(const std::string& status);
// The 400 for a filter that names no known category or agency: a mistyped
// filter would give an empty answer that looks like a real one.
std::optional<ApiResponse> UnknownFilter(const Context& ctx, const std::optional<std::string>& category,
                                         const std::optional<std::string>& agency);

// JSON forms of stored records (docs/API.md).
json TimeOrNull(const std::optional<TimeMs>& t);
// Stored JSON array text parsed; [] when empty or not an array.
json JsonArrayOrEmpty(const std::string& text);
json LinkJson(const storage::Link& link, bool with_reports);
json AgencyJson(const storage::Agency& agency);
json TokenJson(const storage::TokenInfo& token);

// Handlers. Each answers through `done` exactly once.
void Whoami(const Context&, const Call&, Done);
void Categories(const Context&, const Call&, Done);
void ListAgencies(const Context&, const Call&, Done);
void CreateAgency(const Context&, const Call&, Done);
void ListTokens(const Context&, const Call&, Done);
void CreateToken(const Context&, const Call&, Done);
void RevokeToken(const Context&, const Call&, Done);
void VerifyAudit(const Context&, const Call&, Done);
void SubmitLink(const Context&, const Call&, Done);
void SubmitBatch(const Context&, const Call&, Done);
void GetLink(const Context&, const Call&, Done);
void LookupLink(const Context&, const Call&, Done);
void ListLinks(const Context&, const Call&, Done);
void Rescan(const Context&, const Call&, Done);
void History(const Context&, const Call&, Done);
void CrawlStatus(const Context&, const Call&, Done);
void ListRules(const Context&, const Call&, Done);
void ReloadRules(const Context&, const Call&, Done);
void TestRules(const Context&, const Call&, Done);
void ListEvidence(const Context&, const Call&, Done);
void GetCluster(const Context&, const Call&, Done);
void ListNotifications(const Context&, const Call&, Done);
void RetryNotifications(const Context&, const Call&, Done);
void ListReview(const Context&, const Call&, Done);
void ShowReview(const Context&, const Call&, Done);
void AcceptReview(const Context&, const Call&, Done);
void RejectReview(const Context&, const Call&, Done);
void EvidenceBody(const Context&, const Call&, Done);
void GetReport(const Context&, const Call&, Done);  // api_report.cpp

}  // namespace linkwatch::daemon::api
