#include "linkwatch/matcher/match_json.h"

#include <nlohmann/json.hpp>

namespace linkwatch::matcher {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json RuleHitJson(const RuleHit& hit) {
  json excerpts = json::array();
  for (const Excerpt& e : hit.excerpts) {
    excerpts.push_back(
        {{"pattern", e.pattern_index}, {"text", e.text}, {"matched", e.matched}, {"offset", e.offset}});
  }
  return {{"kind", "rule"},
          {"rule_id", hit.rule_id},
          {"category", hit.category},
          {"severity", hit.severity},
          {"legal_basis", hit.legal_basis},
          {"description", hit.description},
          {"excerpt", hit.excerpts.empty() ? json(nullptr) : json(hit.excerpts.front().text)},
          {"excerpts", excerpts}};
}

json HashHitJson(const HashHit& hit) {
  return {{"kind", "hash"},
          {"rule_id", nullptr},
          {"category", hit.category},
          {"legal_basis", hit.legal_basis},
          {"label", hit.label},
          {"sha256", hit.sha256},
          {"digest_of", hit.kind == HashHit::Kind::kRawBody ? "body" : "text"},
          {"excerpt", nullptr}};
}

}  // namespace

std::string MatchesJson(const MatchResult& result) {
  json out = json::array();
  for (const RuleHit& hit : result.hits) out.push_back(RuleHitJson(hit));
  for (const HashHit& hit : result.hash_hits) out.push_back(HashHitJson(hit));
  return Dump(out);
}

std::string MatchedIdsJson(const MatchResult& result) {
  json out = json::array();
  for (const RuleHit& hit : result.hits) out.push_back(hit.rule_id);
  for (const HashHit& hit : result.hash_hits) out.push_back("hash:" + hit.sha256);
  return Dump(out);
}

}  // namespace linkwatch::matcher
