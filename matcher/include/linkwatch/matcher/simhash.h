// Content fingerprints for clustering copies of the same material (issue 5):
// an exact fingerprint (SHA-256 of the normalized main text), a 64-bit SimHash
// over word shingles, and an index that finds stored SimHashes within a small
// Hamming distance without comparing the query with every entry.
//
// Pages with the same fingerprint, or SimHashes within max_distance, belong to
// one content cluster. All inputs are NORMALIZED text (see normalize.h): these
// functions do not fold case or map look-alikes themselves.
//
// The free functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace linkwatch::matcher {

inline constexpr int kDefaultShingleWords = 3;
inline constexpr int kDefaultMaxDistance = 3;
// SimHashIndex splits the 64 bits into max_distance + 1 bands; at 16 bands a
// band is 4 bits wide and the index no longer narrows anything down.
inline constexpr int kMaxIndexDistance = 15;

// Lower-case hex SHA-256 of `normalized_text` (64 characters).
std::string Fingerprint(std::string_view normalized_text);

// 64-bit SimHash of `normalized_text`:
//  - words are maximal runs of letters, digits and combining marks in any
//    script; everything else (spaces, punctuation, symbols, emoji, controls,
//    U+FFFD) separates words. Letters are approximated by "not listed as
//    punctuation/symbol/space": a few rare number forms (superscript digits,
//    Roman numeral signs) count as separators;
//  - each run of `shingle_words` consecutive words (words joined by one
//    space) is hashed with XXH3_64bits; every occurrence counts, so repeated
//    shingles weigh more;
//  - bit i of the result is 1 when more than half of the shingle hashes have
//    bit i set (a tie gives 0).
// A text with fewer words than `shingle_words` is one shingle of the words it
// has; a text without words gives 0. `shingle_words` < 1 is treated as 1.
//
// Expected distances: each bit of two SimHashes differs with probability
// about acos(c)/pi, c the cosine of their shingle counts; one changed word
// changes up to shingle_words shingles, so short texts move more. Measured
// (tests/matcher/simhash_test.cpp, 1000 random edits each): a 329-word article
// with 2 words changed has mean distance 2.9 (69% within 3), with 3 words 4.2
// (39% within 3); 100..140-word texts with 1 word changed 3.8..6.3. A sentence
// prepended or appended to the article: 0..3. Unrelated texts: 24..35.
uint64_t SimHash(std::string_view normalized_text, int shingle_words = kDefaultShingleWords);

// Number of differing bits (0..64).
int HammingDistance(uint64_t a, uint64_t b);

// Near-duplicate index over entries (key, simhash).
//
// Pigeonhole: the 64 bits are cut into max_distance + 1 bands (widths differ
// by at most one bit, e.g. 22/21/21 for distance 2); an entry within distance
// d <= max_distance agrees with the query on at least one whole band. Each
// band keeps a hash table from band value to the chain of entries with that
// value; a lookup walks the query's chain in every band and verifies each
// candidate with popcount. Candidates per lookup for n uniformly spread
// entries: about n * (max_distance + 1) / 2^(64 / (max_distance + 1)), e.g.
// ~61 for n = 1M at distance 3, ~31,000 for n = 1M at distance 7. Measured
// (bench/simhash_bench.cpp, 1M entries): ~4 us per lookup at distance 3, but
// ~1.1 ms at distance 7 -- slower than a sequential popcount scan (~0.5 ms),
// since chains are walked by random access. Keep max_distance small (<= 4)
// for large indexes.
//
// Memory per entry: 16 bytes (key, simhash) + 4 * (max_distance + 1) bytes of
// chain links + the key table (16 bytes per cell, load 3/8..3/4: 21..43
// bytes) + the band tables (16 bytes per cell for each distinct band value;
// bands of <= 16 bits have at most 65,536 values, so at 1M entries and
// distance 3 they cost ~1 byte per entry). About 60..80 bytes per entry at
// distance 3; MemoryBytes() reports the exact figure.
//
// Not thread-safe: const methods may run concurrently with each other, but
// not with Insert or Erase. One writer, or guard it.
class SimHashIndex {
 public:
  // REQUIRES: 0 <= max_distance <= kMaxIndexDistance (clamped otherwise).
  explicit SimHashIndex(int max_distance = kDefaultMaxDistance);
  ~SimHashIndex();
  SimHashIndex(SimHashIndex&&) noexcept;
  SimHashIndex& operator=(SimHashIndex&&) noexcept;
  SimHashIndex(const SimHashIndex&) = delete;
  SimHashIndex& operator=(const SimHashIndex&) = delete;

  // Adds the entry. REQUIRES: `key` is not in the index (asserted; a release
  // build replaces the old entry instead).
  void Insert(uint64_t key, uint64_t simhash);
  // Removes the entry with `key`; false when absent.
  bool Erase(uint64_t key);
  // The simhash stored for `key`, or nullopt.
  std::optional<uint64_t> Get(uint64_t key) const;

  // The nearest entry within max_distance as {key, distance} (ties: smallest
  // key), or nullopt when there is none.
  std::optional<std::pair<uint64_t, int>> FindNearest(uint64_t simhash) const;
  // Every entry within max_distance as {key, distance}, nearest first, then
  // by key.
  std::vector<std::pair<uint64_t, int>> FindAll(uint64_t simhash) const;

  size_t size() const;
  int max_distance() const;
  // Heap bytes held by the index (vector and table capacities).
  size_t MemoryBytes() const;

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

}  // namespace linkwatch::matcher
