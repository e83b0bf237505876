// Reads the rows of `linkwatch import`: CSV (url,basis,category[,note]) or a
// plain list of URLs, one per line.
//
// The format is decided by the caller, not guessed from the data:
//   * when ImportOptions carries both basis and category, the input is a plain
//     list: each line is one URL (trimmed), and every row gets that basis and
//     category — a comma inside a URL is just part of the URL;
//   * otherwise the input is CSV (RFC 4180 quoting, parsed by libcsv in strict
//     mode). A first row whose first field is "url" is a header and skipped.
//     Rows need 3 or 4 columns; other rows come back as locally invalid, and
//     so does a row with broken quoting (reading goes on at the next line). A
//     first row with a single column stops reading with a hint that a plain
//     list needs --basis and --category, and so does a quoted field that is
//     never closed (it took the rest of the input).
// In both formats a row over 64 KiB comes back as locally invalid.
// In both formats a UTF-8 byte order mark at the start is ignored, CRLF line
// ends work, and blank lines and lines starting with '#' are skipped (unless
// they are inside a quoted CSV field). Row numbers are physical line numbers,
// 1-based: a row spanning lines (quoted newline) has the line it starts on.
//
// ImportReader is not thread-safe.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>

#include "linkwatch/base/status.h"

namespace linkwatch::cli {

struct ImportOptions {
  // Set both for a plain list of URLs; leave both empty for CSV.
  std::optional<std::string> basis;
  std::optional<std::string> category;
};

struct ImportRecord {
  int64_t line = 0;  // where the row starts in the input
  std::string url;
  std::string basis;
  std::string category;
  std::string note;     // empty when the CSV has no note column
  std::string problem;  // non-empty: the row is invalid locally and must not be sent
};

class ImportReader {
 public:
  // REQUIRES: `in` outlives the reader.
  ImportReader(std::istream& in, ImportOptions options);
  ~ImportReader();
  ImportReader(const ImportReader&) = delete;
  ImportReader& operator=(const ImportReader&) = delete;

  // Stores the next row (valid or locally invalid) in *record and returns
  // true; returns false at the end of the input or when reading stopped on an
  // error (then status() says why and names the line). Rows before an error
  // are all returned first.
  bool Next(ImportRecord* record);

  // Ok, or kInvalidArgument "line N: ..." for an unterminated quoted field
  // or a single-column CSV.
  const Status& status() const;

  // Bytes consumed from the input so far (for progress reports).
  uint64_t bytes_read() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace linkwatch::cli
