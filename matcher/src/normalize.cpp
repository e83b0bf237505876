// Normalization is on the path of every fetched page, so it is written for
// speed: a table for the one- and two-byte range, sixteen ASCII bytes at a time
// where SSE2 is there, and the output pointer kept in a register.
#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
// The AVX-512 path is compiled with GCC/Clang on x86-64 and taken when the CPU has it.
#if defined(__x86_64__) && defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#define LINKWATCH_WIDE_NORMALIZE 1
#include <immintrin.h>
#else
#define LINKWATCH_WIDE_NORMALIZE 0
#endif

#include "char_map.h"
#include "linkwatch/matcher/normalize.h"
#include "normalize_internal.h"
#include "utf8.h"

namespace linkwatch::matcher {
namespace internal {
namespace {

// What one input character becomes: up to four UTF-8 bytes packed little
// endian (first byte lowest) and their count, or a space, or nothing.
enum UnitKind : uint8_t { kPlain, kSpace, kRemoved };
struct Unit {
  uint32_t bytes = 0;
  uint8_t len = 0;
  UnitKind kind = kRemoved;
};

constexpr Unit UnitOf(Mapped m) {
  if (m.kind == MapKind::kSpace) return {' ', 1, kSpace};
  if (m.kind == MapKind::kRemove) return {0, 0, kRemoved};
  const char32_t c = m.cp;
  if (c < 0x80) return {c, 1, kPlain};
  if (c < 0x800) return {(0xC0 | (c >> 6)) | ((0x80 | (c & 0x3F)) << 8), 2, kPlain};
  return {(0xE0 | (c >> 12)) | ((0x80 | ((c >> 6) & 0x3F)) << 8) | ((0x80 | (c & 0x3F)) << 16), 3,
          kPlain};
}

// Units for U+0000..U+07FF, the one- and two-byte range, where nearly all the
// folding happens. Images of this range are one or two bytes long, so an
// entry packs into 32 bits: bytes in the low 16, length and kind above.
constexpr size_t kTableSize = 0x800;
using Table = std::array<uint32_t, kTableSize>;
constexpr uint32_t kLenShift = 16;
constexpr uint32_t kKindShift = 24;

constexpr uint32_t Pack(Unit u) {
  return (u.bytes & 0xFFFF) | (uint32_t{u.len} << kLenShift) | (uint32_t{u.kind} << kKindShift);
}
constexpr Unit Unpack(uint32_t e) {
  return {e & 0xFFFF, static_cast<uint8_t>((e >> kLenShift) & 0xFF),
          static_cast<UnitKind>(e >> kKindShift)};
}

constexpr Table BuildTable(bool confusables) {
  Table t{};
  for (char32_t c = 0; c < kTableSize; ++c) t[c] = Pack(UnitOf(MapCodePoint(c, confusables)));
  return t;
}

constexpr Table kPlainTable = BuildTable(false);
constexpr Table kConfusableTable = BuildTable(true);

uint32_t PackBytes(const unsigned char* p, int len) {
  uint32_t v = 0;
  for (int k = 0; k < len; ++k) v |= uint32_t{p[k]} << (8 * k);
  return v;
}

constexpr Unit kReplacementUnit = UnitOf({MapKind::kKeep, kReplacementChar});

// The unit of the character at p[0..n) outside the inline fast paths (three
// and four bytes, invalid sequences); sets *len to the bytes it takes.
Unit DecodeSlow(const unsigned char* p, size_t n, const Table& t, bool confusables, int* len) {
  const Decoded d = DecodeUtf8(p, n);
  *len = d.len;
  if (d.cp < kTableSize) return Unpack(t[d.cp]);
  if (d.cp == kReplacementChar) return kReplacementUnit;  // repaired or genuine
  if (MayMap(d.cp)) return UnitOf(MapCodePoint(d.cp, confusables));
  return {PackBytes(p, d.len), static_cast<uint8_t>(d.len), kPlain};
}

// The unit of the character at p[*i] (i < n); advances *i past it.
inline Unit NextUnit(const unsigned char* p, size_t n, size_t* i, const Table& t,
                     bool confusables) {
  const unsigned char b = p[*i];
  if (b < 0x80) {
    *i += 1;
    return Unpack(t[b]);
  }
  if (b >= 0xC2 && b <= 0xDF && *i + 1 < n && IsContinuationByte(p[*i + 1])) {
    const uint32_t cp = ((b & 0x1Fu) << 6) | (p[*i + 1] & 0x3Fu);
    *i += 2;
    return Unpack(t[cp]);
  }
  int len = 0;
  const Unit u = DecodeSlow(p + *i, n - *i, t, confusables, &len);
  *i += static_cast<size_t>(len);
  return u;
}

inline void Store(char* dst, uint32_t bytes) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(dst, &bytes, sizeof bytes);
  } else {
    for (int k = 0; k < 4; ++k) dst[k] = static_cast<char>(bytes >> (8 * k));
  }
}

// Bytes written past the output length by Store (a unit is stored as 4 bytes).
constexpr size_t kSlack = 4;

#if defined(__SSE2__)
constexpr size_t kAsciiBlock = 16;

// Writes the normalization of the sixteen bytes at p to o when it is simple:
// all ASCII (so only A-Z fold and \t..\r become ' ') and no space that
// collapses into the one before it (`after_space`: output empty or ending in
// ' '). Returns false, writing nothing, otherwise.
inline bool AsciiBlock(const unsigned char* p, bool after_space, char* o) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  if (_mm_movemask_epi8(v) != 0) return false;
  auto in_range = [&](char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  const __m128i ws = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), in_range('\t', '\r'));
  const auto spaces = static_cast<unsigned>(_mm_movemask_epi8(ws));
  if ((spaces & ((spaces << 1) | static_cast<unsigned>(after_space))) != 0) return false;
  const __m128i lower = _mm_add_epi8(v, _mm_and_si128(in_range('A', 'Z'), _mm_set1_epi8(0x20)));
  const __m128i out =
      _mm_or_si128(_mm_andnot_si128(ws, lower), _mm_and_si128(ws, _mm_set1_epi8(' ')));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(o), out);
  return true;
}
#endif

