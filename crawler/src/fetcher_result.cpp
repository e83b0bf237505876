#include "fetcher_result.h"

#include <algorithm>

#include "fetcher_errors.h"

namespace linkwatch::crawler {
namespace {

constexpr int kNotModified = 304;
constexpr const char* kArrow = " -> ";
// 2^kMaxBackoffShift * base is far past any sane retry_max_delay_ms.
constexpr int kMaxBackoffShift = 30;

}  // namespace

ResultBuilder::ResultBuilder(const FetchOptions& options, const FetchRequest& request)
    : options_(options),
      current_url_(request.url),
      conditional_(!request.etag.empty() || !request.last_modified.empty()) {
  result_.url = request.url;
  result_.final_url = request.url;
  visited_.insert(request.url);
}

NextStep ResultBuilder::Add(Outcome outcome, std::optional<int64_t> ms_left) {
  retried_.reset();
  result_.wire_bytes += outcome.wire_bytes;
  spent_ms_ += outcome.elapsed_ms;
  if (should_retry(outcome)) {
    const std::chrono::milliseconds delay = backoff(retries_ + 1, outcome);
    if (!ms_left || delay.count() + options_.total_timeout_ms <= *ms_left) {
      ++retries_;
      spent_ms_ = 0;
      retried_ = std::move(outcome);
      return {NextStep::Kind::kRetry, delay};
    }
    // Out of time for another attempt: this answer is the result.
    not_retried_ = "not retried: a retry in " + std::to_string(delay.count()) +
                   " ms could not end before the fetch's deadline";
    if (outcome.error != FetchError::kNone) outcome.error_text += " (" + not_retried_ + ")";
  }
  if (outcome.error == FetchError::kNone && !outcome.redirect_url.empty()) {
    return follow(std::move(outcome));
  }
  return finish(std::move(outcome));
}

bool ResultBuilder::should_retry(const Outcome& outcome) const {
  if (retries_ >= options_.max_retries) return false;
  if (outcome.error != FetchError::kNone) return IsTransient(outcome.error);
  return IsTransientStatus(outcome.http_status);
}

// retry_base_delay_ms * 2^n for the n-th retry, capped, and never before the
// server's Retry-After.
std::chrono::milliseconds ResultBuilder::backoff(int retry, const Outcome& outcome) const {
  const int shift = std::min(retry - 1, kMaxBackoffShift);
  const int64_t exponential =
      std::min(options_.retry_base_delay_ms * (int64_t{1} << shift), options_.retry_max_delay_ms);
  return std::chrono::milliseconds(std::max(exponential, outcome.retry_after_ms.value_or(0)));
}

NextStep ResultBuilder::follow(Outcome outcome) {
  const std::string target = outcome.redirect_url;
  if (visited_.count(target) > 0) {
    outcome.error = FetchError::kRedirectLoop;
    outcome.error_text = "redirect loop: " + chain_to(target);
    return finish(std::move(outcome));
  }
  if (static_cast<int>(result_.redirects.size()) >= options_.max_redirects) {
    outcome.error = FetchError::kTooManyRedirects;
    outcome.error_text =
        "more than " + std::to_string(options_.max_redirects) + " redirects: " + chain_to(target);
    return finish(std::move(outcome));
  }
  if (time_left_ms() <= 0) {
    outcome.error = FetchError::kTimeout;
    outcome.error_text = "timed out after " + std::to_string(spent_ms_) +
                         " ms following redirects (total time limit)";
    return finish(std::move(outcome));
  }
  result_.redirects.push_back({current_url_, outcome.http_status});
  visited_.insert(target);
  current_url_ = target;
  return {NextStep::Kind::kFollow, {}};
}

NextStep ResultBuilder::finish(Outcome outcome) {
  result_.final_url = current_url_;
  result_.http_status = outcome.http_status;
  result_.headers = std::move(outcome.headers);
  result_.body = std::move(outcome.body);
  result_.truncated = outcome.truncated;
  // A 304 means "the page you have" only to a request that named one.
  result_.not_modified = outcome.http_status == kNotModified && conditional_;
  result_.error = outcome.error;
  result_.error_text = std::move(outcome.error_text);
  result_.elapsed_ms = spent_ms_;
  result_.attempts = retries_ + 1;
  result_.retry_after_ms = outcome.retry_after_ms;
  if (outcome.error == FetchError::kNone && IsTransientStatus(outcome.http_status)) {
    result_.status_note = note_for(outcome);
  } else if (outcome.error == FetchError::kNone && outcome.http_status == kNotModified && !conditional_) {
    result_.status_note = "answered 304 Not Modified to a request that named no page it could mean: no page";
  }
  return {NextStep::Kind::kFinish, {}};
}

// How a fetch ended with an answer it retries when it can (429, 5xx).
std::string ResultBuilder::note_for(const Outcome& outcome) const {
  std::string note = "answered " + std::to_string(outcome.http_status);
  if (outcome.retry_after_asked_ms) {
    note += " asking to wait " + std::to_string(*outcome.retry_after_asked_ms / 1000) +
            " s (Retry-After; taken as " + std::to_string(*outcome.retry_after_ms / 1000) +
            " s, crawler.max_retry_after_ms)";
  } else if (outcome.retry_after_ms) {
    note += " asking to wait " + std::to_string(*outcome.retry_after_ms / 1000) + " s (Retry-After)";
  }
  if (!not_retried_.empty()) return note + ", " + not_retried_;
  if (retries_ > 0) return note + " on the last of " + std::to_string(retries_ + 1) + " attempts";
  if (options_.max_retries <= 0) return note + ", not retried (retries are off: crawler.max_retries = 0)";
  return note;
}

std::string ResultBuilder::chain_to(const std::string& target) const {
  std::string chain;
  for (const Hop& hop : result_.redirects) chain += hop.url + kArrow;
  return chain + current_url_ + kArrow + target;
}

void ResultBuilder::Fail(FetchError error, std::string text) {
  Outcome outcome;
  outcome.error = error;
  outcome.error_text = std::move(text);
  finish(std::move(outcome));
}

void ResultBuilder::Deferred(const std::string& host, int64_t held_ms) {
  if (retried_) {
    Outcome answered = std::move(*retried_);
    retried_.reset();
    --retries_;  // the retry was never sent
    spent_ms_ = answered.elapsed_ms;
    not_retried_ = held_ms > 0 ? "not retried: host " + host + " takes no request for " + std::to_string(held_ms) +
                                     " ms more (Retry-After), past the fetch's deadline"
                               : "not retried: no slot for host " + host + " came free in time";
    if (answered.error != FetchError::kNone) answered.error_text += " (" + not_retried_ + ")";
    finish(std::move(answered));
    return;
  }
  Fail(FetchError::kDeferred,
       held_ms > 0 ? "not sent: host " + host + " takes no request for " + std::to_string(held_ms) +
                         " ms more (Retry-After or per-host pace), past the fetch's deadline"
                   : "not sent: no slot for host " + host +
                         " came free in time to end before the fetch's deadline");
  result_.retry_after_ms = held_ms;
}

FetchResult ResultBuilder::Cancelled() {
  result_.final_url = current_url_;
  result_.error = FetchError::kOther;
  result_.error_text = "cancelled";
  result_.attempts = retries_ + 1;
  return std::move(result_);
}

}  // namespace linkwatch::crawler
