#include "fetcher_job.h"

#include "fetcher_http.h"

namespace linkwatch::crawler {

namespace asio = boost::asio;
using boost::system::error_code;

FetchJob::FetchJob(JobEnv& env, const FetchRequest& request, Fetcher::Callback done)
    : env_(env),
      request_(request),
      done_(std::move(done)),
      builder_(env.options(), request),
      first_byte_timer_(env.io()),
      backoff_timer_(env.io()),
      deadline_timer_(env.io()) {
  if (request_.deadline_ms > 0) {
    deadline_ = HostQueue::Clock::now() + std::chrono::milliseconds(request_.deadline_ms);
  }
}

FetchJob::~FetchJob() = default;

// Wraps a step for Asio: it runs only while both the fetcher and this job
// are alive, and keeps both alive while it runs.
template <typename Step>
auto FetchJob::guarded(Step step) {
  return [lifetime = env_.lifetime(), weak_job = weak_from_this(), step](auto&&... args) {
    const std::shared_ptr<void> fetcher = lifetime.lock();
    const std::shared_ptr<FetchJob> job = weak_job.lock();
    if (fetcher && job) step(*job, args...);
  };
}

void FetchJob::Start() { do_queue(); }

void FetchJob::do_queue() {
  std::optional<std::string> host = HostKey(builder_.current_url());
  if (!host) {
    builder_.Fail(FetchError::kOther, "not a valid http(s) URL: " + builder_.current_url());
    return finish();
  }
  host_ = std::move(*host);
  auto start = guarded([](FetchJob& job) { job.on_slot(); });
  if (!deadline_) {
    env_.hosts().Enqueue(host_, std::move(start));
    return;
  }
  // The latest start that leaves this request its whole time limit.
  const auto latest = *deadline_ - std::chrono::milliseconds(builder_.time_left_ms());
  if (latest < HostQueue::Clock::now()) return on_held(env_.hosts().HeldFor(host_));
  ticket_ = env_.hosts().Enqueue(
      host_, std::move(start), latest,
      guarded([](FetchJob& job, HostQueue::Clock::duration held) { job.on_held(held); }));
  if (ticket_ != 0) do_deadline_timer(latest);  // it waits
}

// Held by the global cap or by the host's other requests past `latest`.
void FetchJob::do_deadline_timer(HostQueue::Clock::time_point latest) {
  deadline_timer_.expires_at(latest);
  deadline_timer_.async_wait(guarded([ticket = ticket_](FetchJob& job, error_code ec) {
    if (ec == asio::error::operation_aborted || job.ticket_ != ticket) return;
    if (job.env_.hosts().Withdraw(job.host_, ticket)) job.on_held(job.env_.hosts().HeldFor(job.host_));
  }));
}

void FetchJob::on_slot() {
  if (!first_sent_) first_sent_ = HostQueue::Clock::now();
  ticket_ = 0;
  deadline_timer_.cancel();
  holds_slot_ = true;
  do_transfer();
}

void FetchJob::on_held(HostQueue::Clock::duration held) {
  ticket_ = 0;
  deadline_timer_.cancel();
  builder_.Deferred(host_, std::chrono::duration_cast<std::chrono::milliseconds>(held).count());
  finish();
}

std::optional<int64_t> FetchJob::ms_left() const {
  if (!deadline_) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - HostQueue::Clock::now())
      .count();
}

void FetchJob::do_transfer() {
  TransferSetup setup{builder_.current_url(), ChooseProxy(env_.options().proxies, host_),
                      builder_.time_left_ms(), request_.etag, request_.last_modified,
                      &request_.post_body, request_.post_content_type};
  Transfer::Hooks hooks{[this] { env_.hosts().MarkActive(host_); },
                        [this] {
                          first_byte_timer_.cancel();
                          env_.hosts().MarkActive(host_);
                        }};
  transfer_ = std::make_unique<Transfer>(env_.options(), env_.easy_pool(), std::move(setup),
                                         std::move(hooks));
  if (transfer_->easy() == nullptr) {
    transfer_.reset();
    Outcome failed;
    failed.error = FetchError::kOther;
    failed.error_text = "curl could not create a transfer";
    return on_transfer_done(std::move(failed));
  }
  // The multi's completion finds this job through the handle.
  curl_easy_setopt(transfer_->easy(), CURLOPT_PRIVATE, this);
  env_.multi().Adopt(transfer_->easy());
  if (!env_.multi().Add(transfer_->easy()))
    return on_transfer_done(transfer_->Finish(CURLE_FAILED_INIT));
  do_first_byte_timer();
}

// Curl has no first-byte limit for HTTP (CURLOPT_SERVER_RESPONSE_TIMEOUT is
// for FTP and mail), so an Asio timer runs until the first header line.
void FetchJob::do_first_byte_timer() {
  first_byte_timer_.expires_after(std::chrono::milliseconds(env_.options().first_byte_timeout_ms));
  first_byte_timer_.async_wait(guarded([transfer = transfer_.get()](FetchJob& job, error_code ec) {
    // A timer that fired just before the transfer ended belongs to a finished transfer.
    if (ec == asio::error::operation_aborted || job.transfer_.get() != transfer) return;
    if (!transfer->saw_first_byte()) job.on_first_byte_timeout();
  }));
}

void FetchJob::on_first_byte_timeout() {
  env_.multi().Remove(transfer_->easy());
  on_transfer_done(transfer_->FinishWithoutFirstByte());
}

void FetchJob::OnTransferDone(CURLcode code) {
  if (!transfer_) return;
  env_.multi().Remove(transfer_->easy());
  on_transfer_done(transfer_->Finish(code));
}

void FetchJob::on_transfer_done(Outcome outcome) {
  if (outcome.retry_after_ms) {
    env_.hosts().Defer(host_, std::chrono::milliseconds(*outcome.retry_after_ms));
  }
  end_transfer();
  const NextStep next = builder_.Add(std::move(outcome), ms_left());
  switch (next.kind) {
    case NextStep::Kind::kRetry:
      return do_backoff(next.delay);
    case NextStep::Kind::kFollow:
      return do_queue();
    case NextStep::Kind::kFinish:
      return finish();
  }
}

void FetchJob::end_transfer() {
  first_byte_timer_.cancel();
  transfer_.reset();
  if (holds_slot_) {
    holds_slot_ = false;
    env_.hosts().Finished(host_);
  }
}

void FetchJob::do_backoff(std::chrono::milliseconds delay) {
  backoff_timer_.expires_after(delay);
  backoff_timer_.async_wait(guarded([](FetchJob& job, error_code ec) {
    if (ec != asio::error::operation_aborted) job.do_queue();
  }));
}

void FetchJob::finish() {
  FetchResult result = builder_.Take();
  // The whole fetch: its retries, their waits and its redirect hops.
  if (first_sent_) {
    result.elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(HostQueue::Clock::now() - *first_sent_).count();
  }
  env_.Finish(*this, std::move(result));
}

std::pair<Fetcher::Callback, FetchResult> FetchJob::Cancel() {
  if (transfer_) env_.multi().Remove(transfer_->easy());
  first_byte_timer_.cancel();
  backoff_timer_.cancel();
  deadline_timer_.cancel();
  transfer_.reset();
  holds_slot_ = false;  // the queue is cleared as a whole
  return {std::move(done_), builder_.Cancelled()};
}

}  // namespace linkwatch::crawler
