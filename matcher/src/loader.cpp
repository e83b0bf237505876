// LoadState: files -> validated sources -> compiled patterns and hash index.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "rule_set_state.h"
#include "sources.h"

namespace linkwatch::matcher::internal {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBuiltinCategories[] = {"extremist", "terrorist"};
// RE2 program sizes: a phrase is tens of instructions, [\pL]{5,20} about
// 24,000, [\pL\pN]{300} 400,000 (and 0.1 s to compile). Sets over a few
// million took minutes and gigabytes to be refused by RE2::Set.
constexpr int kMaxPatternProgram = 100'000;
constexpr int64_t kMaxSetProgram = 2'000'000;
constexpr int64_t kCheckMaxMem = int64_t{4} << 20;  // RE2 refuses programs of ~130,000 instructions

std::string Location(const std::string& file, int line) {
  return file + ":" + std::to_string(line);
}

class Loader {
 public:
  Loader(const LoadOptions& options, std::vector<LoadError>* errors)
      : options_(options), errors_(errors) {
    categories_.assign(std::begin(kBuiltinCategories), std::end(kBuiltinCategories));
    for (const auto& c : options.extra_categories) categories_.push_back(c);
  }

  std::unique_ptr<RuleSetState> Run(const std::vector<std::string>& paths) {
    state_->options = options_;
    for (const auto& file : ListFiles(paths, ".toml")) ReadRuleFile(file);
    for (const auto& file : ListFiles(options_.hash_paths, ".txt")) ReadHashFile(file);
    DropDuplicateIds();
    std::sort(sources_.begin(), sources_.end(),
              [](const auto& a, const auto& b) { return a.rule.id < b.rule.id; });
    CompileRules();
    IndexHashes();
    if (!errors_->empty()) return nullptr;
    if (program_size_ > kMaxSetProgram) return TooLargeTogether();
    if (!state_->entries.empty() && !state_->set->Compile()) {
      errors_->push_back({"", 0, "",
                          "the combined pattern set does not fit in set_max_mem (" +
                              std::to_string(options_.set_max_mem) + " bytes); the largest patterns: " +
                              LargestPatterns()});
      return nullptr;
    }
    if (state_->entries.empty()) state_->set.reset();
    state_->version = ComputeVersion(*state_);
    return std::move(state_);
  }

 private:
  void Error(const std::string& file, int line, const std::string& rule_id, std::string message) {
    errors_->push_back({file, line, rule_id, std::move(message)});
  }

  // Refused before RE2::Set compiles them: that could take minutes and gigabytes.
  std::unique_ptr<RuleSetState> TooLargeTogether() {
    errors_->push_back({"", 0, "",
                        "the patterns compile to " + std::to_string(program_size_) +
                            " instructions together, more than the " + std::to_string(kMaxSetProgram) +
                            " a rule set may hold; the largest: " + LargestPatterns()});
    return nullptr;
  }

  // "FILE:LINE: rule "ID" pattern K (N instructions), ..." for the few largest.
  std::string LargestPatterns() {
    std::sort(sizes_.begin(), sizes_.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string out;
    for (size_t i = 0; i < sizes_.size() && i < 3; ++i) {
      if (i > 0) out += ", ";
      out += sizes_[i].second + " (" + std::to_string(sizes_[i].first) + " instructions)";
    }
    return out;
  }

  // Files named by `paths`: files as given, directories' `ext` files in name order.
  std::vector<std::string> ListFiles(const std::vector<std::string>& paths, const char* ext) {
    std::vector<std::string> files;
    for (const auto& path : paths) {
      std::error_code ec;
      if (!fs::is_directory(path, ec)) {
        files.push_back(path);  // a missing file is reported when read
        continue;
      }
      std::vector<std::string> in_dir;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.path().extension() == ext && entry.is_regular_file(ec)) {
          in_dir.push_back(entry.path().string());
        }
      }
      if (ec) Error(path, 0, "", "cannot list directory: " + ec.message());
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    }
    return files;
  }

