// The JSON-lines protocol of `linkwatch canon` without a URL argument (used
// by the URL conformance checker): each input line is
//   {"input": "<text>", "base": "<absolute url>" | null}
// and each output line is {"href": "<canonical url>"} or {"error": "<why>"}.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <string_view>

namespace linkwatch::cli {

// The answer line (without '\n') for one input line. Never fails: invalid
// JSON, invalid UTF-8 or a wrong shape give {"error": ...}. With `key`,
// "href" carries the dedup key instead of the canonical URL.
std::string CanonLine(std::string_view line, bool key);

// Answers every line of `in` on `out`, in order, until the end of input.
void CanonStream(std::istream& in, std::ostream& out, bool key);

}  // namespace linkwatch::cli
