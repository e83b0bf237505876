// Reading counts as people write them ("12 345", "1,2 тыс.", "3M").
//
// Internal to the crawler: ParseCount() in counters.h is the public face and
// states the rules. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace linkwatch::crawler {

std::optional<int64_t> ParseCountText(std::string_view text);

// The power of ten a multiplier word stands for ("K" 3, "млн" 6, "bn" 9),
// case-insensitive (ASCII, Cyrillic and Kazakh letters); nullopt when `word`
// is no multiplier.
std::optional<int> MultiplierExponent(std::string_view word);

}  // namespace linkwatch::crawler
