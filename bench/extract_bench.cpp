// Page extraction throughput on a generated corpus of realistic HTML pages
// (head with meta and inline scripts and styles, nav menus, article text in
// mixed Latin and Cyrillic with inline markup, images, footer links), two ways
// in one run:
//   (a) the Gumbo floor: gumbo_parse + gumbo_destroy_output alone, once with
//       Gumbo's defaults and once with the options ExtractPage uses (parse
//       errors not recorded);
//   (b) ExtractPage: charset check, nesting guard, parse, walk, link resolution.
//
//   lw_extract_bench [--mb 20] [--runs 3] [--seed 1]
//
// Each figure is the best of --runs after one warm-up pass, in MB/s of HTML by
// the thread's CPU time, which a shared machine disturbs less.
#include <gumbo.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "linkwatch/crawler/page.h"

namespace lc = linkwatch::crawler;

namespace {

struct Flags {
  double mb = 20;
  int runs = 3;
  unsigned seed = 1;
};

constexpr size_t kMinParagraphs = 10;
constexpr size_t kMaxParagraphs = 120;
constexpr size_t kNavLinks = 40;
constexpr double kBytesPerMb = 1e6;

const std::vector<std::string> kLatin = {"link", "watch", "crimson", "dawn", "river", "market",
    "report", "city", "council", "weather", "today", "news", "update", "people", "school",
    "the", "and", "of", "with", "for", "from", "under", "over", "between", "after"};
const std::vector<std::string> kCyrillic = {"новости", "город", "рынок", "погода", "сегодня",
    "люди", "школа", "отчёт", "река", "рассвет", "малиновый", "совет", "и", "в", "на", "для",
    "после", "между", "под", "над", "жизнь", "страна", "мир", "работа", "время"};

class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  std::string Page(size_t n) {
    std::string p = "<!DOCTYPE html>\n<html lang=ru><head><meta charset=utf-8>\n<title>" + Words(6) +
                    "</title>\n<meta name=description content=\"" + Words(20) + "\">\n"
                    "<meta property=og:title content=\"" + Words(5) + "\">\n"
                    "<link rel=canonical href=\"https://news.example.org/a/" + std::to_string(n) + "\">\n"
                    "<link rel=stylesheet href=/static/site.css>\n<style>" + Style() + "</style>\n"
                    "<script>" + Script() + "</script>\n</head>\n<body class=\"page\">\n";
    p += Nav();
    p += "<main><article><h1>" + Words(8) + "</h1>\n";
    const size_t paragraphs = Uniform(kMinParagraphs, kMaxParagraphs);
    for (size_t i = 0; i < paragraphs; ++i) p += Paragraph(i);
    p += "</article>\n<aside><ul>";
    for (int i = 0; i < 10; ++i) p += "<li><a href=\"/related/" + std::to_string(Uniform(1, 99999)) + "\">" + Words(4) + "</a></li>";
    p += "</ul></aside></main>\n<footer><p>&copy; 2024 " + Words(3) + "</p>";
    for (int i = 0; i < 15; ++i) p += "<a href=\"https://partner" + std::to_string(i) + ".example.com/\">" + Words(2) + "</a> | ";
    p += "</footer>\n<script async src=\"https://cdn.example.net/analytics.js\"></script>\n"
         "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script>\n"
         "</body></html>\n";
    return p;
  }

 private:
  size_t Uniform(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(rng_); }

