#include "charset.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "linkwatch/crawler/page.h"

namespace linkwatch::crawler {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
// A label longer than any real one is not handed to iconv.
constexpr size_t kMaxLabelBytes = 40;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

struct Alias {
  std::string_view label;
  std::string_view name;
};

// WHATWG Encoding Standard labels (https://encoding.spec.whatwg.org/#names-and-labels)
// for the encodings linkwatch meets; iso-8859-1 and us-ascii read as
// windows-1252, as in every browser.
constexpr Alias kAliases[] = {
    {"unicode-1-1-utf-8", "utf-8"}, {"unicode11utf8", "utf-8"}, {"unicode20utf8", "utf-8"},
    {"utf-8", "utf-8"}, {"utf8", "utf-8"}, {"x-unicode20utf8", "utf-8"},
    {"866", "ibm866"}, {"cp866", "ibm866"}, {"csibm866", "ibm866"}, {"ibm866", "ibm866"},
    {"csisolatin2", "iso-8859-2"}, {"iso-ir-101", "iso-8859-2"}, {"l2", "iso-8859-2"},
    {"latin2", "iso-8859-2"}, {"csisolatin3", "iso-8859-3"}, {"iso-ir-109", "iso-8859-3"},
    {"l3", "iso-8859-3"}, {"latin3", "iso-8859-3"}, {"csisolatin4", "iso-8859-4"},
    {"iso-ir-110", "iso-8859-4"}, {"l4", "iso-8859-4"}, {"latin4", "iso-8859-4"},
    {"csisolatincyrillic", "iso-8859-5"}, {"cyrillic", "iso-8859-5"}, {"iso-ir-144", "iso-8859-5"},
    {"arabic", "iso-8859-6"}, {"asmo-708", "iso-8859-6"}, {"csiso88596e", "iso-8859-6"},
    {"csiso88596i", "iso-8859-6"}, {"csisolatinarabic", "iso-8859-6"}, {"ecma-114", "iso-8859-6"},
    {"iso-8859-6-e", "iso-8859-6"}, {"iso-8859-6-i", "iso-8859-6"}, {"iso-ir-127", "iso-8859-6"},
    {"csisolatingreek", "iso-8859-7"}, {"ecma-118", "iso-8859-7"}, {"elot_928", "iso-8859-7"},
    {"greek", "iso-8859-7"}, {"greek8", "iso-8859-7"}, {"iso-ir-126", "iso-8859-7"},
    {"sun_eu_greek", "iso-8859-7"}, {"csiso88598e", "iso-8859-8"}, {"csisolatinhebrew", "iso-8859-8"},
    {"hebrew", "iso-8859-8"}, {"iso-8859-8-e", "iso-8859-8"}, {"iso-ir-138", "iso-8859-8"},
    {"visual", "iso-8859-8"}, {"csiso88598i", "iso-8859-8-i"}, {"iso-8859-8-i", "iso-8859-8-i"},
    {"logical", "iso-8859-8-i"}, {"csisolatin6", "iso-8859-10"}, {"iso-ir-157", "iso-8859-10"},
    {"l6", "iso-8859-10"}, {"latin6", "iso-8859-10"}, {"l9", "iso-8859-15"},
    {"csisolatin9", "iso-8859-15"}, {"cskoi8r", "koi8-r"}, {"koi", "koi8-r"}, {"koi8", "koi8-r"},
    {"koi8-r", "koi8-r"}, {"koi8_r", "koi8-r"}, {"koi8-ru", "koi8-u"}, {"koi8-u", "koi8-u"},
    {"csmacintosh", "macintosh"}, {"mac", "macintosh"}, {"macintosh", "macintosh"},
    {"x-mac-roman", "macintosh"}, {"dos-874", "windows-874"}, {"iso-8859-11", "windows-874"},
    {"iso8859-11", "windows-874"}, {"iso885911", "windows-874"}, {"tis-620", "windows-874"},
    {"windows-874", "windows-874"}, {"ansi_x3.4-1968", "windows-1252"}, {"ascii", "windows-1252"},
    {"cp819", "windows-1252"}, {"csisolatin1", "windows-1252"}, {"ibm819", "windows-1252"},
    {"iso-8859-1", "windows-1252"}, {"iso-ir-100", "windows-1252"}, {"iso8859-1", "windows-1252"},
    {"iso88591", "windows-1252"}, {"iso_8859-1", "windows-1252"}, {"iso_8859-1:1987", "windows-1252"},
    {"l1", "windows-1252"}, {"latin1", "windows-1252"}, {"us-ascii", "windows-1252"},
    {"csisolatin5", "windows-1254"}, {"iso-8859-9", "windows-1254"}, {"iso-ir-148", "windows-1254"},
    {"iso8859-9", "windows-1254"}, {"iso88599", "windows-1254"}, {"iso_8859-9", "windows-1254"},
    {"iso_8859-9:1989", "windows-1254"}, {"l5", "windows-1254"}, {"latin5", "windows-1254"},
    {"x-mac-cyrillic", "x-mac-cyrillic"}, {"x-mac-ukrainian", "x-mac-cyrillic"},
    {"chinese", "gbk"}, {"csgb2312", "gbk"}, {"csiso58gb231280", "gbk"}, {"gb2312", "gbk"},
    {"gb_2312", "gbk"}, {"gb_2312-80", "gbk"}, {"gbk", "gbk"}, {"iso-ir-58", "gbk"},
    {"x-gbk", "gbk"}, {"gb18030", "gb18030"}, {"big5", "big5"}, {"big5-hkscs", "big5"},
    {"cn-big5", "big5"}, {"csbig5", "big5"}, {"x-x-big5", "big5"},
    {"cseucpkdfmtjapanese", "euc-jp"}, {"euc-jp", "euc-jp"}, {"x-euc-jp", "euc-jp"},
    {"csiso2022jp", "iso-2022-jp"}, {"iso-2022-jp", "iso-2022-jp"}, {"csshiftjis", "shift_jis"},
    {"ms932", "shift_jis"}, {"ms_kanji", "shift_jis"}, {"shift-jis", "shift_jis"},
    {"shift_jis", "shift_jis"}, {"sjis", "shift_jis"}, {"windows-31j", "shift_jis"},
    {"x-sjis", "shift_jis"}, {"cseuckr", "euc-kr"}, {"csksc56011987", "euc-kr"},
    {"euc-kr", "euc-kr"}, {"iso-ir-149", "euc-kr"}, {"korean", "euc-kr"},
    {"ks_c_5601-1987", "euc-kr"}, {"ks_c_5601-1989", "euc-kr"}, {"ksc5601", "euc-kr"},
    {"ksc_5601", "euc-kr"}, {"windows-949", "euc-kr"}, {"unicodefffe", "utf-16be"},
    {"utf-16be", "utf-16be"}, {"csunicode", "utf-16le"}, {"iso-10646-ucs-2", "utf-16le"},
    {"ucs-2", "utf-16le"}, {"unicode", "utf-16le"}, {"unicodefeff", "utf-16le"},
    {"utf-16", "utf-16le"}, {"utf-16le", "utf-16le"}, {"x-user-defined", "windows-1252"},
};

// WHATWG name -> glibc iconv name, for names not derived by rule below.
constexpr Alias kIconvNames[] = {
    {"ibm866", "IBM866"},          {"iso-8859-8-i", "ISO-8859-8"}, {"koi8-r", "KOI8-R"},
    {"koi8-u", "KOI8-U"},          {"macintosh", "MACINTOSH"},     {"windows-874", "CP874"},
    {"x-mac-cyrillic", "MAC-CYRILLIC"}, {"gbk", "GB18030"},        {"gb18030", "GB18030"},
    {"big5", "BIG5-HKSCS"},        {"euc-jp", "EUC-JP"},           {"iso-2022-jp", "ISO-2022-JP"},
    {"shift_jis", "CP932"},        {"euc-kr", "CP949"},            {"utf-16be", "UTF-16BE"},
    {"utf-16le", "UTF-16LE"},
};

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
bool IsLabelSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string NormalizeLabel(std::string_view label) {
  while (!label.empty() && IsLabelSpace(label.front())) label.remove_prefix(1);
  while (!label.empty() && IsLabelSpace(label.back())) label.remove_suffix(1);
  std::string out(label);
  for (char& c : out) c = Lower(c);
  return out;
}

// "iso-8859-N", "iso8859-N", "iso_8859-N", "iso8859N" and "windows-125N",
// "cp125N", "x-cp125N" follow one pattern each, so they are matched by rule.
std::optional<std::string> PatternName(const std::string& label) {
  for (const std::string_view prefix : {"iso-8859-", "iso8859-", "iso_8859-", "iso8859"}) {
    if (!label.starts_with(prefix)) continue;
    const std::string number = label.substr(prefix.size());
    for (const std::string_view n : {"2", "3", "4", "5", "6", "7", "8", "10", "13", "14", "15", "16"}) {
      if (number == n) return "iso-8859-" + number;
    }
  }
  for (const std::string_view prefix : {"windows-125", "x-cp125", "cp125"}) {
    if (label.size() == prefix.size() + 1 && label.starts_with(prefix)) {
      const char digit = label.back();
      if (digit >= '0' && digit <= '8') return std::string("windows-125") + digit;
    }
  }
  return std::nullopt;
}

std::optional<std::string> WhatwgName(const std::string& label) {
  static const std::unordered_map<std::string_view, std::string_view> aliases = [] {
    std::unordered_map<std::string_view, std::string_view> map;
    for (const Alias& a : kAliases) map.emplace(a.label, a.name);
    return map;
  }();
  if (const auto it = aliases.find(label); it != aliases.end()) return std::string(it->second);
  return PatternName(label);
}

std::string IconvName(std::string_view name) {
  if (name == "utf-8") return "";
  for (const Alias& a : kIconvNames) {
    if (a.label == name) return std::string(a.name);
  }
  if (name.starts_with("windows-125")) return "CP125" + std::string(name.substr(11));
  std::string upper(name);  // iso-8859-N
  for (char& c : upper) c = Upper(c);
  return upper;
}

bool IconvKnows(const std::string& iconv_name) {
  const iconv_t cd = iconv_open("UTF-8", iconv_name.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  iconv_close(cd);
  return true;
}

// Only plain names reach iconv: no "//TRANSLIT" suffixes, no paths.
bool IsPlainLabel(const std::string& label) {
  if (label.empty() || label.size() > kMaxLabelBytes) return false;
  for (const char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                    c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// ---- UTF-8 ----

// Length of the valid sequence starting at p[0] (n > 0 bytes left), or 0 with
// *bad set to the length of the maximal invalid subpart (at least 1).
size_t ValidSequence(const unsigned char* p, size_t n, size_t* bad) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    *bad = 1;
    return 0;
  }
  for (size_t i = 1; i <= need; ++i) {
    const bool in_range =
        i < n && (i == 1 ? (p[i] >= lo && p[i] <= hi) : (p[i] >= 0x80 && p[i] <= 0xBF));
    if (!in_range) {
      *bad = i;
      return 0;
    }
  }
  return need + 1;
}

// Bytes at the start of `s` that are ASCII, eight at a time.
size_t AsciiPrefix(const unsigned char* s, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, s + i, sizeof word);
    if (word & kHighBits) break;
  }
  while (i < n && s[i] < 0x80) ++i;
  return i;
}

