#include "linkwatch/crawler/counters.h"

#include <array>

#include "counters_number.h"

namespace linkwatch::crawler {
namespace {

constexpr std::array<const char*, 4> kKindNames = {"views", "shares", "likes", "comments"};

// Lower is preferred in BestCount.
int SourcePriority(std::string_view source) {
  if (source == "json-ld") return 0;
  if (source == "microdata") return 1;
  if (source == "meta") return 2;
  if (source.starts_with("site:")) return 3;
  return 4;
}

constexpr int kPriorities = 5;

}  // namespace

const char* CounterKindName(CounterKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::optional<CounterKind> ParseCounterKind(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (name == kKindNames[i]) return static_cast<CounterKind>(i);
  }
  return std::nullopt;
}

std::optional<int64_t> ParseCount(std::string_view text) { return ParseCountText(text); }

std::optional<int64_t> BestCount(const std::vector<Counter>& counters, CounterKind kind) {
  for (int priority = 0; priority < kPriorities; ++priority) {
    for (const Counter& c : counters) {
      if (c.kind == kind && c.value && SourcePriority(c.source) == priority) return c.value;
    }
  }
  return std::nullopt;
}

}  // namespace linkwatch::crawler
