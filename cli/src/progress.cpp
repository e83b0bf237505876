#include "progress.h"

#include <algorithm>
#include <string>

namespace linkwatch::cli {
namespace {

constexpr int kBarWidth = 30;
constexpr int kLineWidth = 72;  // enough to blank the longest line drawn

}  // namespace

void Progress::Update(uint64_t bytes_read, int64_t rows_sent) {
  if (!enabled_) return;
  out_ << '\r';
  if (total_bytes_ > 0) {
    const uint64_t percent = std::min<uint64_t>(100, bytes_read * 100 / total_bytes_);
    const int filled = static_cast<int>(percent * kBarWidth / 100);
    out_ << '[' << std::string(filled, '#') << std::string(kBarWidth - filled, '.') << "] "
         << percent << "%  ";
  }
  out_ << rows_sent << " rows sent" << std::flush;
  drawn_ = true;
}

void Progress::Finish() {
  if (!enabled_ || !drawn_) return;
  out_ << '\r' << std::string(kLineWidth, ' ') << '\r' << std::flush;
  drawn_ = false;
}

}  // namespace linkwatch::cli
