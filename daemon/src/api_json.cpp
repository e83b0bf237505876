#include <algorithm>
#include <charconv>
#include <vector>

#include "api_internal.h"

namespace linkwatch::daemon::api {
namespace {

int HttpStatusFor(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return 200;
    case Status::Code::kInvalidArgument: return 400;
    case Status::Code::kUnauthenticated: return 401;
    case Status::Code::kPermissionDenied: return 403;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kAlreadyExists: return 409;
    case Status::Code::kUnavailable: return 503;
    case Status::Code::kIOError:
    case Status::Code::kCorruption:
    case Status::Code::kInternal: return 500;
  }
  return 500;
}

template <typename T>
json OrNull(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

ApiResponse Json(int status, const json& body) {
  return {status, body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

ApiResponse Error(int status, std::string_view code, std::string_view message,
                  std::string_view field) {
  json err = {{"code", code}, {"message", message}};
  if (!field.empty()) err["field"] = field;
  return Json(status, {{"error", err}});
}

ApiResponse FromStatus(const Status& status, std::string_view field) {
  const int http = HttpStatusFor(status.code());
  // Internal failures keep their details in the log, never in the answer.
  if (http == 500) return Error(500, "internal", "internal error; see the daemon's log");
  return Error(http, CodeName(status.code()), status.message(), field);
}

std::variant<json, ApiResponse> ParseObject(const std::string& body) {
  // No request nests deeper than a few levels; a body of "[[[[..." would
  // otherwise cost some 80 bytes of memory a byte.
  struct TooDeep {};
  // A field given twice would be read as its last value: {"url": A, "url": B}
  // must not register B quietly. Objects here have a few keys each.
  struct Twice {
    std::string key;
  };
  std::vector<std::vector<std::string>> keys;  // of each open object, innermost last
  const json::parser_callback_t guard = [&keys](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonDepth) throw TooDeep{};
    using E = json::parse_event_t;
    if (event == E::object_start) keys.emplace_back();
    if (event == E::object_end && !keys.empty()) keys.pop_back();
    if (event == E::key && !keys.empty()) {
      std::string key = parsed.get<std::string>();
      if (std::find(keys.back().begin(), keys.back().end(), key) != keys.back().end()) throw Twice{std::move(key)};
      keys.back().push_back(std::move(key));
    }
    return true;
  };
  json parsed;
  try {
    parsed = json::parse(body, guard);
  } catch (const TooDeep&) {
    return Error(400, "invalid_argument",
                 "malformed JSON: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  } catch (const Twice& twice) {
    return Error(400, "invalid_argument", "field \"" + twice.key + "\" is given twice", twice.key);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    if (const auto close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
    return Error(400, "invalid_argument", "malformed JSON: " + what);
  }
  if (!parsed.is_object()) return Error(400, "invalid_argument", "the body must be a JSON object");
  return parsed;
}

std::optional<std::string> StringField(const json& obj, const char* name) {
  const auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string Trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::optional<ApiResponse> NotAString(const json& obj, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const auto it = obj.find(name);
    if (it != obj.end() && !it->is_string() && !it->is_null()) {
      return Error(400, "invalid_argument", std::string(name) + " must be a string", name);
    }
  }
  return std::nullopt;
}

std::optional<std::string> UnknownMember(const json& obj, std::initializer_list<std::string_view> known) {
  for (const auto& item : obj.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) return item.key();
  }
  return std::nullopt;
}

std::string UnknownMemberMessage(const std::string& name, std::initializer_list<std::string_view> known) {
  std::string list;
  for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
  return "unknown field \"" + name + "\"; this request takes " + list;
}

std::optional<ApiResponse> NotKnown(const json& obj, std::initializer_list<std::string_view> known) {
  const auto name = UnknownMember(obj, known);
  if (!name) return std::nullopt;
  return Error(400, "invalid_argument", UnknownMemberMessage(*name, known), *name);
}

std::optional<int64_t> ParseId(const std::string& text) {
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

json JsonArrayOrEmpty(const std::string& text) {
  json parsed = json::parse(text.empty() ? "[]" : text, nullptr, false);
  return parsed.is_array() ? parsed : json::array();
}

std::optional<ApiResponse> ParseLimit(const Call& call, int* limit) {
  const auto it = call.query.find("limit");
  if (it == call.query.end()) return std::nullopt;
  const auto v = ParseId(it->second);
  if (!v || *v > kMaxListLimit) {
    return Error(400, "invalid_argument",
                 "limit must be a number from 1 to " + std::to_string(kMaxListLimit), "limit");
  }
  *limit = static_cast<int>(*v);
  return std::nullopt;
}

json TimeOrNull(const std::optional<TimeMs>& t) {
  return t ? json(FormatIso8601(*t)) : json(nullptr);
}

namespace {

// A discovered link: the page that led here, and why it was kept.
json FoundFrom(const storage::Link& l) {
  return {{"id", *l.found_from},
          {"url", l.found_from_url},
          {"reason", l.found_reason.empty() ? json(nullptr) : json(l.found_reason)}};
}

}  // namespace

json LinkJson(const storage::Link& l, bool with_reports) {
  json j = {{"id", l.id},
            {"canonical_url", l.canonical_url},
            {"submitted_url", l.submitted_url},
            {"host", l.host},
            {"origin", l.origin},
            {"review_state", l.review_state},
            {"category", l.category},
            {"status", l.status},
            {"flagged", l.flagged},
            {"last_checked_at", TimeOrNull(l.last_checked_at)},
            {"next_check_at", TimeOrNull(l.next_check_at)},
            {"http_status", OrNull(l.http_status)},
            {"final_url", l.final_url.empty() ? json(nullptr) : json(l.final_url)},
            {"views", OrNull(l.views)},
            {"shares", OrNull(l.shares)},
            {"likes", OrNull(l.likes)},
            {"comments", OrNull(l.comments)},
            {"cluster_id", OrNull(l.cluster_id)},
            {"found_from", l.found_from ? FoundFrom(l) : json(nullptr)},
            {"depth", l.depth},
            {"reviewed_at", TimeOrNull(l.reviewed_at)},
            {"review_reason", l.review_reason.empty() ? json(nullptr) : json(l.review_reason)},
            {"removed_since", TimeOrNull(l.removed_since)},
            {"reappeared_at", TimeOrNull(l.reappeared_at)},
            {"flagged_at", TimeOrNull(l.flagged_at)},
            {"last_flagged_at", TimeOrNull(l.last_flagged_at)},
            {"rules_version", l.rules_version.empty() ? json(nullptr) : json(l.rules_version)},
            {"created_at", FormatIso8601(l.created_at)},
            {"first_agency", l.first_agency}};
  if (with_reports) {
    j["matches"] = JsonArrayOrEmpty(l.matches);
    j["evidence_count"] = l.evidence_count;
    j["repost_count"] = l.repost_count;
    j["views_growth"] = OrNull(l.views_growth);
    j["views_growth_7d"] = OrNull(l.views_growth_7d);
    json reports = json::array();
    for (const auto& r : l.reports) {
      reports.push_back({{"id", r.id},
                         {"agency", r.agency},
                         {"basis", r.legal_basis},
                         {"category", r.category},
                         {"note", r.note},
                         {"reported_at", FormatIso8601(r.reported_at)},
                         {"duplicate", r.duplicate}});
    }
    j["reports"] = std::move(reports);
  }
  return j;
}

json AgencyJson(const storage::Agency& a) {
  return {{"id", a.id}, {"name", a.name}, {"created_at", FormatIso8601(a.created_at)}};
}

json TokenJson(const storage::TokenInfo& t) {
  return {{"id", t.id},
          {"agency", t.agency},
          {"role", storage::RoleName(t.role)},
          {"label", t.label},
          {"created_at", FormatIso8601(t.created_at)},
          {"revoked", t.revoked}};
}

}  // namespace linkwatch::daemon::api
