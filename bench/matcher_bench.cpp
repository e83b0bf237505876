// Matcher throughput on a generated corpus of visible page text (Latin,
// Russian and Kazakh pseudo-words) with generated rules, three ways in one run:
//   (a) RuleSet::Match: normalization + RE2::Set + rule evaluation (+ excerpts
//       for the pages that hit);
//   (b) every normalized pattern as its own RE2 object, PartialMatch in a loop,
//       over pre-normalized text;
//   (c) the bare RE2::Set over pre-normalized text.
//
//   lw_matcher_bench [--mb 20] [--rules 300] [--loop-mb 2] [--runs 3] [--seed 1]
//
// (b) is slow by design, so it runs once over the first --loop-mb of the
// corpus. The others are the best of --runs after one warm-up pass. MB/s are
// by the thread's CPU time, which a shared machine disturbs less; wall-clock
// figures follow in parentheses. Pages have a main language (English 40%,
// Russian 35%, Kazakh 25%); 3% carry text that one of the rules matches.
#include <re2/re2.h>
#include <re2/set.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "linkwatch/matcher/normalize.h"
#include "linkwatch/matcher/rule_set.h"

namespace lm = linkwatch::matcher;
using Clock = std::chrono::steady_clock;

namespace {

struct Flags {
  double mb = 20;
  int rules = 300;
  double loop_mb = 2;
  int runs = 3;  // (b) runs once: it is the slow baseline
  unsigned seed = 1;
};

constexpr size_t kWordsPerScript = 3000;
constexpr size_t kMinPageBytes = 8 << 10;
constexpr size_t kMaxPageBytes = 64 << 10;
constexpr int kPlantPercent = 3;  // pages that carry a rule's phrase

const std::vector<std::string> kSyllables[] = {
    {"ka",  "lo",  "ren", "mi",  "to",  "sa",  "vel", "dor", "an",  "ir",
     "bu",  "ste", "gra", "phi", "que", "wyn", "ox",  "ul",  "et",  "zan",
     "tri", "mon", "har", "bel", "cus", "fen", "gil", "jor", "nev", "pla",
     "rhu", "sel", "tor", "vak", "wes", "yal", "zer", "in",  "on",  "ed"},
    {"ка",  "ло",   "рен", "ми",  "то",   "са", "вел", "дор", "ан",  "ир",  "бу",
     "сте", "гра",  "жи",  "щу",  "ый",   "ох", "ул",  "ет",  "зан", "три", "мон",
     "хар", "бель", "кус", "фен", "гиль", "ёр", "нев", "пла", "ру",  "сел", "тор",
     "вак", "вес",  "ял",  "зер", "ин",   "он", "ъе",  "ць"},
    {"қа",  "ғы",  "ң",  "өр", "ұл", "үй",  "һа", "әр", "із", "ты", "бе", "ке", "сін", "мен", "жа",
     "дар", "лық", "шы", "құ", "ға", "ңыз", "өт", "ұр", "үн", "әл", "ін", "са", "ла",  "ба",  "ма"},
};

class Corpus {
 public:
  Corpus(unsigned seed) : rng_(seed) {
    for (const auto& syl : kSyllables) vocab_.push_back(MakeWords(syl));
  }

  // A word, Zipf-like: a few words are very common, most are rare. Most words
  // of a page are in its main language (English, Russian or Kazakh).
  const std::string& Word() {
    const auto& words = vocab_[Below(10) == 0 ? Below(3) : language_];
    const double u = Uniform();
    return words[static_cast<size_t>(u * u * u * static_cast<double>(words.size()))];
  }
  // A word of the rare tail, for rule phrases: rules name specific things.
  const std::string& RuleWord() {
    const auto& words = vocab_[Below(3)];
    return words[words.size() / 2 + Below(words.size() / 2)];
  }

  std::string Page(const std::vector<std::string>& phrases) {
    const size_t target = kMinPageBytes + Below(kMaxPageBytes - kMinPageBytes);
    const size_t roll = Below(100);
    language_ = roll < 40 ? 0 : roll < 75 ? 1 : 2;
    std::string page;
    while (page.size() < target) page += Sentence() + (Below(6) == 0 ? "\n\n" : " ");
    if (static_cast<int>(Below(100)) < kPlantPercent && !phrases.empty()) {
      const size_t at = page.find(' ', Below(page.size()));  // between words
      if (at != std::string::npos) page.insert(at, " " + phrases[Below(phrases.size())] + " ");
    }
    return page;
  }

  size_t Below(size_t n) { return rng_() % n; }
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

 private:
  std::vector<std::string> MakeWords(const std::vector<std::string>& syllables) {
    std::vector<std::string> words;
    std::set<std::string> seen;
    while (words.size() < kWordsPerScript) {
      // Common words are short; the rare tail is longer, as in real text.
      const size_t syllables_in_word = 1 + words.size() * 4 / kWordsPerScript + Below(2);
      std::string w;
      for (size_t k = 0; k < syllables_in_word; ++k) w += syllables[Below(syllables.size())];
      if (seen.insert(w).second) words.push_back(w);
    }
    return words;
  }