  std::string Words(size_t n) {
    const bool cyrillic = Uniform(0, 1) == 1;
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      const auto& list = (cyrillic ^ (Uniform(0, 9) == 0)) ? kCyrillic : kLatin;
      if (i) out += ' ';
      out += list[Uniform(0, list.size() - 1)];
    }
    return out;
  }

  std::string Nav() {
    std::string out = "<header><nav class=\"menu\"><ul>\n";
    for (size_t i = 0; i < kNavLinks; ++i) {
      out += "<li class=\"menu-item\"><a href=\"/section/" + std::to_string(i % 12) + "/\" title=\"" +
             Words(2) + "\">" + Words(2) + "</a></li>\n";
    }
    return out + "</ul></nav></header>\n";
  }

  std::string Paragraph(size_t i) {
    std::string out = "<p>";
    const size_t sentences = Uniform(2, 6);
    for (size_t s = 0; s < sentences; ++s) {
      out += Words(Uniform(5, 18));
      switch (Uniform(0, 5)) {
        case 0: out += " <b>" + Words(2) + "</b>"; break;
        case 1: out += " <a href=\"article-" + std::to_string(Uniform(1, 5000)) + ".html\">" + Words(3) + "</a>"; break;
        case 2: out += " <em>" + Words(1) + "</em>,"; break;
        default: break;
      }
      out += ". ";
    }
    out += "</p>\n";
    if (i % 7 == 3) {
      out += "<figure><img src=\"/img/" + std::to_string(Uniform(1, 9999)) + ".jpg\" alt=\"" + Words(4) +
             "\" width=640 height=480><figcaption>" + Words(6) + "</figcaption></figure>\n";
    }
    return out;
  }

  static std::string Style() {
    return "body{margin:0;font-family:sans-serif}.menu li{display:inline-block;padding:4px}"
           "article p{line-height:1.5}footer{color:#777}";
  }

  std::string Script() {
    return "var cfg={\"id\":" + std::to_string(Uniform(1, 1 << 20)) +
           ",\"lang\":\"ru\"};if(document.cookie.indexOf('seen')<0){document.write('<div class=\"b\">" +
           "</div>')}function track(e){return e&&e.target?e.target.href:''}";
  }

  std::mt19937 rng_;
};

double ThreadSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Best MB/s of `runs` timed passes of `pass` over the corpus, after a warm-up.
double BestMbPerSecond(const std::vector<std::string>& pages, size_t bytes, int runs,
                       const std::function<void(const std::string&)>& pass) {
  for (const auto& p : pages) pass(p);
  double best = 0;
  for (int r = 0; r < runs; ++r) {
    const double start = ThreadSeconds();
    for (const auto& p : pages) pass(p);
    const double seconds = ThreadSeconds() - start;
    best = std::max(best, static_cast<double>(bytes) / kBytesPerMb / seconds);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"Page extraction throughput: ExtractPage vs the bare Gumbo parse"};
  app.add_option("--mb", f.mb, "corpus size in MB");
  app.add_option("--runs", f.runs, "timed passes (best is reported)");
  app.add_option("--seed", f.seed, "generator seed");
  CLI11_PARSE(app, argc, argv);

  Generator gen(f.seed);
  std::vector<std::string> pages;
  size_t bytes = 0;
  while (static_cast<double>(bytes) < f.mb * kBytesPerMb) {
    pages.push_back(gen.Page(pages.size()));
    bytes += pages.back().size();
  }
  size_t links = 0, text = 0;
  for (const auto& p : pages) {
    const lc::Page page = lc::ExtractPage(p, "text/html; charset=utf-8", "https://news.example.org/a/1");
    links += page.outlinks.size();
    text += page.text.size();
  }
  std::printf("corpus: %zu pages, %.1f MB (avg %.1f KB), %.0f outlinks and %.1f KB text per page\n",
              pages.size(), static_cast<double>(bytes) / kBytesPerMb,
              static_cast<double>(bytes) / 1e3 / static_cast<double>(pages.size()),
              static_cast<double>(links) / static_cast<double>(pages.size()),
              static_cast<double>(text) / 1e3 / static_cast<double>(pages.size()));

  const double floor_default = BestMbPerSecond(pages, bytes, f.runs, [](const std::string& p) {
    gumbo_destroy_output(&kGumboDefaultOptions, gumbo_parse_with_options(&kGumboDefaultOptions, p.data(), p.size()));
  });
  GumboOptions no_errors = kGumboDefaultOptions;
  no_errors.max_errors = 0;
  const double floor_same = BestMbPerSecond(pages, bytes, f.runs, [&](const std::string& p) {
    gumbo_destroy_output(&no_errors, gumbo_parse_with_options(&no_errors, p.data(), p.size()));
  });
  const double extract = BestMbPerSecond(pages, bytes, f.runs, [](const std::string& p) {
    const lc::Page page = lc::ExtractPage(p, "text/html; charset=utf-8", "https://news.example.org/a/1");
    if (page.text.empty()) std::abort();
  });

  std::printf("(a) gumbo_parse + destroy, default options:  %7.1f MB/s\n", floor_default);
  std::printf("(a) gumbo_parse + destroy, max_errors = 0:   %7.1f MB/s  (ExtractPage's options)\n", floor_same);
  std::printf("(b) ExtractPage:                              %7.1f MB/s\n", extract);
  std::printf("ratio ExtractPage time / Gumbo floor: %.2fx (default options), %.2fx (same options)\n",
              floor_default / extract, floor_same / extract);
  return 0;
}
