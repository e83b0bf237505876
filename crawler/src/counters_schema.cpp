#include "counters_schema.h"

#include <algorithm>
#include <array>

#include "page_text.h"

namespace linkwatch::crawler {
namespace {

struct Named {
  std::string_view name;
  CounterKind kind;
};

constexpr std::array<Named, 5> kActions = {{
    {"WatchAction", CounterKind::kViews},
    {"ViewAction", CounterKind::kViews},
    {"ShareAction", CounterKind::kShares},
    {"LikeAction", CounterKind::kLikes},
    {"CommentAction", CounterKind::kComments},
}};

// The schema.org UserInteraction types of the old interactionCount.
constexpr std::array<Named, 8> kUserInteractions = {{
    {"UserPlays", CounterKind::kViews},
    {"UserPageVisits", CounterKind::kViews},
    {"UserDownloads", CounterKind::kViews},
    {"UserLikes", CounterKind::kLikes},
    {"UserPlusOnes", CounterKind::kLikes},
    {"UserComments", CounterKind::kComments},
    {"UserTweets", CounterKind::kShares},
    {"UserShares", CounterKind::kShares},
}};

constexpr std::array<std::string_view, 5> kSchemaPrefixes = {
    "https://schema.org/", "http://schema.org/", "https://www.schema.org/",
    "http://www.schema.org/", "schema:"};

std::optional<CounterKind> Lookup(const auto& table, std::string_view name) {
  for (const Named& n : table) {
    if (n.name == name) return n.kind;
  }
  return std::nullopt;
}

constexpr size_t kRawScanBytes = 4 * kMaxCounterRawBytes;

std::string_view Trim(std::string_view s) {
  const size_t start = s.find_first_not_of(" \t\n\r\f");
  if (start == std::string_view::npos) return {};
  return s.substr(start, s.find_last_not_of(" \t\n\r\f") - start + 1);
}

}  // namespace

std::optional<CounterKind> KindOfInteractionType(std::string_view type) {
  type = Trim(type);
  for (const std::string_view prefix : kSchemaPrefixes) {
    if (type.starts_with(prefix)) {
      type.remove_prefix(prefix.size());
      break;
    }
  }
  if (type.ends_with('/')) type.remove_suffix(1);
  return Lookup(kActions, type);
}

std::optional<OldInteractionCount> ReadInteractionCount(std::string_view value) {
  value = Trim(value);
  const size_t colon = value.find(':');
  if (colon == std::string_view::npos) return OldInteractionCount{CounterKind::kViews, value};
  const std::optional<CounterKind> kind = Lookup(kUserInteractions, Trim(value.substr(0, colon)));
  if (!kind) return std::nullopt;
  return OldInteractionCount{*kind, value.substr(colon + 1)};
}

Counter TextCounter(CounterKind kind, std::string_view text, std::string source) {
  Counter c;
  c.kind = kind;
  if (text.size() <= kMaxCountTextBytes) c.value = ParseCount(text);
  // Only the first bytes are kept: collapse no more than can be kept (a few
  // times the cap, for white space), cut at a character boundary.
  size_t head = std::min(text.size(), kRawScanBytes);
  while (head < text.size() && (static_cast<unsigned char>(text[head]) & 0xC0) == 0x80) --head;
  c.raw = CollapseWhitespace(text.substr(0, head));
  CutUtf8(&c.raw, kMaxCounterRawBytes);
  c.source = std::move(source);
  return c;
}

Counter OldCounter(const OldInteractionCount& old, std::string_view text, std::string source) {
  Counter c = TextCounter(old.kind, text, std::move(source));
  if (text.size() <= kMaxCountTextBytes) c.value = ParseCount(old.number);
  return c;
}

bool AddCounter(std::vector<Counter>* out, Counter counter) {
  if (out->size() >= kMaxCountersPerPage) return false;
  out->push_back(std::move(counter));
  return true;
}

}  // namespace linkwatch::crawler
