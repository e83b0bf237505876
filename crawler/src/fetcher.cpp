// CurlFetcher: the public face. The work is done by FetchJob (one per
// Fetch), HostQueue (politeness), CurlMulti (curl on Asio) and Transfer (one
// request).
#include "linkwatch/crawler/fetcher.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "fetcher_hosts.h"
#include "fetcher_job.h"
#include "fetcher_multi.h"

namespace linkwatch::crawler {
namespace {

namespace asio = boost::asio;

constexpr const char* kCancelled = "cancelled";

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

FetchResult CancelledResult(const std::string& url) {
  FetchResult result;
  result.url = url;
  result.final_url = url;
  result.error = FetchError::kOther;
  result.error_text = kCancelled;
  return result;
}

HostQueue::Limits LimitsOf(const FetchOptions& options) {
  return {options.max_in_flight, options.max_per_host,
          std::chrono::milliseconds(options.per_host_delay_ms)};
}

}  // namespace

const char* FetchErrorName(FetchError e) {
  switch (e) {
    case FetchError::kNone:
      return "none";
    case FetchError::kDns:
      return "dns";
    case FetchError::kConnect:
      return "connect";
    case FetchError::kTls:
      return "tls";
    case FetchError::kTimeout:
      return "timeout";
    case FetchError::kReset:
      return "reset";
    case FetchError::kTooManyRedirects:
      return "too_many_redirects";
    case FetchError::kRedirectLoop:
      return "redirect_loop";
    case FetchError::kDecodeBomb:
      return "decode_bomb";
    case FetchError::kBadResponse:
      return "bad_response";
    case FetchError::kDeferred:
      return "deferred";
    case FetchError::kOther:
      return "other";
  }
  return "other";
}

std::string FetchResult::Header(std::string_view name) const {
  // Header names are ASCII: fold case inline rather than call tolower per byte.
  const auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  const auto same = [&](char a, char b) { return fold(a) == fold(b); };
  for (const auto& [key, value] : headers) {
    if (std::equal(key.begin(), key.end(), name.begin(), name.end(), same)) return value;
  }
  return "";
}

// Everything lives on the io_context thread; `pending_` is the one field other
// threads read.
struct CurlFetcher::Impl final : JobEnv, std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, FetchOptions options)
      : io_(io),
        options_(std::move(options)),
        hosts_(HostQueue::Create(io, LimitsOf(options_))),
        easy_pool_(static_cast<size_t>(std::max(1, options_.max_in_flight))) {}

  void Init() {
    multi_ = CurlMulti::Create(io_, [weak = weak_from_this()](CURL* easy, CURLcode code) {
      if (auto self = weak.lock()) self->OnTransferDone(easy, code);
    });
  }

  void Start(FetchRequest request, Callback done) {
    if (stopped_ || !multi_->ok()) {
      --pending_;
      return done(CancelledResult(request.url));
    }
    auto job = std::make_shared<FetchJob>(*this, request, std::move(done));
    jobs_.emplace(job.get(), job);
    job->Start();
  }

  void OnTransferDone(CURL* easy, CURLcode code) {
    void* owner = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &owner);
    const auto it = jobs_.find(static_cast<FetchJob*>(owner));
    if (it == jobs_.end()) return multi_->Remove(easy);  // never expected: every handle has a job
    const std::shared_ptr<FetchJob> keep = it->second;
    keep->OnTransferDone(code);
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    std::vector<std::pair<Callback, FetchResult>> cancelled;
    for (auto& [raw, job] : jobs_) {
      (void)raw;
      cancelled.push_back(job->Cancel());
    }
    jobs_.clear();
    hosts_->Clear();
    multi_->Shutdown();
    pending_ -= static_cast<int>(cancelled.size());
    for (auto& [done, result] : cancelled) {
      if (done) done(std::move(result));
    }
  }

  // JobEnv
  asio::io_context& io() override { return io_; }
  const FetchOptions& options() const override { return options_; }
  CurlMulti& multi() override { return *multi_; }
  HostQueue& hosts() override { return *hosts_; }
  EasyPool& easy_pool() override { return easy_pool_; }
  std::weak_ptr<void> lifetime() override { return weak_from_this(); }
  void Finish(FetchJob& job, FetchResult result) override {
    Callback done = job.TakeCallback();
    jobs_.erase(&job);
    --pending_;
    done(std::move(result));
  }

  asio::io_context& io_;
  const FetchOptions options_;
  std::shared_ptr<HostQueue> hosts_;
  // Before the jobs: their transfers give their handles back to it.
  EasyPool easy_pool_;
  std::shared_ptr<CurlMulti> multi_;
  std::unordered_map<FetchJob*, std::shared_ptr<FetchJob>> jobs_;
  std::atomic<int> pending_{0};  // accepted by Fetch(), callback not yet called
  bool stopped_ = false;
};

CurlFetcher::CurlFetcher(asio::io_context& io, FetchOptions options) {
  InitCurlOnce();
  impl_ = std::make_shared<Impl>(io, std::move(options));
  impl_->Init();
}

CurlFetcher::~CurlFetcher() { Stop(); }

void CurlFetcher::Fetch(FetchRequest request, Callback done) {
  ++impl_->pending_;
  asio::post(impl_->io_, [weak = std::weak_ptr<Impl>(impl_), request = std::move(request),
                          done = std::move(done)]() mutable {
    if (auto self = weak.lock()) return self->Start(std::move(request), std::move(done));
    done(CancelledResult(request.url));
  });
}

int CurlFetcher::InFlight() const { return impl_->hosts_->running(); }

int CurlFetcher::Queued() const { return std::max(0, impl_->pending_.load() - InFlight()); }

void CurlFetcher::Stop() { impl_->Stop(); }

}  // namespace linkwatch::crawler
