// Time as milliseconds since the Unix epoch (UTC), and a Clock seam for tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace linkwatch {

using TimeMs = int64_t;  // milliseconds since 1970-01-01T00:00:00Z

// "2026-11-23T16:57:09.123Z"
std::string FormatIso8601(TimeMs t);
// Parses the form FormatIso8601 writes (fraction optional); nullopt otherwise.
std::optional<TimeMs> ParseIso8601(std::string_view s);

// The source of "now". Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs Now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  TimeMs Now() const override;
  static const SystemClock& Instance();
};

// A clock tests move by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start) : now_(start) {}
  TimeMs Now() const override { return now_.load(); }
  void Set(TimeMs t) { now_.store(t); }
  void Advance(TimeMs d) { now_.fetch_add(d); }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace linkwatch
