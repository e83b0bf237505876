// "Did you mean ...?" for mistyped subcommand names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace linkwatch::cli {

// Edit distance with adjacent transpositions (optimal string alignment):
// insertions, deletions, substitutions and swaps of neighbours cost 1.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `typed` when it is close enough to be a typo (at
// most kMaxSuggestDistance edits, and fewer edits than the candidate has
// characters); the earliest candidate wins a tie. nullopt otherwise.
inline constexpr size_t kMaxSuggestDistance = 2;
std::optional<std::string> SuggestName(std::string_view typed,
                                       const std::vector<std::string>& candidates);

}  // namespace linkwatch::cli
