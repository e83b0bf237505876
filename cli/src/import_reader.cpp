#include "import_reader.h"

#include <csv.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <string_view>
#include <vector>

namespace linkwatch::cli {
namespace {

// Strict: a stray quote is an error; strict fini: so is a quote never closed.
constexpr unsigned char kCsvOptions = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL;
constexpr std::string_view kBom = "\xEF\xBB\xBF";
// libcsv grows a field by this much at a time (its default, 128 bytes, makes
// a long field cost a copy per 128 bytes).
constexpr size_t kCsvBlockBytes = 64 * 1024;
constexpr size_t kMinColumns = 3;  // url,basis,category
constexpr size_t kMaxColumns = 4;  // ...,note
constexpr char kBlank[] = " \t\r";
// No link's url, basis and note come near this (the daemon caps them at 8 KiB
// and 500 and 2,000 characters); a row above it is refused here, so that it
// cannot push its batch over the daemon's request limit.
constexpr size_t kMaxRowBytes = 64 * 1024;

std::string TooLarge(size_t bytes) {
  return "the row is " + std::to_string(bytes) + " bytes, over the " +
         std::to_string(kMaxRowBytes / 1024) + " KiB a link's url, basis and note can take";
}

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kBlank);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kBlank) - begin + 1);
}

// Blank lines and comments, outside quoted fields.
bool IsSkipped(std::string_view line) {
  const std::string_view text = Trim(line);
  return text.empty() || text.front() == '#';
}

bool IsHeader(std::string_view first_field) {
  const std::string_view text = Trim(first_field);
  return text.size() == 3 && std::tolower(static_cast<unsigned char>(text[0])) == 'u' &&
         std::tolower(static_cast<unsigned char>(text[1])) == 'r' &&
         std::tolower(static_cast<unsigned char>(text[2])) == 'l';
}

std::string LinePrefix(int64_t line) { return "line " + std::to_string(line) + ": "; }

ImportRecord FromFields(std::vector<std::string> fields, int64_t line) {
  ImportRecord record;
  record.line = line;
  size_t bytes = 0;
  for (const std::string& f : fields) bytes += f.size();
  if (bytes > kMaxRowBytes) {
    record.problem = TooLarge(bytes);
    return record;
  }
  if (!fields.empty()) record.url = std::move(fields[0]);
  if (fields.size() < kMinColumns || fields.size() > kMaxColumns) {
    record.problem = "expected 3 or 4 columns (url,basis,category[,note]), found " +
                     std::to_string(fields.size());
    return record;
  }
  record.basis = std::move(fields[1]);
  record.category = std::move(fields[2]);
  if (fields.size() == kMaxColumns) record.note = std::move(fields[3]);
  return record;
}

std::string CsvErrorText(int code) {
  if (code == CSV_EPARSE) {
    return "malformed CSV quoting (a quote inside an unquoted field, or text after a "
           "closing quote)";
  }
  return std::string("CSV parser failed: ") + csv_strerror(code);
}

}  // namespace

class ImportReader::Impl {
 public:
  Impl(std::istream& in, ImportOptions options) : in_(in), options_(std::move(options)) {
    csv_init(&parser_, kCsvOptions);
    csv_set_blk_size(&parser_, kCsvBlockBytes);
  }
  ~Impl() { csv_free(&parser_); }

  bool Next(ImportRecord* record);
  const Status& status() const { return status_; }
  uint64_t bytes_read() const { return bytes_; }

 private:
  bool Plain() const { return options_.basis.has_value() && options_.category.has_value(); }
  void ReadLine();
  void ReadPlain(std::string_view line);
  void FeedCsv(std::string line);
  void Finish();
  void OnRowEnd();
  void Stop(Status status);

  static void OnFieldCallback(void* data, size_t size, void* self) {
    const char* text = static_cast<const char*>(data);
    static_cast<Impl*>(self)->fields_.emplace_back(text != nullptr ? text : "", size);
    static_cast<Impl*>(self)->row_open_ = true;
  }
  static void OnRowCallback(int /*terminator*/, void* self) {
    static_cast<Impl*>(self)->OnRowEnd();
  }