  std::string Sentence() {
    std::string s;
    for (size_t k = 0, n = 4 + Below(16); k < n; ++k) {
      s += k ? " " + Word() : Capitalized(Word());
      if (Below(12) == 0) s += ",";
      if (Below(40) == 0) s += " " + std::to_string(Below(3000));
    }
    return s + (Below(5) == 0 ? "!" : ".");
  }

  // Upper-cases the first letter if it is ASCII or basic Cyrillic (а..я).
  static std::string Capitalized(std::string w) {
    auto b0 = static_cast<unsigned char>(w[0]);
    if (b0 >= 'a' && b0 <= 'z') w[0] = static_cast<char>(b0 - 0x20);
    if (w.size() < 2) return w;
    auto b1 = static_cast<unsigned char>(w[1]);
    if (b0 == 0xD0 && b1 >= 0xB0 && b1 <= 0xBF) w[1] = static_cast<char>(b1 - 0x20);
    if (b0 == 0xD1 && b1 >= 0x80 && b1 <= 0x8F) w[0] = '\xD0', w[1] = static_cast<char>(b1 + 0x20);
    return w;
  }

  std::mt19937 rng_;
  std::vector<std::vector<std::string>> vocab_;
  size_t language_ = 0;  // of the page being made
};

// A rule pattern and a piece of text it matches (to plant in some pages).
struct GeneratedPattern {
  std::string pattern;
  std::string instance;
};

// Phrases of rule words with \s+, alternations, optional words, hashtags.
GeneratedPattern MakePattern(Corpus& c) {
  const std::string w1 = c.RuleWord(), w2 = c.RuleWord(), w3 = c.RuleWord();
  switch (c.Below(5)) {
    case 0:
      return {w1 + R"(\s+)" + w2, w1 + " " + w2};
    case 1:
      return {w1 + R"(\s+(?:)" + w2 + "|" + w3 + ")", w1 + "  " + w3};
    case 2:
      return {w1 + R"(\s+(?:)" + w2 + R"(\s+)?)" + w3, w1 + "\n" + w3};
    case 3:
      return {"#" + w1 + R"(\d*)", "#" + w1 + "2024"};
    default:
      return {w1 + R"(\W+)" + w2 + R"(\s+)" + w3, w1 + ", " + w2 + " " + w3};
  }
}

std::string Toml(const std::string& id, const std::vector<std::string>& patterns,
                 const std::vector<std::string>& exclude) {
  auto list = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& p : v) out += (out.empty() ? "'" : ", '") + p + "'";
    return "[" + out + "]";
  };
  std::string t =
      "[[rule]]\nid = \"" + id + "\"\ncategory = \"extremist\"\nseverity = 3\n" +
      "description = \"generated\"\nlegal_basis = \"bench\"\npatterns = " + list(patterns) + "\n";
  if (!exclude.empty()) t += "exclude = " + list(exclude) + "\n";
  return t;
}

// Writes the rules file; returns text that matches some rule, to plant in pages.
std::vector<std::string> WriteRules(Corpus& c, int count, const std::string& path) {
  std::string toml;
  std::vector<std::string> instances;
  for (int r = 0; r < count; ++r) {
    std::vector<std::string> patterns;
    for (size_t k = 0, n = 1 + c.Below(3); k < n; ++k) {
      const auto g = MakePattern(c);
      patterns.push_back(g.pattern);
      instances.push_back(g.instance);
    }
    std::vector<std::string> exclude;
    if (c.Below(5) == 0) exclude.push_back(MakePattern(c).pattern);
    toml += Toml("g" + std::to_string(r), patterns, exclude);
  }
  std::ofstream(path) << toml;
  return instances;
}

struct Seconds {
  double wall = 1e30;
  double cpu = 1e30;  // this thread's CPU time: steadier on a shared machine
};

double ThreadCpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <typename F>
Seconds Best(int runs, F&& pass) {
  pass();  // warm-up: DFA caches fill here
  Seconds best;
  for (int i = 0; i < runs; ++i) {
    const auto w0 = Clock::now();
    const double c0 = ThreadCpuNow();
    pass();
    best.cpu = std::min(best.cpu, ThreadCpuNow() - c0);
    best.wall = std::min(best.wall, std::chrono::duration<double>(Clock::now() - w0).count());
  }
  return best;
}

size_t TotalBytes(const std::vector<std::string>& pages, size_t limit = SIZE_MAX) {
  size_t n = 0;
  for (const auto& p : pages) {
    if (n >= limit) break;
    n += p.size();
  }
  return n;
}

double MBps(size_t bytes, double seconds) { return static_cast<double>(bytes) / 1e6 / seconds; }

struct Prepared {
  std::vector<std::string> normalized;  // pattern by pattern
  std::vector<std::unique_ptr<RE2>> single;
  std::unique_ptr<RE2::Set> set;
};