// ---- iconv ----

struct IconvCloser {
  void operator()(void* cd) const noexcept { iconv_close(static_cast<iconv_t>(cd)); }
};

// Output buffer of a conversion: `used` bytes of *out are written.
struct Sink {
  std::string* out;
  size_t used;

  void Reserve(size_t bytes) {
    if (out->size() - used < bytes) out->resize(std::max(out->size() * 2, used + bytes));
  }
  void Append(std::string_view s) {
    Reserve(s.size());
    std::memcpy(out->data() + used, s.data(), s.size());
    used += s.size();
  }
};

}  // namespace

std::optional<Charset> LookupCharset(std::string_view raw_label) {
  const std::string label = NormalizeLabel(raw_label);
  if (std::optional<std::string> name = WhatwgName(label)) {
    const size_t unit = name->starts_with("utf-16") ? 2 : 1;
    std::string iconv_name = IconvName(*name);
    return Charset{std::move(*name), std::move(iconv_name), unit};
  }
  if (!IsPlainLabel(label)) return std::nullopt;
  std::string upper = label;
  for (char& c : upper) c = Upper(c);
  if (upper.find("UTF-16") != std::string::npos || upper.find("UTF-32") != std::string::npos ||
      upper.find("UCS") != std::string::npos) {
    return std::nullopt;  // wide charsets without a WHATWG label: their units would misalign
  }
  if (upper == "UTF8" || !IconvKnows(upper)) return std::nullopt;
  return Charset{label, upper, 1};
}