#if LINKWATCH_WIDE_NORMALIZE
// The wide path: 64 bytes at a time with AVX-512 (BW for byte masks, VBMI for
// 128-byte table lookups, VBMI2 for compressing the output), chosen at run
// time. It takes text made of ASCII and the two-byte characters U+0400..U+04FF
// (lead bytes D0..D3: Russian, Kazakh and the other Cyrillic letters), which
// is what most pages in these languages consist of; a block stops before the
// first other character, which the narrow paths below handle.
//
// Images of that range: ASCII maps to ASCII (A-Z fold, white space is a
// space that may collapse); U+0400..U+04FF map to one ASCII byte (look-alikes)
// or to two bytes in the same range. Nothing in it is removed, so white space
// is only ever preceded by ASCII, and collapsing needs only the byte before.
constexpr size_t kWideBlock = 64;
constexpr char32_t kWideFirst = 0x400;  // first code point of lead D0
constexpr size_t kWideCount = 0x100;    // code points of leads D0..D3

struct WideTables {
  // Index: the ASCII byte.
  std::array<uint8_t, 0x80> ascii{};
  // Index: code point - kWideFirst, i.e. ((lead & 3) << 6) | (cont & 0x3F).
  // `lead` is the image's lead byte, 0 when the image is one ASCII byte,
  // which `cont` then holds; otherwise `cont` is the image's second byte.
  std::array<uint8_t, kWideCount> lead{};
  std::array<uint8_t, kWideCount> cont{};
};

constexpr WideTables BuildWideTables(bool confusables) {
  WideTables w;
  for (char32_t c = 0; c < 0x80; ++c) {
    const Mapped m = MapCodePoint(c, confusables);
    w.ascii[c] = static_cast<uint8_t>(m.kind == MapKind::kKeep ? m.cp : ' ');
    if (m.kind == MapKind::kRemove || m.cp >= 0x80) throw "ASCII must map to ASCII";
  }
  for (size_t k = 0; k < kWideCount; ++k) {
    const Mapped m = MapCodePoint(kWideFirst + static_cast<char32_t>(k), confusables);
    if (m.kind != MapKind::kKeep || m.cp >= 0x800) throw "U+0400..U+04FF must map to 1-2 bytes";
    w.lead[k] = static_cast<uint8_t>(m.cp < 0x80 ? 0 : 0xC0 | (m.cp >> 6));
    w.cont[k] = static_cast<uint8_t>(m.cp < 0x80 ? m.cp : 0x80 | (m.cp & 0x3F));
  }
  return w;
}

