// import: rows from a file, sent in batches to POST /v1/links/batch.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <memory>
#include <optional>

#include "commands.h"
#include "exit_codes.h"
#include "format.h"
#include "import_reader.h"
#include "progress.h"

namespace linkwatch::cli {
namespace {

using nlohmann::json;

constexpr int kDefaultBatchSize = 1000;
constexpr int kMaxBatchSize = 100000;

constexpr char kImportHelp[] =
    "FILE ('-' = stdin) is CSV with the columns url,basis,category[,note]; a first row\n"
    "whose first field is \"url\" is a header and skipped. When --basis and --category\n"
    "are given, FILE is instead a plain list of URLs, one per line, and every URL gets\n"
    "that basis and category. Blank lines and lines starting with # are skipped.\n"
    "Rows with the wrong number of columns are reported and not sent. Exit status 5\n"
    "when some rows were committed and others were invalid or not sent.";

struct ImportCliOptions {
  std::string file;
  std::optional<std::string> basis;  // given or not: an empty one is a mistake
  std::optional<std::string> category;
  int batch_size = kDefaultBatchSize;
};

struct InvalidRow {
  int64_t line = 0;
  std::string reason;
};

struct LineRange {
  int64_t first = 0, last = 0;
};

// Batches sent one after the other are one range of lines: 1-500 and
// 501-1000 read as 1-1000.
void MergeAdjacent(std::vector<LineRange>& ranges) {
  std::vector<LineRange> merged;
  for (const LineRange& r : ranges) {
    if (!merged.empty() && r.first == merged.back().last + 1) {
      merged.back().last = r.last;
    } else {
      merged.push_back(r);
    }
  }
  ranges = std::move(merged);
}

struct ImportTally {
  int64_t added = 0;
  int64_t duplicate = 0;
  int64_t repeated = 0;  // of the duplicates: already reported by this agency with this basis
  int64_t sent = 0;
  std::vector<InvalidRow> invalid;
  // When the daemon stopped answering: batches sent and never confirmed
  // (recorded or not, nobody knows), and the first line never sent (0: none).
  std::vector<LineRange> unconfirmed;
  int64_t unsent_from = 0;
  bool committed() const { return added + duplicate > 0; }
};

json ItemJson(const ImportRecord& r) {
  json item = {{"url", r.url}, {"basis", r.basis}, {"category", r.category}, {"line", r.line}};
  if (!r.note.empty()) item["note"] = r.note;
  return item;
}

std::string ErrorReason(const json& error) {
  const std::string message = FieldText(error, "message");
  const json& field = Member(error, "field");
  return field.is_string() && !field.get<std::string>().empty()
             ? field.get<std::string>() + ": " + message
             : message;
}

int64_t IntOr(const json& value, int64_t fallback) {
  return value.is_number_integer() ? value.get<int64_t>() : fallback;
}

// Batches on the wire at once, each on its own connection: the daemon
// validates one while its writer commits the other.
constexpr size_t kPipelineDepth = 2;
// A batch is sent once its rows hold this many bytes, whatever --batch-size
// says: far below the daemon's request limit, even with a 64 KiB row on top
// and JSON escaping.
constexpr size_t kMaxBatchBytes = size_t{1} << 20;

// Reads rows and sends them in batches; one object per import.
class Importer {
 public:
  Importer(const ApiClient& api, ImportReader& reader, Progress& progress, size_t batch_size)
      : reader_(reader), progress_(progress), batch_size_(batch_size) {
    for (size_t i = 0; i < kPipelineDepth; ++i) {
      clients_.push_back(std::make_unique<ApiClient>(api.options()));
    }
  }

  // Sends every row; returns what stopped the import early (an API failure,
  // or the reader's CSV error after the rows before it were sent).
  Status Run();
  ImportTally& tally() { return tally_; }

 private:
  // A batch on the wire: how many rows it holds and, later, the answer.
  struct Sent {
    size_t rows = 0;
    LineRange lines;
    std::future<Result<json>> answer;
  };

  Status Flush();
  Status Collect();  // waits for the oldest batch on the wire and counts it
  Status Unsent(Status stopped);  // notes the rows a failed Flush left unsent
  void Count(const json& answer);

