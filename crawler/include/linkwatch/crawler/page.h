// Page extraction: what the matcher and the daemon read from a fetched body.
//
// ExtractPage() converts the body to UTF-8 (charset from the Content-Type
// header, else a byte-order mark, else a <meta charset> / http-equiv in the
// first bytes, else UTF-8), parses it once with Gumbo, and collects in one walk
// of the tree: the visible text (script, style, noscript, template and other
// non-rendered elements left out; block elements separated by a newline, inline
// elements joined, so "cr<b>im</b>son" reads "crimson"), the title, meta
// description, og:title / og:description, image alt texts, outlinks (a, area,
// iframe, frame, video, audio, source, embed, track; resolved against the page
// URL and <base href>; http(s) only; fragment dropped; first occurrence kept)
// and the canonical link; in the same walk, the view/share/like/comment
// counters (counters.h: JSON-LD, microdata, meta, per-site rules) and the main
// text. A text/plain body is text only (its main text is its text); a body of
// another type (image, video, PDF, ...) yields an empty page.
//
// Main text, for recognizing one article reposted in other site templates:
//  1. the largest <article>, <main> or role="main" element (by the bytes of
//     its text; on a tie the inner one) that is not inside a barrier;
//  2. else the element whose own <p> children hold the most text (a simple
//     readability guess: the paragraphs of an article sit in one element);
//  3. else `text`.
// Barriers - nav, header, footer, aside, menu and role="navigation",
// "banner", "contentinfo", "complementary", "menu", "menubar" - are never
// main text, nor is anything inside them a candidate; a <form> inside the
// chosen element is left out too (a form around the whole page is not). The
// separators and the cap are those of `text` (main text is part of it); it
// has no leading or trailing separator, so the same article body reads the
// same whatever surrounds it.
//
// Never fails and never returns invalid UTF-8: bytes that are invalid in the
// source charset become U+FFFD and `repaired` says so. An unknown charset
// label is read as UTF-8 (with repair); charset is then "utf-8" and
// charset_source says where the unknown label was. A header charset beats a
// byte-order mark; a mark that agrees with it is dropped. A <meta> naming
// UTF-16 reads as UTF-8 (WHATWG). Empty and fragment-only references
// ("#top") are not outlinks; outlinks are as curl's URL API resolves them
// (host case kept, non-ASCII in relative paths %-escaped).
//
// Thread-safe: ExtractPage is a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "linkwatch/crawler/counters.h"

namespace linkwatch::crawler {

struct ExtractOptions {
  // Visible text kept, in bytes of UTF-8 (cut at a character boundary). Default: 4 MiB.
  size_t max_text_bytes = size_t{4} << 20;
  // Outlinks kept per page. Default: 2000.
  size_t max_outlinks = 2000;
  // Image alt texts kept per page. Default: 500.
  size_t max_alt_texts = 500;
  // Deepest element nesting parsed, as browsers cap it (Blink: 512). Start
  // tags nested deeper are dropped before parsing (their text stays), which
  // keeps hostile pages (100,000 nested <div>) linear in time. Default: 512.
  size_t max_nesting_depth = 512;
  // Per-site counter extractors, used when one of a rule's hosts matches the
  // host of page_url (HostPatternMatches). Default: none.
  std::vector<SiteCounterRule> site_counters = {};
};

struct Outlink {
  std::string url;  // absolute http(s) URL, fragment removed (not canonicalized)
  std::string tag;  // element it came from: "a", "iframe", "video", ...
};

struct Page {
  // charset and charset_source are "" for a body that is not text (no conversion).
  std::string charset;         // source charset as used, lower-case: "utf-8", "windows-1251", ...
  std::string charset_source;  // "header", "bom", "meta" or "default"
  bool repaired = false;       // some bytes were invalid and became U+FFFD
  bool html = false;           // parsed as HTML (false: plain text or not text)
  std::string title;
  std::string description;     // <meta name="description">
  std::string og_title;        // <meta property="og:title">
  std::string og_description;  // <meta property="og:description">
  std::string text;            // visible text; blocks separated by '\n'
  bool text_truncated = false; // text was cut at max_text_bytes
  std::vector<std::string> alt_texts;
  std::vector<Outlink> outlinks;
  std::string canonical_url;   // <link rel="canonical">, resolved; "" when absent
  std::vector<Counter> counters;  // in document order, at most kMaxCountersPerPage
  std::string main_text;       // the main content's visible text (see above)

  // What rules are matched against: title, description, og:title,
  // og:description, visible text and alt texts, non-empty ones joined by '\n'.
  std::string MatchText() const;
};

// `content_type` is the response's Content-Type header ("" when absent);
// `page_url` the final URL of the fetch (base for relative links).
Page ExtractPage(std::string_view body, std::string_view content_type, std::string_view page_url,
                 const ExtractOptions& options = {});

// A cheap test that runs before ExtractPage() to decide whether the page needs
// parsing for its counters. It returns false only when ExtractPage(body,
// content_type, page_url, options) would find no counters at all; true means
// "maybe". It reads the body as ExtractPage does (same charset and nesting
// cap), and returns true when
//   * a SiteCounterRule of `options` applies to the page URL's host;
//   * the text holds "interaction" (ASCII case-insensitive): every JSON-LD,
//     microdata and meta counter needs a key or attribute value with it
//     ("interactionStatistic", "interactionCount", "userInteractionCount");
//   * or an escape could spell it out: a numeric character reference
//     ("&#105;", "&#x49") or a JSON escape (backslash, "u0069") naming an ASCII letter, a NUL
//     byte, or foreign content (<svg>, <math>) together with "json" (a script
//     there joins text split by comments or elements).
// Bodies that are neither HTML nor text/plain, and text/plain, give false.
// Thread-safe: a pure function.
bool MayCarryCounters(std::string_view body, std::string_view content_type, std::string_view page_url,
                      const ExtractOptions& options = {});

// The body in UTF-8, its charset chosen as ExtractPage() chooses it (the
// Content-Type charset, a byte-order mark, a <meta> declaration; invalid bytes
// become U+FFFD). A body that is neither HTML nor text comes back as it is.
// Thread-safe: a pure function.
std::string BodyUtf8(std::string_view body, std::string_view content_type);

// Converts `bytes` in `charset` (any label iconv knows; WHATWG aliases such as
// "cp1251", "koi8-r", "latin1" included) to valid UTF-8. Invalid input bytes
// become U+FFFD and set *repaired (when not null). An unknown label is
// treated as UTF-8.
std::string ToUtf8(std::string_view bytes, std::string_view charset, bool* repaired = nullptr);

}  // namespace linkwatch::crawler