  std::istream& in_;
  ImportOptions options_;
  csv_parser parser_;
  Status status_;
  std::deque<ImportRecord> ready_;   // rows parsed but not yet returned
  std::vector<std::string> fields_;  // fields of the CSV row being parsed
  uint64_t bytes_ = 0;
  int64_t line_ = 0;             // physical lines read so far
  int64_t row_start_ = 0;        // line the current row started on
  bool row_open_ = false;        // the current CSV row continues on the next line
  bool seen_first_row_ = false;  // a header may only be the first row
  bool seen_data_row_ = false;
  bool done_ = false;  // end of input, or stopped on an error
};

bool ImportReader::Impl::Next(ImportRecord* record) {
  while (ready_.empty() && !done_) ReadLine();
  if (ready_.empty()) return false;
  *record = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

void ImportReader::Impl::ReadLine() {
  std::string line;
  if (!std::getline(in_, line)) return Finish();
  ++line_;
  bytes_ += line.size() + (in_.eof() ? 0 : 1);
  if (line_ == 1 && line.compare(0, kBom.size(), kBom) == 0) line.erase(0, kBom.size());
  if (!row_open_ && IsSkipped(line)) return;
  if (!row_open_) row_start_ = line_;
  if (Plain()) return ReadPlain(line);
  FeedCsv(std::move(line));
}

void ImportReader::Impl::ReadPlain(std::string_view line) {
  const std::string_view url = Trim(line);
  const bool first = !seen_first_row_;
  seen_first_row_ = true;
  if (first && IsHeader(url)) return;
  ImportRecord record;
  record.line = line_;
  if (url.size() > kMaxRowBytes) {
    record.problem = TooLarge(url.size());
    ready_.push_back(std::move(record));
    return;
  }
  record.url = std::string(url);
  record.basis = *options_.basis;
  record.category = *options_.category;
  ready_.push_back(std::move(record));
}

void ImportReader::Impl::FeedCsv(std::string line) {
  // getline dropped the '\n'; give it back so that libcsv ends the row (or
  // keeps it inside a quoted field).
  line += '\n';
  row_open_ = true;  // until libcsv reports the row's end
  const size_t used =
      csv_parse(&parser_, line.data(), line.size(), &OnFieldCallback, &OnRowCallback, this);
  if (used == line.size()) return;
  // This row is bad; the next line starts afresh, so the rows after it are kept.
  ImportRecord bad;
  bad.line = row_start_;
  bad.problem = CsvErrorText(csv_error(&parser_));
  if (line_ != row_start_) bad.problem += " on line " + std::to_string(line_);
  ready_.push_back(std::move(bad));
  csv_free(&parser_);
  csv_init(&parser_, kCsvOptions);
  csv_set_blk_size(&parser_, kCsvBlockBytes);
  fields_.clear();
  row_open_ = false;
  seen_first_row_ = true;  // a header can only come first
}

void ImportReader::Impl::Finish() {
  if (!Plain() && csv_fini(&parser_, &OnFieldCallback, &OnRowCallback, this) != 0) {
    std::string where = row_start_ == line_
                            ? std::string()
                            : "; lines " + std::to_string(row_start_) + " to " +
                                  std::to_string(line_) + " were read inside it and not imported";
    Stop(Status::InvalidArgument(LinePrefix(row_start_) +
                                 "a quoted CSV field is never closed (missing '\"')" + where));
  }
  done_ = true;
}

void ImportReader::Impl::OnRowEnd() {
  row_open_ = false;
  std::vector<std::string> fields;
  fields.swap(fields_);
  if (done_ || fields.empty()) return;
  const bool first = !seen_first_row_;
  seen_first_row_ = true;
  if (first && IsHeader(fields[0])) return;
  if (!seen_data_row_ && fields.size() == 1) {
    return Stop(Status::InvalidArgument(
        LinePrefix(row_start_) +
        "one column only; CSV needs url,basis,category[,note] (for a plain list of URLs, "
        "give --basis and --category)"));
  }
  seen_data_row_ = true;
  ready_.push_back(FromFields(std::move(fields), row_start_));
}

void ImportReader::Impl::Stop(Status status) {
  if (status_.ok()) status_ = std::move(status);
  done_ = true;
}

ImportReader::ImportReader(std::istream& in, ImportOptions options)
    : impl_(std::make_unique<Impl>(in, std::move(options))) {}
ImportReader::~ImportReader() = default;
bool ImportReader::Next(ImportRecord* record) { return impl_->Next(record); }
const Status& ImportReader::status() const { return impl_->status(); }
uint64_t ImportReader::bytes_read() const { return impl_->bytes_read(); }

}  // namespace linkwatch::cli