  bool ReadFile(const std::string& file, std::string* content) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream buf;
    if (in) buf << in.rdbuf();
    if (!in || in.bad()) {
      Error(file, 0, "", std::string("cannot read: ") + std::strerror(errno));
      return false;
    }
    *content = std::move(buf).str();
    return true;
  }

  void ReadRuleFile(const std::string& file) {
    std::string content;
    if (!ReadFile(file, &content)) return;
    const size_t rules_before = sources_.size(), errors_before = errors_->size();
    ParseRuleFile(file, content, categories_, &sources_, errors_);
    if (sources_.size() == rules_before && errors_->size() == errors_before) {
      // Likely truncated by an editor or a failed copy: loading it would
      // unflag every page its rules flagged.
      Error(file, 1, "", "no [[rule]] in this file; an empty rule file is refused");
    }
  }

  void ReadHashFile(const std::string& file) {
    std::string content;
    if (ReadFile(file, &content)) {
      ParseHashList(file, content, categories_, &state_->hashes, errors_);
    }
  }

  // Keeps the first rule of each id (in load order) and reports the others.
  void DropDuplicateIds() {
    std::map<std::string, const RuleSource*> first;
    std::vector<RuleSource> kept;
    for (auto& src : sources_) {
      if (src.rule.id.empty()) continue;  // already reported
      auto [it, inserted] = first.emplace(src.rule.id, &src);
      if (inserted) continue;
      const Rule& f = it->second->rule;
      Error(src.rule.file, src.rule.line, src.rule.id,
            "duplicate id (first defined at " + Location(f.file, f.line) + ")");
    }
    for (auto& src : sources_) {
      if (src.rule.id.empty() || first.at(src.rule.id) == &src) kept.push_back(std::move(src));
    }
    sources_ = std::move(kept);
  }

  void CompileRules() {
    state_->set = std::make_unique<RE2::Set>(PatternOptions(options_.set_max_mem), RE2::UNANCHORED);
    for (const RuleSource& src : sources_) {
      const size_t errors_before = errors_->size();
      for (size_t k = 0; k < src.rule.patterns.size(); ++k) CompilePattern(src, k, false);
      for (size_t k = 0; k < src.rule.exclude.size(); ++k) CompilePattern(src, k, true);
      if (src.ok && errors_->size() == errors_before) state_->rules.push_back(src.rule);
    }
  }

  // Validates pattern (or exclusion) k of a rule and adds it to the set.
  void CompilePattern(const RuleSource& src, size_t k, bool exclude) {
    const auto& list = exclude ? src.rule.exclude : src.rule.patterns;
    const int line = (exclude ? src.exclude_lines : src.pattern_lines)[k];
    const std::string kind = exclude ? "exclude " : "pattern ";
    auto fail = [&](const std::string& m) {
      Error(src.rule.file, line, src.rule.id, kind + std::to_string(k + 1) + m);
    };
    // Syntax errors are reported on the pattern as written, in RE2's words.
    // A small memory budget makes a huge pattern fail in milliseconds, not
    // compile for a tenth of a second (times hundreds of rules).
    const RE2 as_written(list[k], PatternOptions(kCheckMaxMem));
    if (as_written.error_code() == RE2::ErrorPatternTooLarge) {
      return fail(" is too large: it compiles to more than " + std::to_string(kMaxPatternProgram) +
                  " instructions (narrow a wide repetition such as [\\pL]{300})");
    }
    if (!as_written.ok()) return fail(" does not compile: " + as_written.error());
    for (size_t j = 0; j < k; ++j) {
      if (list[j] == list[k]) return fail(" repeats " + kind + std::to_string(j + 1));
    }
    const std::string normalized = NormalizePattern(list[k], options_.normalize);
    auto re = std::make_unique<RE2>(normalized, PatternOptions(0));
    if (!re->ok()) return fail(" does not compile once normalized (a bug): " + re->error());
    const int size = re->ProgramSize();
    if (size > kMaxPatternProgram) {
      return fail(" is too large: it compiles to " + std::to_string(size) + " instructions, more than " +
                  std::to_string(kMaxPatternProgram) + " (narrow a wide repetition such as [\\pL]{300})");
    }
    program_size_ += size;
    sizes_.emplace_back(size, src.rule.file + ":" + std::to_string(line) + ": rule \"" + src.rule.id + "\" " +
                                  kind + std::to_string(k + 1));
    if (RE2::PartialMatch("", *re)) {
      return fail(" matches the empty text (it would hit every page)");
    }
    if (!errors_->empty()) return;  // the set will be thrown away anyway
    std::string set_error;
    if (state_->set->Add(normalized, &set_error) < 0) return fail(" rejected: " + set_error);
    state_->entries.push_back(
        {static_cast<uint32_t>(state_->rules.size()), static_cast<uint32_t>(k), exclude});
    state_->regexps.push_back(std::move(re));
  }

  void IndexHashes() {
    auto& hashes = state_->hashes;
    std::stable_sort(hashes.begin(), hashes.end(),
                     [](const auto& a, const auto& b) { return a.sha256 < b.sha256; });
    for (size_t i = 0; i < hashes.size(); ++i) {
      auto [it, inserted] = state_->hash_index.emplace(hashes[i].sha256, i);
      if (inserted) continue;
      const HashEntry& f = hashes[it->second];
      Error(
          hashes[i].file, hashes[i].line, "",
          "duplicate digest " + hashes[i].sha256 + " (first at " + Location(f.file, f.line) + ")");
    }
  }

  const LoadOptions& options_;
  std::vector<LoadError>* errors_;
  int64_t program_size_ = 0;                      // of every compiled pattern
  std::vector<std::pair<int, std::string>> sizes_;  // each pattern's, and where it is
  std::vector<std::string> categories_;
  std::vector<RuleSource> sources_;
  std::unique_ptr<RuleSetState> state_ = std::make_unique<RuleSetState>();
};

}  // namespace

RE2::Options PatternOptions(int64_t max_mem) {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingUTF8);
  o.set_case_sensitive(false);
  o.set_log_errors(false);
  if (max_mem > 0) o.set_max_mem(max_mem);
  return o;
}

std::unique_ptr<RuleSetState> LoadState(const std::vector<std::string>& paths,
                                        const LoadOptions& options,
                                        std::vector<LoadError>* errors) {
  return Loader(options, errors).Run(paths);
}

}  // namespace linkwatch::matcher::internal
