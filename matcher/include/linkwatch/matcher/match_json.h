// The JSON form of a MatchResult, shared by the daemon (stored with each
// check and snapshot, answered by the API) and the CLI's offline `rules test`.
//
//   [{"kind":"rule","rule_id":"cd-001","category":"extremist","severity":3,
//     "legal_basis":"...","description":"...","excerpt":"...",
//     "excerpts":[{"pattern":0,"text":"...","matched":"...","offset":123}]},
//    {"kind":"hash","rule_id":null,"category":"terrorist","legal_basis":"...",
//     "label":"...","sha256":"...","digest_of":"text"|"body","excerpt":null}]
//
// "excerpt" is the first excerpt's text (null for hash hits). Invalid UTF-8
// cannot occur (excerpts are repaired) and would be replaced if it did.
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "linkwatch/matcher/rule_set.h"

namespace linkwatch::matcher {

// The array above, as compact JSON text ("[]" when nothing hit).
std::string MatchesJson(const MatchResult& result);

// The ids of the rules that hit, then "hash:<sha256>" for each hash hit, as a
// compact JSON array of strings.
std::string MatchedIdsJson(const MatchResult& result);

}  // namespace linkwatch::matcher
