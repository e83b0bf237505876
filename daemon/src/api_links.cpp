// Handlers for registering, showing and listing links.
#include <charconv>

#include "api_internal.h"

namespace linkwatch::daemon::api {
namespace {

// A submission that failed validation: which field, and why.
struct FieldError {
  std::string field;
  std::string message;
};


std::variant<storage::Submission, FieldError> Validate(const Context& ctx, const json& item) {
  if (!item.is_object()) return FieldError{"", "each item must be a JSON object"};
  const std::initializer_list<std::string_view> kItemFields = {"url", "basis", "category", "note", "line"};
  if (const auto unknown = UnknownMember(item, kItemFields)) {
    return FieldError{*unknown, UnknownMemberMessage(*unknown, kItemFields)};
  }
  for (const char* name : {"url", "basis", "category", "note"}) {
    if (item.contains(name) && !item[name].is_string() && !item[name].is_null()) {
      return FieldError{name, std::string(name) + " must be a string"};
    }
  }
  if (const auto line = item.find("line"); line != item.end() && !line->is_null()) {
    const bool whole = line->is_number_unsigned() || (line->is_number_integer() && line->get<int64_t>() > 0);
    if (!whole || line->get<uint64_t>() == 0 || line->get<uint64_t>() > uint64_t{INT64_MAX}) {
      return FieldError{"line", "line must be a whole number from 1"};
    }
  }
  const auto url = StringField(item, "url");
  if (!url) return FieldError{"url", "url is required and must be a string"};
  auto canon = crawler::Canonicalize(*url, {}, ctx.options.canon);
  if (!canon.ok()) return FieldError{"url", canon.status().message()};
  const std::string basis = Trim(StringField(item, "basis").value_or(""));
  if (basis.empty()) {
    return FieldError{"basis", "basis (the court decision or order reference) is required"};
  }
  if (Utf8Length(basis) > kMaxBasisChars) {
    return FieldError{"basis", "basis is longer than " + std::to_string(kMaxBasisChars) + " characters"};
  }
  const std::string category = Trim(StringField(item, "category").value_or(""));
  if (!KnownCategory(ctx, category)) {
    return FieldError{"category", (category.empty() ? std::string("category is required")
                                                    : "unknown category \"" + category + "\"") +
                                      "; known: " + CategoryList(ctx)};
  }
  std::string note = Trim(StringField(item, "note").value_or(""));  // "" when none, as a blank one
  if (Utf8Length(note) > kMaxNoteChars) {
    return FieldError{"note", "note is longer than " + std::to_string(kMaxNoteChars) + " characters"};
  }
  storage::Submission submission{canon->key, *url, canon->host, basis, category, std::move(note)};
  // What the store would refuse (a host over 255 bytes, a URL that grew past
  // its limit when encoded) is this row's error, not the whole batch's.
  if (auto problem = storage::CheckSubmission(submission)) return FieldError{problem->field, problem->message};
  return submission;
}

json SubmitResultJson(const storage::SubmissionResult& r, const std::string& canonical_url) {
  return {{"link_id", r.link_id},
          {"report_id", r.report_id},
          {"canonical_url", canonical_url},
          {"duplicate", r.duplicate},
          {"repeated", r.repeated},
          {"first_agency", r.first_agency},
          {"first_reported_at", FormatIso8601(r.first_reported_at)},
          {"confirmed_finding", r.confirmed_finding.empty() ? json(nullptr) : json(r.confirmed_finding)}};
}

// Batch rows: either a validated submission or the reason it was refused.
struct Row {
  int64_t line = 0;
  std::optional<FieldError> error;
  size_t submission = 0;  // index into the submissions sent to the store
};

json RowLine(const json& item, size_t index) {
  if (item.is_object()) {
    const auto it = item.find("line");
    if (it != item.end() && it->is_number_integer()) return *it;
  }
  return index + 1;
}

void AnswerBatch(const std::vector<Row>& rows, const std::vector<storage::Submission>& subs,
                 const std::vector<storage::SubmissionResult>& results, Done done) {
  json out = json::array();
  int new_count = 0, dup_count = 0, repeated = 0, invalid = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (row.error) {
      ++invalid;
      json err = {{"code", "invalid_argument"}, {"message", row.error->message}};
      if (!row.error->field.empty()) err["field"] = row.error->field;
      out.push_back({{"index", i}, {"line", row.line}, {"ok", false}, {"error", err}});
      continue;
    }
    const auto& r = results.at(row.submission);
    (r.duplicate ? dup_count : new_count)++;
    repeated += r.repeated ? 1 : 0;
    json j = SubmitResultJson(r, subs.at(row.submission).canonical_url);
    j["index"] = i;
    j["line"] = row.line;
    j["ok"] = true;
    out.push_back(std::move(j));
  }
  done(Json(200, {{"results", out},
                  {"summary", {{"new", new_count},
                               {"duplicate", dup_count},
                               {"repeated", repeated},
                               {"invalid", invalid}}}}));
}

}  // namespace