constexpr WideTables kWidePlain = BuildWideTables(false);
constexpr WideTables kWideConfusable = BuildWideTables(true);

#define LW_WIDE_TARGET __attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vbmi2,bmi,lzcnt,popcnt")))

// Normalizes whole blocks of 64 bytes from p[0..n) into *o while they consist
// of wide-path characters; returns the bytes consumed (a multiple of nothing:
// the last block may stop early, before a character it does not take).
// `*after_space`: the output is empty or ends in ' '. Needs n > 64 for each
// block (it reads one byte past it) and 64 writable bytes at *o beyond the
// output, which is never longer than the input consumed.
LW_WIDE_TARGET size_t WideBlocks(const unsigned char* p, size_t n, const WideTables& w,
                                 char** o_inout, const char* o_end, bool* after_space) {
  const __m512i ascii_lo = _mm512_loadu_si512(w.ascii.data());
  const __m512i ascii_hi = _mm512_loadu_si512(w.ascii.data() + 64);
  const __m512i lead_t[4] = {
      _mm512_loadu_si512(w.lead.data()), _mm512_loadu_si512(w.lead.data() + 64),
      _mm512_loadu_si512(w.lead.data() + 128), _mm512_loadu_si512(w.lead.data() + 192)};
  const __m512i cont_t[4] = {
      _mm512_loadu_si512(w.cont.data()), _mm512_loadu_si512(w.cont.data() + 64),
      _mm512_loadu_si512(w.cont.data() + 128), _mm512_loadu_si512(w.cont.data() + 192)};
  // Byte k of `previous` is k - 1: moves each lead's image to its continuation.
  alignas(64) static constexpr auto kPrevious = [] {
    std::array<uint8_t, 64> a{};
    for (size_t k = 1; k < 64; ++k) a[k] = static_cast<uint8_t>(k - 1);
    return a;
  }();
  const __m512i previous = _mm512_load_si512(kPrevious.data());
  char* o = *o_inout;
  bool space = *after_space;
  size_t i = 0;
  while (i + kWideBlock < n && o + kWideBlock <= o_end) {
    const __m512i v = _mm512_loadu_si512(p + i);
    const __m512i next = _mm512_loadu_si512(p + i + 1);
    const __mmask64 high = _mm512_movepi8_mask(v);
    const __mmask64 cont = _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, _mm512_set1_epi8('\xC0')),
                                                  _mm512_set1_epi8('\x80'));
    const __mmask64 lead = _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, _mm512_set1_epi8('\xFC')),
                                                  _mm512_set1_epi8('\xD0'));
    const uint64_t bad = (high & ~cont & ~lead)  // other non-ASCII bytes
                         | (cont & ~(lead << 1))  // continuation without its lead
                         | (lead & ~(cont >> 1));  // lead without continuation (or at byte 63)
    const size_t good = bad == 0 ? kWideBlock : static_cast<size_t>(_tzcnt_u64(bad));
    if (good == 0) break;
    const uint64_t valid = good == kWideBlock ? ~uint64_t{0} : (uint64_t{1} << good) - 1;

    const __m512i ascii = _mm512_permutex2var_epi8(ascii_lo, v, ascii_hi);
    // Table index at each lead: bit 7 from the lead's bit 1, bit 6 from its
    // bit 0, bits 0-5 from the continuation; permutex2var uses bits 0-6.
    const __m512i index = _mm512_or_si512(
        _mm512_and_si512(_mm512_slli_epi16(v, 6), _mm512_set1_epi8(0x40)),
        _mm512_and_si512(next, _mm512_set1_epi8(0x3F)));
    const __mmask64 upper = _mm512_test_epi8_mask(v, _mm512_set1_epi8(2));
    const __m512i img_lead =
        _mm512_mask_blend_epi8(upper, _mm512_permutex2var_epi8(lead_t[0], index, lead_t[1]),
                               _mm512_permutex2var_epi8(lead_t[2], index, lead_t[3]));
    const __m512i img_cont =
        _mm512_mask_blend_epi8(upper, _mm512_permutex2var_epi8(cont_t[0], index, cont_t[1]),
                               _mm512_permutex2var_epi8(cont_t[2], index, cont_t[3]));
    const __mmask64 single = lead & _mm512_testn_epi8_mask(img_lead, img_lead);  // image is ASCII
    __m512i out = ascii;
    out = _mm512_mask_mov_epi8(out, lead & ~single, img_lead);
    out = _mm512_mask_mov_epi8(out, single, img_cont);
    out = _mm512_mask_permutexvar_epi8(out, cont, previous, img_cont);

    const uint64_t white = ~high & _mm512_cmpeq_epi8_mask(ascii, _mm512_set1_epi8(' '));
    const uint64_t keep = valid & ~(white & ((white << 1) | uint64_t{space})) & ~(single << 1);
    _mm512_storeu_si512(o, _mm512_maskz_compress_epi8(keep, out));
    o += _mm_popcnt_u64(keep);
    if (keep != 0) space = (white >> (63 - _lzcnt_u64(keep))) & 1;
    i += good;
    if (good != kWideBlock) break;
  }
  *o_inout = o;
  *after_space = space;
  return i;
}