bool IsValidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    i += AsciiPrefix(p + i, n - i);
    if (i >= n) break;
    size_t bad = 0;
    const size_t len = ValidSequence(p + i, n - i, &bad);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

bool AppendRepairedUtf8(std::string_view bytes, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  bool repaired = false;
  size_t i = 0, run = 0;  // bytes [run, i) are valid and not yet appended
  out->reserve(out->size() + n);
  while (i < n) {
    i += AsciiPrefix(p + i, n - i);
    if (i >= n) break;
    size_t bad = 0;
    const size_t len = ValidSequence(p + i, n - i, &bad);
    if (len > 0) {
      i += len;
      continue;
    }
    out->append(bytes.substr(run, i - run));
    out->append(kReplacement);
    repaired = true;
    i += bad;
    run = i;
  }
  out->append(bytes.substr(run));
  return repaired;
}

bool ConvertToUtf8(std::string_view bytes, const Charset& charset, std::string* out) {
  if (charset.iconv_name.empty()) return AppendRepairedUtf8(bytes, out);
  const iconv_t opened = iconv_open("UTF-8", charset.iconv_name.c_str());
  // LookupCharset checked the name, so this is a system without the module.
  if (opened == reinterpret_cast<iconv_t>(-1)) return AppendRepairedUtf8(bytes, out);
  const std::unique_ptr<void, IconvCloser> cd(opened);
  bool repaired = false;
  Sink sink{out, out->size()};
  sink.Reserve(bytes.size() * 2 + 16);
  char* in = const_cast<char*>(bytes.data());  // iconv's signature; it does not write
  size_t in_left = bytes.size();
  for (;;) {
    char* o = out->data() + sink.used;
    size_t o_left = out->size() - sink.used;
    const size_t r = iconv(static_cast<iconv_t>(cd.get()), in_left ? &in : nullptr, &in_left, &o,
                           &o_left);  // with no input left: flush the shift state
    sink.used = out->size() - o_left;
    if (r != static_cast<size_t>(-1)) {
      if (in_left == 0 && in == nullptr) break;
      if (in_left == 0) in = nullptr;
      continue;
    }
    if (errno == E2BIG) {
      sink.Reserve(out->size());
    } else if (errno == EILSEQ && in_left > 0) {
      sink.Append(kReplacement);
      repaired = true;
      const size_t skip = std::min(charset.unit, in_left);
      in += skip;
      in_left -= skip;
    } else {  // EINVAL: the input ends inside a character
      sink.Append(kReplacement);
      repaired = true;
      in_left = 0;
      in = nullptr;
      break;
    }
  }
  out->resize(sink.used);
  return repaired;
}

std::string ToUtf8(std::string_view bytes, std::string_view charset, bool* repaired) {
  const std::optional<Charset> cs = LookupCharset(charset);
  std::string out;
  bool fixed = false;
  if (!cs || cs->iconv_name.empty()) {
    if (IsValidUtf8(bytes)) {
      out.assign(bytes);
    } else {
      fixed = AppendRepairedUtf8(bytes, &out);
    }
  } else {
    fixed = ConvertToUtf8(bytes, *cs, &out);
  }
  if (repaired) *repaired = fixed;
  return out;
}

}  // namespace linkwatch::crawler
