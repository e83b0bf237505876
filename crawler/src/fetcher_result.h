// The decisions of one Fetch() between transfers: follow a redirect, retry,
// or finish; and the FetchResult they add up to.
//
// Internal to the fetcher. Pure logic (no I/O, no clock), so every decision
// can be tested with made-up Outcomes. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "fetcher_transfer.h"
#include "linkwatch/crawler/fetcher.h"

namespace linkwatch::crawler {

struct NextStep {
  enum class Kind { kFinish, kRetry, kFollow };
  Kind kind = Kind::kFinish;
  std::chrono::milliseconds delay{0};  // kRetry: wait this long first
};

class ResultBuilder {
 public:
  // REQUIRES: `options` outlives the builder.
  ResultBuilder(const FetchOptions& options, const FetchRequest& request);

  // The URL the next transfer requests.
  const std::string& current_url() const { return current_url_; }
  // What is left of the total time limit for the next transfer; the limit
  // covers one attempt's redirect chain, and a retry starts it afresh.
  int64_t time_left_ms() const { return options_.total_timeout_ms - spent_ms_; }

  // Records what a transfer produced and says what comes next. With
  // `ms_left` (to the fetch's deadline), a retry is taken only if its wait
  // and a whole attempt fit in it.
  NextStep Add(Outcome outcome, std::optional<int64_t> ms_left = std::nullopt);
  // The result so far, marked cancelled.
  FetchResult Cancelled();
  // Ends the fetch before any transfer could run (e.g. an unparsable URL).
  void Fail(FetchError error, std::string text);
  // Ends the fetch as kDeferred: `host` is held `held_ms` past its deadline.
  // A retry that is held so ends the fetch with the answer it was to
  // replace, which says so: the server was asked, and answered.
  void Deferred(const std::string& host, int64_t held_ms);
  // REQUIRES: the last Add() said kFinish, or Fail() was called.
  FetchResult Take() { return std::move(result_); }

 private:
  bool should_retry(const Outcome& outcome) const;
  std::chrono::milliseconds backoff(int retry, const Outcome& outcome) const;  // before the retry-th retry
  NextStep follow(Outcome outcome);
  NextStep finish(Outcome outcome);
  std::string note_for(const Outcome& outcome) const;
  std::string chain_to(const std::string& target) const;

  const FetchOptions& options_;
  FetchResult result_;
  std::string current_url_;
  std::set<std::string> visited_;
  bool conditional_;  // the request sent If-None-Match or If-Modified-Since
  int retries_ = 0;
  std::string not_retried_;  // why the last transient answer was not retried, or ""
  std::optional<Outcome> retried_;  // the answer a retry waits to replace
  int64_t spent_ms_ = 0;
};

}  // namespace linkwatch::crawler
