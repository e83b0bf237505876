#include "counters_jsonld.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "counters_schema.h"

namespace linkwatch::crawler {
namespace {

using Json = nlohmann::json;

constexpr const char* kSource = "json-ld";
// The largest double that converts to int64_t exactly enough (2^63 is not).
constexpr double kMaxCountDouble = 9.2e18;

// An interactionType: "WatchAction", {"@type": "WatchAction"}, {"@id": ...},
// or a list of those (the first known one counts).
std::optional<CounterKind> TypeKind(const Json& type) {
  if (type.is_string()) return KindOfInteractionType(type.get_ref<const std::string&>());
  if (type.is_object()) {
    for (const char* key : {"@type", "@id"}) {
      const auto it = type.find(key);
      if (it == type.end()) continue;
      if (const std::optional<CounterKind> kind = TypeKind(*it)) return kind;
    }
  }
  if (type.is_array()) {
    for (const Json& item : type) {
      if (item.is_array()) continue;  // no deeper than one list
      if (const std::optional<CounterKind> kind = TypeKind(item)) return kind;
    }
  }
  return std::nullopt;
}

// A counter from a JSON number or string; a JSON number is exact (no
// multipliers), and a negative or fractional one is unreadable.
Counter CountCounter(CounterKind kind, const Json& count) {
  if (count.is_string()) return TextCounter(kind, count.get_ref<const std::string&>(), kSource);
  Counter c;
  c.kind = kind;
  c.source = kSource;
  if (count.is_number_unsigned() && count.get<uint64_t>() <= uint64_t{INT64_MAX}) {
    c.value = static_cast<int64_t>(count.get<uint64_t>());
  } else if (count.is_number_integer() && count.get<int64_t>() >= 0) {
    c.value = count.get<int64_t>();
  } else if (count.is_number_float()) {
    const double d = count.get<double>();
    if (std::isfinite(d) && d >= 0 && d < kMaxCountDouble && d == std::floor(d)) {
      c.value = static_cast<int64_t>(d);
    }
  }
  if (count.is_primitive() && !count.is_null()) c.raw = count.dump();
  return c;
}

// One InteractionCounter object; false once *out is full.
bool AddStatistic(const Json& statistic, std::vector<Counter>* out) {
  if (!statistic.is_object()) return true;
  const auto type = statistic.find("interactionType");
  if (type == statistic.end()) return true;
  const std::optional<CounterKind> kind = TypeKind(*type);
  if (!kind) return true;
  const auto count = statistic.find("userInteractionCount");
  if (count == statistic.end()) return AddCounter(out, Counter{*kind, std::nullopt, "", kSource});
  return AddCounter(out, CountCounter(*kind, *count));
}

// The old interactionCount: "UserPlays:123", or a number (views).
bool AddOldCount(const Json& value, std::vector<Counter>* out) {
  if (value.is_number()) return AddCounter(out, CountCounter(CounterKind::kViews, value));
  if (!value.is_string()) return true;
  const std::string& text = value.get_ref<const std::string&>();
  const std::optional<OldInteractionCount> old = ReadInteractionCount(text);
  if (!old) return true;
  return AddCounter(out, OldCounter(*old, text, kSource));
}

// Looks for counters in every object under `node`; false once *out is full.
// REQUIRES: `node` nests at most kMaxJsonLdDepth deep (bounds the recursion).
bool Search(const Json& node, std::vector<Counter>* out) {
  if (node.is_array()) {
    for (const Json& item : node) {
      if (!Search(item, out)) return false;
    }
    return true;
  }
  if (!node.is_object()) return true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it.key() == "interactionStatistic") {
      const Json& stats = it.value();
      if (!stats.is_array()) {
        if (!AddStatistic(stats, out)) return false;
        continue;
      }
      for (const Json& s : stats) {
        if (!AddStatistic(s, out)) return false;
      }
    } else if (it.key() == "interactionCount") {
      if (!AddOldCount(it.value(), out)) return false;
    } else if (!Search(it.value(), out)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool JsonDepthWithin(std::string_view json, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

void AddJsonLdCounters(std::string_view script, std::vector<Counter>* out) {
  if (script.size() > kMaxJsonLdBytes || out->size() >= kMaxCountersPerPage) return;
  if (!JsonDepthWithin(script, kMaxJsonLdDepth)) return;
  // No exceptions for bad JSON: the result is then "discarded".
  const Json doc = Json::parse(script, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return;
  Search(doc, out);
}

}  // namespace linkwatch::crawler
