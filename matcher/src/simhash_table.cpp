#include "simhash_table.h"

#include <cassert>
#include <utility>

namespace linkwatch::matcher::internal {

size_t FlatU64Map::Probe(uint64_t key) const {
  size_t i = Home(key);
  while (cells_[i].value != kAbsent && cells_[i].key != key) i = (i + 1) & mask_;
  return i;
}

uint32_t* FlatU64Map::FindMutable(uint64_t key) {
  if (cells_.empty()) return nullptr;
  Cell& c = cells_[Probe(key)];
  return c.value == kAbsent ? nullptr : &c.value;
}

void FlatU64Map::Set(uint64_t key, uint32_t value) {
  assert(value != kAbsent);
  if ((size_ + 1) * 4 > cells_.size() * 3) Grow();
  Cell& c = cells_[Probe(key)];
  if (c.value == kAbsent) ++size_;
  c.key = key;
  c.value = value;
}

bool FlatU64Map::Erase(uint64_t key) {
  if (cells_.empty()) return false;
  size_t hole = Probe(key);
  if (cells_[hole].value == kAbsent) return false;
  // Backward shift: pull later cells of the probe run into the hole unless
  // their home lies after the hole (cyclically), so no run gets a gap.
  for (size_t j = (hole + 1) & mask_; cells_[j].value != kAbsent; j = (j + 1) & mask_) {
    const size_t home = Home(cells_[j].key);
    if (((j - home) & mask_) >= ((j - hole) & mask_)) {
      cells_[hole] = cells_[j];
      hole = j;
    }
  }
  cells_[hole] = Cell{};
  --size_;
  return true;
}

void FlatU64Map::Grow() {
  std::vector<Cell> old = std::exchange(cells_, {});
  cells_.resize(old.empty() ? kMinCells : 2 * old.size());
  mask_ = cells_.size() - 1;
  for (const Cell& c : old) {
    if (c.value != kAbsent) cells_[Probe(c.key)] = c;
  }
}

}  // namespace linkwatch::matcher::internal
