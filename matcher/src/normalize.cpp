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

// Normalizes `in` into out[0..capacity); returns the length written, or
// SIZE_MAX if the output would not fit. Branches on ASCII versus two-byte
// characters are cheaper here than branch-free code: the branch predictor
// keeps the loop index off the critical path (measured).
size_t NormalizeRaw(std::string_view in, const NormalizeOptions& options, char* out,
                    size_t capacity) {
  const Table& t = options.map_confusables ? kConfusableTable : kPlainTable;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  char* o = out;
  char* const limit = out + capacity - kSlack;
#if defined(__SSE2__)
  size_t next_block = 0;  // where to try the block path again
#endif
  for (size_t i = 0; i < n;) {
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

std::string_view NormalizeInto(std::string_view in, const NormalizeOptions& options,
                               std::string* buffer) {
  // Output is rarely longer than input: only a repaired byte grows (to three).
  for (size_t capacity : {in.size() + kSlack, 3 * in.size() + kSlack}) {
    if (buffer->size() < capacity) buffer->resize(capacity);
    const size_t len = NormalizeRaw(in, options, buffer->data(), buffer->size());
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