bool KnownCategory(const Context& ctx, const std::string& c) {
  const auto& list = ctx.options.categories;
  return std::find(list.begin(), list.end(), c) != list.end();
}

std::string CategoryList(const Context& ctx) {
  std::string out;
  for (const auto& c : ctx.options.categories) out += (out.empty() ? "" : ", ") + c;
  return out;
}

bool KnownStatus(const std::string& status) {
  static constexpr std::string_view kStatuses[] = {"pending", "alive", "removed", "blocked", "unreachable"};
  return std::find(std::begin(kStatuses), std::end(kStatuses), status) != std::end(kStatuses);
}

std::optional<ApiResponse> UnknownFilter(const Context& ctx, const std::optional<std::string>& category,
                                         const std::optional<std::string>& agency) {
  if (category && !KnownCategory(ctx, *category)) {
    return Error(400, "invalid_argument", "unknown category \"" + *category + "\"; known: " + CategoryList(ctx),
                 "category");
  }
  if (agency) {
    auto agencies = ctx.store.ListAgencies();
    if (!agencies.ok()) return FromStatus(agencies.status());
    const bool known = std::any_of(agencies->begin(), agencies->end(),
                                   [&](const storage::Agency& a) { return a.name == *agency; });
    if (!known) return Error(400, "invalid_argument", "no agency named \"" + *agency + "\"", "agency");
  }
  return std::nullopt;
}

void SubmitLink(const Context& ctx, const Call& call, Done done) {
  auto body = ParseObject(call.body);
  if (auto* err = std::get_if<ApiResponse>(&body)) return done(*err);
  auto checked = Validate(ctx, std::get<json>(body));
  if (auto* err = std::get_if<FieldError>(&checked)) {
    return done(Error(400, "invalid_argument", err->message, err->field));
  }
  auto sub = std::get<storage::Submission>(std::move(checked));
  const std::string canonical = sub.canonical_url;
  ctx.store.RegisterAsync(call.actor, {std::move(sub)},
                          [canonical, done](Result<std::vector<storage::SubmissionResult>> r) {
                            if (!r.ok()) return done(FromStatus(r.status()));
                            const auto& one = r->at(0);
                            done(Json(one.duplicate ? 200 : 201, SubmitResultJson(one, canonical)));
                          });
}

void SubmitBatch(const Context& ctx, const Call& call, Done done) {
  auto body = ParseObject(call.body);
  if (auto* err = std::get_if<ApiResponse>(&body)) return done(*err);
  const json& obj = std::get<json>(body);
  if (auto unknown = NotKnown(obj, {"items"})) return done(*unknown);
  const auto items = obj.find("items");
  if (items == obj.end() || !items->is_array()) {
    return done(Error(400, "invalid_argument", "items must be an array", "items"));
  }
  if (items->size() > static_cast<size_t>(ctx.options.max_batch_items)) {
    return done(Error(400, "invalid_argument",
                      "at most " + std::to_string(ctx.options.max_batch_items) +
                          " items per batch; split the file",
                      "items"));
  }
  std::vector<Row> rows;
  std::vector<storage::Submission> subs;
  rows.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    Row row;
    row.line = RowLine((*items)[i], i).get<int64_t>();
    auto checked = Validate(ctx, (*items)[i]);
    if (auto* err = std::get_if<FieldError>(&checked)) {
      row.error = std::move(*err);
    } else {
      row.submission = subs.size();
      subs.push_back(std::get<storage::Submission>(std::move(checked)));
    }
    rows.push_back(std::move(row));
  }
  if (subs.empty()) return AnswerBatch(rows, subs, {}, std::move(done));
  auto shared_rows = std::make_shared<std::vector<Row>>(std::move(rows));
  auto shared_subs = std::make_shared<std::vector<storage::Submission>>(subs);
  ctx.store.RegisterAsync(
      call.actor, std::move(subs),
      [shared_rows, shared_subs, done](Result<std::vector<storage::SubmissionResult>> r) {
        if (!r.ok()) return done(FromStatus(r.status()));
        AnswerBatch(*shared_rows, *shared_subs, *r, done);
      });
}