  std::vector<std::unique_ptr<ApiClient>> clients_;
  std::deque<Sent> on_wire_;
  size_t next_client_ = 0;
  ImportReader& reader_;
  Progress& progress_;
  const size_t batch_size_;
  json items_ = json::array();
  size_t items_bytes_ = 0;  // the fields' bytes in items_
  ImportTally tally_;
};

Status Importer::Run() {
  ImportRecord record;
  while (reader_.Next(&record)) {
    if (!record.problem.empty()) {
      tally_.invalid.push_back({record.line, record.problem});
      continue;
    }
    items_bytes_ += record.url.size() + record.basis.size() + record.category.size() +
                    record.note.size();
    items_.push_back(ItemJson(record));
    if (items_.size() < batch_size_ && items_bytes_ < kMaxBatchBytes) continue;
    if (Status status = Flush(); !status.ok()) return Unsent(status);
  }
  if (Status status = Flush(); !status.ok()) return Unsent(status);
  while (!on_wire_.empty()) {
    if (Status status = Collect(); !status.ok()) return status;
  }
  return reader_.status();
}

Status Importer::Flush() {
  if (items_.empty()) return Status::Ok();
  // A client carries one request at a time: free the one this batch will use.
  if (on_wire_.size() >= kPipelineDepth) {
    if (Status status = Collect(); !status.ok()) return status;
  }
  auto body = std::make_shared<json>(json{{"items", std::move(items_)}});
  items_ = json::array();
  items_bytes_ = 0;
  ApiClient* client = clients_[next_client_].get();
  next_client_ = (next_client_ + 1) % clients_.size();
  const json& items = (*body)["items"];
  const size_t rows = items.size();
  const LineRange lines{IntOr(Member(items.front(), "line"), 0), IntOr(Member(items.back(), "line"), 0)};
  on_wire_.push_back({rows, lines, std::async(std::launch::async, [client, body] {
                        return BodyOf(client->Post("/v1/links/batch", *body));
                      })});
  return Status::Ok();
}

Status Importer::Collect() {
  Sent sent = std::move(on_wire_.front());
  on_wire_.pop_front();
  Result<json> answer = sent.answer.get();
  if (!answer.ok()) {
    // Let the other batch finish too, so its rows are counted before stopping.
    while (!on_wire_.empty()) {
      Sent other = std::move(on_wire_.front());
      on_wire_.pop_front();
      if (Result<json> a = other.answer.get(); a.ok()) {
        tally_.sent += static_cast<int64_t>(other.rows);
        Count(*a);
      } else {
        tally_.unconfirmed.push_back(other.lines);
      }
    }
    tally_.unconfirmed.insert(tally_.unconfirmed.begin(), sent.lines);
    MergeAdjacent(tally_.unconfirmed);
    return answer.status();
  }
  tally_.sent += static_cast<int64_t>(sent.rows);
  Count(*answer);
  progress_.Update(reader_.bytes_read(), tally_.sent);
  return Status::Ok();
}

// A failed Flush stopped before sending the rows it holds: they and every
// row after them were never sent. (A CSV error is the reader's, not a Flush's.)
Status Importer::Unsent(Status stopped) {
  if (!items_.empty()) tally_.unsent_from = IntOr(Member(items_.front(), "line"), 0);
  return stopped;
}

void Importer::Count(const json& answer) {
  const json& summary = Member(answer, "summary");
  tally_.added += IntOr(Member(summary, "new"), 0);
  tally_.duplicate += IntOr(Member(summary, "duplicate"), 0);
  tally_.repeated += IntOr(Member(summary, "repeated"), 0);
  for (const json& row : Member(answer, "results")) {
    if (Member(row, "ok") == false) {
      tally_.invalid.push_back({IntOr(Member(row, "line"), 0), ErrorReason(Member(row, "error"))});
    }
  }
}

std::string RangeText(const LineRange& r) {
  return r.first == r.last ? "line " + std::to_string(r.first)
                           : "lines " + std::to_string(r.first) + "-" + std::to_string(r.last);
}

// What an import cut off by the daemon left undone, and how to finish it.
void PrintCutOff(std::ostream& out, const ImportTally& t) {
  if (t.unconfirmed.empty() && t.unsent_from == 0) return;
  for (const LineRange& r : t.unconfirmed) {
    out << "not confirmed: " << RangeText(r) << " (sent; the daemon did not answer, so they may or may not be recorded)\n";
  }
  if (t.unsent_from > 0) out << "not sent: line " << t.unsent_from << " to the end of the input\n";
  out << "run the same import again to finish: rows already recorded come back as duplicates, "
         "none is recorded twice\n";
}

void PrintHuman(std::ostream& out, const ImportTally& t) {
  out << t.added << " new, " << t.duplicate << " duplicate, " << t.invalid.size() << " invalid\n";
  if (t.repeated > 0) {
    out << t.repeated << " of the duplicates your agency had already reported with the same basis:"
        << " nothing new recorded for them\n";
  }
  for (const InvalidRow& row : t.invalid) out << "line " << row.line << ": " << row.reason << '\n';
  PrintCutOff(out, t);
}

void PrintMachine(std::ostream& out, const ImportTally& t, const Status& stopped) {
  json result = {
      {"summary",
       {{"new", t.added}, {"duplicate", t.duplicate}, {"repeated", t.repeated}, {"invalid", t.invalid.size()}}},
      {"invalid", json::array()}};
  for (const InvalidRow& row : t.invalid) {
    result["invalid"].push_back({{"line", row.line}, {"error", row.reason}});
  }
  if (!stopped.ok()) result["error"] = stopped.message();
  if (!t.unconfirmed.empty()) {
    result["unconfirmed"] = json::array();
    for (const LineRange& r : t.unconfirmed) result["unconfirmed"].push_back({{"first_line", r.first}, {"last_line", r.last}});
  }
  if (t.unsent_from > 0) result["unsent_from_line"] = t.unsent_from;
  PrintJson(out, result);
}

int ImportExitCode(const ImportTally& t, const Status& stopped) {
  // Rows are in and others are not: that is what a script must know first
  // (stderr says what stopped the rest).
  if (t.committed() && (!stopped.ok() || !t.invalid.empty())) return kExitPartial;
  // The daemon or the token failed before any row went in: say so.
  if (!stopped.ok() && stopped.code() != Status::Code::kInvalidArgument) {
    return ExitCodeFor(stopped);
  }
  if (stopped.ok() && t.invalid.empty()) return kExitOk;
  return t.committed() ? kExitPartial : kExitUsage;
}

struct Input {
  std::unique_ptr<std::ifstream> file;  // null for stdin
  std::istream* stream = nullptr;
  uint64_t size = 0;  // 0 when unknown
};

Result<Input> OpenInput(const std::string& path, std::istream& std_in) {
  Input input;
  if (path == "-") {
    input.stream = &std_in;
    return input;
  }
  input.file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*input.file) return Status::InvalidArgument("cannot open " + path + ": " + std::strerror(errno));
  input.stream = input.file.get();
  std::error_code ec;
  input.size = std::filesystem::file_size(path, ec);
  if (ec) input.size = 0;
  return input;
}

// Blank is not a value: a plain list needs a real basis and category for every URL.
bool Blank(const std::optional<std::string>& v) {
  return v && v->find_first_not_of(" \t") == std::string::npos;
}

Result<ImportOptions> FormatOptions(const ImportCliOptions& o) {
  if (Blank(o.basis)) {
    return Status::InvalidArgument(
        "--basis is empty: give the legal basis (court decision or order reference) of every URL "
        "of the list");
  }
  if (Blank(o.category)) return Status::InvalidArgument("--category is empty: give the category of every URL of the list");
  if (o.basis.has_value() != o.category.has_value()) {
    return Status::InvalidArgument(
        "give both --basis and --category (FILE is a plain list of URLs) or neither (FILE is "
        "CSV)");
  }
  ImportOptions options;
  if (o.basis) {
    options.basis = *o.basis;
    options.category = *o.category;
  }
  return options;
}

int Finish(Context& ctx, ImportTally& tally, const Status& stopped) {
  std::stable_sort(tally.invalid.begin(), tally.invalid.end(),
                   [](const InvalidRow& a, const InvalidRow& b) { return a.line < b.line; });
  if (ctx.flags.json) {
    PrintMachine(ctx.io.out, tally, stopped);
  } else {
    PrintHuman(ctx.io.out, tally);
  }
  if (!stopped.ok()) Fail(ctx, stopped);
  return ImportExitCode(tally, stopped);
}

int RunImport(Context& ctx, const ImportCliOptions& o) {
  Result<ImportOptions> format = FormatOptions(o);
  if (!format.ok()) return Fail(ctx, format.status());
  Result<Input> input = OpenInput(o.file, ctx.io.in);
  if (!input.ok()) return Fail(ctx, input.status());
  Result<std::unique_ptr<ApiClient>> api = Connect(ctx);
  if (!api.ok()) return Fail(ctx, api.status());
  ImportReader reader(*input->stream, std::move(*format));
  Progress progress(ctx.io.err, ctx.io.err_is_tty, input->size);
  Importer importer(**api, reader, progress, static_cast<size_t>(o.batch_size));
  const Status stopped = importer.Run();
  progress.Finish();
  return Finish(ctx, importer.tally(), stopped);
}

}  // namespace

Handler SetupImport(CLI::App& command) {
  auto o = std::make_shared<ImportCliOptions>();
  command.add_option("FILE", o->file, "CSV file or list of URLs; '-' reads stdin")->required();
  command.add_option("--basis", o->basis, "legal basis for every URL of a plain list");
  command.add_option("--category", o->category, "category for every URL of a plain list");
  command.add_option("--batch-size", o->batch_size, "rows per request (default 1000)")
      ->check(CLI::Range(1, kMaxBatchSize));
  command.footer(kImportHelp);
  return [o](Context& ctx) { return RunImport(ctx, *o); };
}

}  // namespace linkwatch::cli