Prepared Prepare(const lm::RuleSet& rules) {
  RE2::Options o;
  o.set_case_sensitive(false);
  o.set_log_errors(false);
  Prepared p;
  RE2::Options so = o;
  so.set_max_mem(rules.options().set_max_mem);
  p.set = std::make_unique<RE2::Set>(so, RE2::UNANCHORED);
  for (const auto& r : rules.rules()) {
    for (const auto* list : {&r.patterns, &r.exclude}) {
      for (const auto& pat : *list) {
        p.normalized.push_back(lm::NormalizePattern(pat, rules.options().normalize));
        p.single.push_back(std::make_unique<RE2>(p.normalized.back(), o));
        p.set->Add(p.normalized.back(), nullptr);
      }
    }
  }
  p.set->Compile();
  return p;
}

int Run(const Flags& f) {
  Corpus corpus(f.seed);
  const auto dir = std::filesystem::temp_directory_path() / "lw_matcher_bench";
  std::filesystem::create_directories(dir);
  const auto phrases = WriteRules(corpus, f.rules, (dir / "rules.toml").string());
  auto loaded = lm::RuleSet::Load({(dir / "rules.toml").string()});
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
    return 1;
  }
  const lm::RuleSet& rules = **loaded;

  std::vector<std::string> pages;
  const auto want = static_cast<size_t>(f.mb * 1e6);
  while (TotalBytes(pages) < want) pages.push_back(corpus.Page(phrases));
  std::vector<std::string> norm;
  for (const auto& p : pages) norm.push_back(lm::Normalize(p, rules.options().normalize));
  const Prepared prep = Prepare(rules);
  const size_t bytes = TotalBytes(pages);
  const size_t loop_limit = static_cast<size_t>(f.loop_mb * 1e6);
  size_t loop_pages = 0;
  for (size_t n = 0; loop_pages < norm.size() && n < loop_limit; ++loop_pages)
    n += norm[loop_pages].size();

  size_t flagged = 0, set_hits = 0, loop_hits = 0;
  const Seconds ta = Best(f.runs, [&] {
    flagged = 0;
    for (const auto& p : pages) flagged += rules.Match(p).flagged;
  });
  const Seconds tn = Best(f.runs, [&] {
    for (const auto& p : pages) lm::Normalize(p, rules.options().normalize);
  });
  const Seconds tc = Best(f.runs, [&] {
    set_hits = 0;
    std::vector<int> v;
    for (const auto& p : norm) set_hits += prep.set->Match(p, &v);
  });
  const Seconds tb = Best(1, [&] {
    loop_hits = 0;
    for (size_t i = 0; i < loop_pages; ++i) {
      for (const auto& re : prep.single) loop_hits += RE2::PartialMatch(norm[i], *re);
    }
  });
  const size_t norm_bytes = TotalBytes(norm);
  size_t loop_bytes = 0;
  for (size_t i = 0; i < loop_pages; ++i) loop_bytes += norm[i].size();

  std::printf(
      "corpus: %zu pages, %.1f MB (normalized %.1f MB); %zu rules, %zu patterns; "
      "%zu pages flagged, %zu set matches\n",
      pages.size(), bytes / 1e6, norm_bytes / 1e6, rules.rules().size(), prep.single.size(),
      flagged, set_hits);
  std::printf("MB/s by thread CPU time (by wall time)\n");
  auto row = [](const char* what, size_t n, const Seconds& t) {
    std::printf("%-48s %8.1f  (%.1f)\n", what, MBps(n, t.cpu), MBps(n, t.wall));
  };
  row("(a) RuleSet::Match, normalization included", bytes, ta);
  row("(b) single RE2 objects in a loop", loop_bytes, tb);
  row("(c) bare RE2::Set on normalized text", norm_bytes, tc);
  row("    normalization alone", bytes, tn);
  // Same pages, so times compare directly; MB/s figures count the bytes each scanned.
  const double a = MBps(bytes, ta.cpu), b = MBps(loop_bytes, tb.cpu), c = MBps(norm_bytes, tc.cpu);
  std::printf("(b) ran %zu patterns over %.1f MB\n", prep.single.size(), loop_bytes / 1e6);
  std::printf("ratios: time (a)/(c) = %.2fx   speed (a)/(b) = %.0fx   speed (c)/(b) = %.0fx\n",
              ta.cpu / tc.cpu, a / b, c / b);
  std::printf("aim: (a) >= 150 MB/s: %s; (a) within 1.5x of (c): %s\n", a >= 150 ? "yes" : "NO",
              ta.cpu / tc.cpu <= 1.5 ? "yes" : "NO");
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"Matcher throughput: RuleSet::Match vs single RE2 objects vs bare RE2::Set"};
  app.add_option("--mb", f.mb, "corpus size in MB");
  app.add_option("--rules", f.rules, "number of generated rules");
  app.add_option("--loop-mb", f.loop_mb, "corpus MB for the single-RE2 loop");
  app.add_option("--runs", f.runs, "timed passes (best is reported)");
  app.add_option("--seed", f.seed, "generator seed");
  CLI11_PARSE(app, argc, argv);
  return Run(f);
}