void GetLink(const Context& ctx, const Call& call, Done done) {
  const auto id = ParseId(call.params.at(0));
  if (!id) return done(Error(404, "not_found", "no link " + call.params.at(0)));
  auto link = ctx.store.GetLink(*id);
  if (!link.ok()) return done(FromStatus(link.status()));
  done(Json(200, LinkJson(*link, true)));
}

void LookupLink(const Context& ctx, const Call& call, Done done) {
  const auto it = call.query.find("url");
  if (it == call.query.end() || it->second.empty()) {
    return done(Error(400, "invalid_argument", "the url query parameter is required", "url"));
  }
  auto canon = crawler::Canonicalize(it->second, {}, ctx.options.canon);
  if (!canon.ok()) return done(FromStatus(canon.status(), "url"));
  auto link = ctx.store.GetLinkByUrl(canon->key);
  if (!link.ok()) {
    if (link.status().code() == Status::Code::kNotFound) {
      return done(Error(404, "not_found", "no link registered for " + canon->href));
    }
    return done(FromStatus(link.status()));
  }
  done(Json(200, LinkJson(*link, true)));
}

void ListLinks(const Context& ctx, const Call& call, Done done) {
  storage::LinkFilter f;
  auto opt = [&](const char* key) -> std::optional<std::string> {
    const auto it = call.query.find(key);
    if (it == call.query.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  f.status = opt("status");
  f.agency = opt("agency");
  f.category = opt("category");
  f.origin = opt("origin");
  f.text = opt("q");
  if (f.text && std::any_of(f.text->begin(), f.text->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    // SQLite's text ends at a NUL: "q=%00" would match every link.
    return done(Error(400, "invalid_argument", "q must not hold control characters", "q"));
  }
  if (f.status && !KnownStatus(*f.status)) {
    return done(Error(400, "invalid_argument", "status must be pending, alive, removed, blocked or unreachable", "status"));
  }
  if (f.origin && *f.origin != "registered" && *f.origin != "discovered") {
    return done(Error(400, "invalid_argument", "origin must be registered or discovered", "origin"));
  }
  if (auto unknown = UnknownFilter(ctx, f.category, f.agency)) return done(*unknown);
  if (auto flagged = opt("flagged")) {
    if (*flagged != "true" && *flagged != "false") {
      return done(Error(400, "invalid_argument", "flagged must be true or false", "flagged"));
    }
    f.flagged = *flagged == "true";
  }
  if (auto limit = opt("limit")) {
    const auto v = ParseId(*limit);
    if (!v || *v > kMaxListLimit) {
      return done(Error(400, "invalid_argument",
                        "limit must be a number from 1 to " + std::to_string(kMaxListLimit),
                        "limit"));
    }
    f.limit = static_cast<int>(*v);
  }
  if (auto after = opt("after")) {
    const auto v = ParseId(*after);
    if (!v) return done(Error(400, "invalid_argument", "after must be a link id", "after"));
    f.after_id = *v;
  }
  auto page = ctx.store.ListLinks(f);
  if (!page.ok()) return done(FromStatus(page.status()));
  json links = json::array();
  for (const auto& l : page->links) links.push_back(LinkJson(l, false));
  done(Json(200, {{"links", links},
                  {"next_after", page->next_after_id ? json(page->next_after_id) : json(nullptr)}}));
}

}  // namespace linkwatch::daemon::api
