// schema.org vocabulary shared by the JSON-LD and microdata counter readers.
//
// Internal to the crawler. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/crawler/counters.h"

namespace linkwatch::crawler {

// The counter an interactionType names: "WatchAction", "schema:LikeAction",
// "https://schema.org/ShareAction", "http://schema.org/ViewAction/"; nullopt
// for other types.
std::optional<CounterKind> KindOfInteractionType(std::string_view type);

// The old interactionCount: "UserPlays:123" (views), "UserLikes:5" (likes),
// "UserComments:2", "UserTweets:7" (shares), ...; a value without a known
// "User...:" prefix is views. `number` is the text after the prefix.
struct OldInteractionCount {
  CounterKind kind;
  std::string_view number;
};
std::optional<OldInteractionCount> ReadInteractionCount(std::string_view value);

// A counter text longer than this is no count (a page region matched by
// mistake): its value is unknown.
inline constexpr size_t kMaxCountTextBytes = 1024;

// A counter whose value is read from `text` by ParseCount; raw is `text`
// with white space collapsed, cut to kMaxCounterRawBytes.
// REQUIRES: `text` is valid UTF-8.
Counter TextCounter(CounterKind kind, std::string_view text, std::string source);

// A counter for an old interactionCount read from `text` (kept as raw).
Counter OldCounter(const OldInteractionCount& old, std::string_view text, std::string source);

// Appends `counter` unless *out already holds kMaxCountersPerPage; false when full.
bool AddCounter(std::vector<Counter>* out, Counter counter);

}  // namespace linkwatch::crawler