bool CpuHasWide() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vbmi2") &&
           __builtin_cpu_supports("bmi") && __builtin_cpu_supports("lzcnt") &&
           __builtin_cpu_supports("popcnt");
  }();
  return has;
}
#else
bool CpuHasWide() { return false; }
#endif

// Normalizes `in` into out[0..capacity); returns the length written, or
// SIZE_MAX if the output would not fit. Branches on ASCII versus two-byte
// characters are cheaper here than branch-free code: the branch predictor
// keeps the loop index off the critical path (measured).
size_t NormalizeRaw(std::string_view in, const NormalizeOptions& options, char* out,
                    size_t capacity, [[maybe_unused]] bool wide) {
  const Table& t = options.map_confusables ? kConfusableTable : kPlainTable;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  char* o = out;
  char* const limit = out + capacity - kSlack;
#if defined(__SSE2__)
  size_t next_block = 0;  // where to try the block path again
#endif
#if LINKWATCH_WIDE_NORMALIZE
  const WideTables& w = options.map_confusables ? kWideConfusable : kWidePlain;
  size_t next_wide = 0;  // where to try the wide path again
#endif
  for (size_t i = 0; i < n;) {
#if LINKWATCH_WIDE_NORMALIZE
    if (wide && i >= next_wide && i + kWideBlock < n) {
      bool after_space = o == out || o[-1] == ' ';
      const size_t used = WideBlocks(p + i, n - i, w, &o, out + capacity, &after_space);
      i += used;
      // Stopped before a character it does not take: let the narrow paths
      // have the next sixteen bytes.
      next_wide = i + kAsciiBlock;
      if (i >= n) break;
    }
#endif
#if defined(__SSE2__)
    if (i >= next_block && i + kAsciiBlock <= n && o + kAsciiBlock <= limit + kSlack) {
      if (AsciiBlock(p + i, o == out || o[-1] == ' ', o)) {
        i += kAsciiBlock;
        o += kAsciiBlock;
        continue;
      }
      next_block = i + kAsciiBlock;
    }
#endif
    if (o > limit) return SIZE_MAX;
    const uint32_t b0 = p[i];
    uint32_t e;
    if (b0 < 0x80) {
      e = t[b0];
      i += 1;
    } else if (b0 - 0xC2u <= 0xDFu - 0xC2u && i + 1 < n && IsContinuationByte(p[i + 1])) {
      e = t[((b0 & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu)];
      i += 2;
    } else {
      const Unit u = NextUnit(p, n, &i, t, options.map_confusables);
      if (u.kind == kPlain) Store(o, u.bytes), o += u.len;
      if (u.kind == kSpace && o != out && o[-1] != ' ') *o++ = ' ';
      continue;
    }
    if (e < (1u << kKindShift)) {  // plain: bytes, then the length in the third byte
      Store(o, e);
      o += e >> kLenShift;
    } else if ((e >> kKindShift) == kSpace && o != out && o[-1] != ' ') {
      *o++ = ' ';
    }
  }
  if (o != out && o[-1] == ' ') --o;
  return static_cast<size_t>(o - out);
}

// Tracks output positions and resolves the spans asked for.
class SpanSink {
 public:
  SpanSink(const std::vector<Span>& want, size_t original_size)
      : want_(want), got_(want.size(), Span{original_size, original_size}) {
    for (const Span& s : want) last_ = std::max(last_, s.end);
  }
  // Whether every span is resolved: the output has passed the last end.
  bool done() const { return out_ >= last_ && !want_.empty(); }
  void Put(unsigned len, size_t in_begin, size_t in_end) {
    for (size_t k = 0; k < want_.size(); ++k) {
      if (want_[k].begin >= out_ && want_[k].begin < out_ + len) got_[k].begin = in_begin;
      if (want_[k].end > out_ && want_[k].end <= out_ + len) got_[k].end = in_end;
    }
    out_ += len;
    last_space_ = false;
  }
  void PutSpace(size_t in_begin, size_t in_end) {
    if (out_ == 0 || last_space_) return;
    Put(1, in_begin, in_end);
    last_space_ = true;
  }
  std::vector<Span> Take() && {
    for (size_t k = 0; k < want_.size(); ++k) {
      if (want_[k].end <= want_[k].begin) got_[k].end = got_[k].begin;  // empty match
    }
    return std::move(got_);
  }

 private:
  const std::vector<Span>& want_;
  std::vector<Span> got_;
  size_t out_ = 0;
  size_t last_ = 0;
  bool last_space_ = false;
};

}  // namespace

