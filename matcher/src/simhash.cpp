#include "linkwatch/matcher/simhash.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

#include "linkwatch/base/sha256.h"
#include "simhash_words.h"

namespace linkwatch::matcher {
namespace {

// kSpread[b] has byte i equal to bit i of b: adding it to a word of eight
// byte-wide counters counts the bits of one hash byte at once.
constexpr std::array<uint64_t, 256> MakeSpread() {
  std::array<uint64_t, 256> t{};
  for (unsigned b = 0; b < 256; ++b) {
    for (unsigned i = 0; i < 8; ++i) t[b] |= static_cast<uint64_t>((b >> i) & 1) << (8 * i);
  }
  return t;
}
constexpr std::array<uint64_t, 256> kSpread = MakeSpread();

// Per-bit counts of the shingle hashes. Byte-wide counters are flushed into
// the wide ones before they can overflow.
class BitCounter {
 public:
  void Add(uint64_t h) {
    for (int j = 0; j < 8; ++j) lanes_[j] += kSpread[(h >> (8 * j)) & 0xFF];
    ++total_;
    if (++pending_ == kMaxPending) Flush();
  }

  uint64_t Finish() {
    Flush();
    uint64_t out = 0;
    for (int bit = 0; bit < 64; ++bit) {
      if (2 * counts_[bit] > total_) out |= uint64_t{1} << bit;
    }
    return out;
  }

 private:
  static constexpr int kMaxPending = 255;  // a byte counter holds up to 255

  void Flush() {
    for (int j = 0; j < 8; ++j) {
      for (int i = 0; i < 8; ++i) counts_[8 * j + i] += (lanes_[j] >> (8 * i)) & 0xFF;
      lanes_[j] = 0;
    }
    pending_ = 0;
  }

  uint64_t lanes_[8] = {};
  uint64_t counts_[64] = {};
  uint64_t total_ = 0;
  int pending_ = 0;
};

// The last `k` words seen, oldest first when read from `next`.
class ShingleWindow {
 public:
  explicit ShingleWindow(size_t k) : words_(k) {}

  void Push(std::string_view w) {
    words_[seen_ % words_.size()] = w;
    ++seen_;
  }
  size_t seen() const { return seen_; }
  bool full() const { return seen_ >= words_.size(); }

  // The words in the window joined by one space.
  uint64_t Hash() {
    const size_t count = std::min(seen_, words_.size());
    joined_.clear();
    for (size_t i = seen_ - count; i < seen_; ++i) {
      if (!joined_.empty()) joined_ += ' ';
      joined_ += words_[i % words_.size()];
    }
    return XXH3_64bits(joined_.data(), joined_.size());
  }

 private:
  std::vector<std::string_view> words_;
  size_t seen_ = 0;
  std::string joined_;
};

}  // namespace

std::string Fingerprint(std::string_view normalized_text) { return Sha256Hex(normalized_text); }

uint64_t SimHash(std::string_view normalized_text, int shingle_words) {
  ShingleWindow window(static_cast<size_t>(std::max(shingle_words, 1)));
  BitCounter counter;
  internal::ForEachWord(normalized_text, [&](std::string_view word) {
    window.Push(word);
    if (window.full()) counter.Add(window.Hash());
  });
  if (window.seen() == 0) return 0;
  if (!window.full()) counter.Add(window.Hash());
  return counter.Finish();
}

int HammingDistance(uint64_t a, uint64_t b) { return std::popcount(a ^ b); }

}  // namespace linkwatch::matcher
