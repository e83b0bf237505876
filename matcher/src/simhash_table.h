// A flat hash map from uint64_t to uint32_t for SimHashIndex (internal):
// open addressing with linear probing and backward-shift erase, 16 bytes per
// cell, load factor at most 3/4 (3/8..3/4 while only growing; it never
// shrinks). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace linkwatch::matcher::internal {

class FlatU64Map {
 public:
  static constexpr uint32_t kAbsent = 0xFFFFFFFFu;  // never stored as a value

  // The value for `key`, or kAbsent.
  uint32_t Find(uint64_t key) const {
    if (cells_.empty()) return kAbsent;
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      const Cell& c = cells_[i];
      if (c.value == kAbsent || c.key == key) return c.value;
    }
  }
  // The stored value for `key`, to update in place; nullptr when absent.
  // Valid until the next Set or Erase.
  uint32_t* FindMutable(uint64_t key);
  // Inserts or overwrites. REQUIRES: value != kAbsent.
  void Set(uint64_t key, uint32_t value);
  // Removes `key`; false when absent.
  bool Erase(uint64_t key);

  size_t size() const { return size_; }
  size_t MemoryBytes() const { return cells_.capacity() * sizeof(Cell); }

 private:
  struct Cell {
    uint64_t key = 0;
    uint32_t value = kAbsent;
  };
  static constexpr size_t kMinCells = 16;

  // splitmix64's finalizer: band values are a few bits wide, so mix them.
  size_t Home(uint64_t x) const {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return static_cast<size_t>(x) & mask_;
  }
  size_t Probe(uint64_t key) const;  // the cell holding `key` or the empty cell it would take
  void Grow();

  std::vector<Cell> cells_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace linkwatch::matcher::internal
