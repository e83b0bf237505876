// A one-line progress indicator for long imports, redrawn in place with '\r'.
#pragma once

#include <cstdint>
#include <ostream>

namespace linkwatch::cli {

class Progress {
 public:
  // `enabled`: draw at all (callers pass isatty(stderr)). `total_bytes`: the
  // input's size, 0 when unknown (stdin): then only the row count is shown.
  Progress(std::ostream& out, bool enabled, uint64_t total_bytes)
      : out_(out), enabled_(enabled), total_bytes_(total_bytes) {}

  // Redraws the line: a bar with the share of bytes read, and rows sent.
  void Update(uint64_t bytes_read, int64_t rows_sent);
  // Erases the line so that the summary starts on a clean one.
  void Finish();

 private:
  std::ostream& out_;
  bool enabled_;
  uint64_t total_bytes_;
  bool drawn_ = false;
};

}  // namespace linkwatch::cli