bool HasWideNormalize() { return CpuHasWide(); }

std::string_view NormalizeInto(std::string_view in, const NormalizeOptions& options,
                               std::string* buffer, NormalizePath path) {
  // Output is rarely longer than input: only a repaired byte grows (to three).
  for (size_t capacity : {in.size() + kSlack, 3 * in.size() + kSlack}) {
    if (buffer->size() < capacity) buffer->resize(capacity);
    const size_t len = NormalizeRaw(in, options, buffer->data(), buffer->size(),
                                    path == NormalizePath::kAuto && CpuHasWide());
    if (len != SIZE_MAX) return {buffer->data(), len};
  }
  assert(false && "three bytes per input byte always suffice");
  return {};
}

std::vector<Span> MapToOriginal(std::string_view original, const NormalizeOptions& options,
                                const std::vector<Span>& normalized) {
  const Table& t = options.map_confusables ? kConfusableTable : kPlainTable;
  const auto* p = reinterpret_cast<const unsigned char*>(original.data());
  SpanSink sink(normalized, original.size());
  for (size_t i = 0; i < original.size() && !sink.done();) {
    const size_t begin = i;
    const Unit u = NextUnit(p, original.size(), &i, t, options.map_confusables);
    if (u.kind == kPlain) sink.Put(u.len, begin, i);
    if (u.kind == kSpace) sink.PutSpace(begin, i);
  }
  return std::move(sink).Take();
}

Span WidenSpan(std::string_view text, Span span, int chars) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t b = span.begin;
  for (int k = 0; k < chars && b > 0; ++k) {
    --b;
    for (int cont = 0; cont < 3 && b > 0 && IsContinuationByte(p[b]); ++cont) --b;
  }
  size_t e = span.end;
  for (int k = 0; k < chars && e < text.size(); ++k) e += DecodeUtf8(p + e, text.size() - e).len;
  return {b, e};
}

std::string CleanForDisplay(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::string out;
  bool pending_space = false;
  for (size_t i = 0; i < text.size();) {
    const Decoded d = DecodeUtf8(p + i, text.size() - i);
    i += d.len;
    if (IsSpace(d.cp)) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    AppendUtf8(&out, d.cp);
  }
  return out;
}

}  // namespace internal

std::string Normalize(std::string_view utf8, const NormalizeOptions& options) {
  std::string out;
  out.resize(internal::NormalizeInto(utf8, options, &out).size());
  return out;
}

}  // namespace linkwatch::matcher
