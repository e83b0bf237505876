// One Fetch() call from start to callback: waits for a politeness slot, runs a
// transfer, then follows a redirect, backs off and retries, or finishes.
// Steps: do_queue -> on_slot -> do_transfer -> on_transfer_done -> (do_backoff
// -> on_backoff -> do_queue | do_queue | finish).
//
// Internal to the fetcher. Not thread-safe: io_context thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "fetcher_hosts.h"
#include "fetcher_multi.h"
#include "fetcher_result.h"
#include "fetcher_transfer.h"
#include "linkwatch/crawler/fetcher.h"

namespace linkwatch::crawler {

class FetchJob;

// What a job needs from the fetcher that owns it.
class JobEnv {
 public:
  virtual ~JobEnv() = default;
  virtual boost::asio::io_context& io() = 0;
  virtual const FetchOptions& options() const = 0;
  virtual CurlMulti& multi() = 0;
  virtual HostQueue& hosts() = 0;
  virtual EasyPool& easy_pool() = 0;
  // Expires with the fetcher: asynchronous handlers hold it while they run.
  virtual std::weak_ptr<void> lifetime() = 0;
  // Takes the job out and calls its callback. A job's last call.
  virtual void Finish(FetchJob& job, FetchResult result) = 0;
};

class FetchJob : public std::enable_shared_from_this<FetchJob> {
 public:
  FetchJob(JobEnv& env, const FetchRequest& request, Fetcher::Callback done);
  ~FetchJob();
  FetchJob(const FetchJob&) = delete;
  FetchJob& operator=(const FetchJob&) = delete;

  void Start();
  // Curl finished this job's transfer (CURLMSG_DONE).
  void OnTransferDone(CURLcode code);
  // Stops whatever runs or waits (Stop()); gives back the callback and a
  // "cancelled" result for the caller to deliver.
  std::pair<Fetcher::Callback, FetchResult> Cancel();
  Fetcher::Callback TakeCallback() { return std::move(done_); }

 private:
  template <typename Step>
  auto guarded(Step step);

  void do_queue();
  void do_deadline_timer(HostQueue::Clock::time_point latest);
  void on_slot();
  void on_held(HostQueue::Clock::duration held);
  std::optional<int64_t> ms_left() const;
  void do_transfer();
  void do_first_byte_timer();
  void on_first_byte_timeout();
  void on_transfer_done(Outcome outcome);
  void do_backoff(std::chrono::milliseconds delay);
  void end_transfer();
  void finish();

  JobEnv& env_;
  FetchRequest request_;
  Fetcher::Callback done_;
  ResultBuilder builder_;
  std::string host_;                    // politeness key of the current URL
  std::unique_ptr<Transfer> transfer_;  // while a request runs
  bool holds_slot_ = false;             // owes hosts().Finished(host_)
  boost::asio::steady_timer first_byte_timer_;
  boost::asio::steady_timer backoff_timer_;
  std::optional<HostQueue::Clock::time_point> deadline_;  // from request_.deadline_ms
  std::optional<HostQueue::Clock::time_point> first_sent_;  // when the first request got its slot
  HostQueue::Ticket ticket_ = 0;                          // while waiting for a slot
  boost::asio::steady_timer deadline_timer_;              // while waiting for a slot
};

}  // namespace linkwatch::crawler
