// canon: URL canonicalization, offline (links the crawler's url library).
#include <memory>

#include "canon_lines.h"
#include "commands.h"
#include "exit_codes.h"
#include "linkwatch/crawler/url.h"

namespace linkwatch::cli {
namespace {

constexpr char kCanonHelp[] =
    "Without URL, reads JSON lines {\"input\": \"...\", \"base\": \"...\"|null} from stdin\n"
    "and writes one line per input, in order: {\"href\": \"...\"} or {\"error\": \"...\"}.";

struct CanonOptions {
  std::string url;   // not given: JSON lines on stdin
  std::string base;  // resolve a relative `url` against this
  bool key = false;  // print the dedup key instead of the canonical URL
};

int CanonOne(Context& ctx, const CanonOptions& o) {
  Result<crawler::CanonicalUrl> url = crawler::Canonicalize(o.url, o.base);
  if (!url.ok()) return Fail(ctx, url.status());
  ctx.io.out << (o.key ? url->key : url->href) << '\n';
  return kExitOk;
}

}  // namespace

Handler SetupCanon(CLI::App& command) {
  auto o = std::make_shared<CanonOptions>();
  const CLI::Option* url_given =
      command.add_option("URL", o->url, "the URL to canonicalize; omit to read JSON lines");
  command.add_option("--base", o->base, "absolute URL to resolve a relative URL against");
  command.add_flag("--key", o->key, "print the dedup key (http and https folded) instead");
  command.footer(kCanonHelp);
  // The option lives as long as the CLI11 app, which outlives the handler's run.
  return [o, url_given](Context& ctx) {
    if (url_given->count() > 0) return CanonOne(ctx, *o);
    CanonStream(ctx.io.in, ctx.io.out, o->key);
    return static_cast<int>(kExitOk);
  };
}

}  // namespace linkwatch::cli
