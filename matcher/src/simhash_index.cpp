// SimHashIndex: max_distance + 1 bands, each a table from band value to the
// head of an intrusive chain of entry slots. Entries live densely in slots
// 0..size-1; Erase moves the last entry into the freed slot.
#include <algorithm>
#include <bit>
#include <cassert>

#include "linkwatch/matcher/simhash.h"
#include "simhash_table.h"

namespace linkwatch::matcher {
namespace {

using internal::FlatU64Map;
constexpr uint32_t kEnd = FlatU64Map::kAbsent;  // end of a chain
constexpr int kBits = 64;

struct Band {
  int shift = 0;
  uint64_t mask = 0;  // of the band value, before shifting
  FlatU64Map heads;   // band value -> first slot of its chain
  std::vector<uint32_t> next;  // slot -> next slot with the same band value

  uint64_t Value(uint64_t simhash) const { return (simhash >> shift) & mask; }
  uint64_t PositionedMask() const { return mask << shift; }
};

// Widths differ by at most one bit; the first 64 % count bands are wider.
std::vector<Band> MakeBands(int count) {
  std::vector<Band> bands(static_cast<size_t>(count));
  int shift = 0;
  for (int i = 0; i < count; ++i) {
    const int width = kBits / count + (i < kBits % count ? 1 : 0);
    bands[static_cast<size_t>(i)].shift = shift;
    bands[static_cast<size_t>(i)].mask = width == kBits ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    shift += width;
  }
  assert(shift == kBits);
  return bands;
}

}  // namespace

struct SimHashIndex::Rep {
  int max_distance = 0;
  std::vector<Band> bands;
  std::vector<uint64_t> keys;    // by slot
  std::vector<uint64_t> hashes;  // by slot
  FlatU64Map slot_of;            // key -> slot

  // Calls fn(slot, distance) once for every entry within max_distance. The
  // bands' chains are walked side by side, one step each in turn: each step
  // is a cache miss, and independent misses overlap.
  template <class Fn>
  void Visit(uint64_t query, Fn&& fn) const {
    uint32_t cursor[kMaxIndexDistance + 1];
    for (size_t b = 0; b < bands.size(); ++b) cursor[b] = bands[b].heads.Find(bands[b].Value(query));
    for (bool more = true; more;) {
      more = false;
      for (size_t b = 0; b < bands.size(); ++b) {
        const uint32_t s = cursor[b];
        if (s == kEnd) continue;
        cursor[b] = bands[b].next[s];
        more = more || cursor[b] != kEnd;
        const uint64_t diff = hashes[s] ^ query;
        const int distance = std::popcount(diff);
        if (distance <= max_distance && !AgreesOnEarlierBand(diff, b)) fn(s, distance);
      }
    }
  }

  // An entry that agrees on an earlier band was reported there already.
  bool AgreesOnEarlierBand(uint64_t diff, size_t band) const {
    for (size_t e = 0; e < band; ++e) {
      if ((diff & bands[e].PositionedMask()) == 0) return true;
    }
    return false;
  }

  void Link(uint32_t slot) {
    for (Band& band : bands) {
      const uint64_t v = band.Value(hashes[slot]);
      band.next.push_back(kEnd);
      if (uint32_t* head = band.heads.FindMutable(v)) {
        band.next[slot] = *head;
        *head = slot;
      } else {
        band.heads.Set(v, slot);
      }
    }
  }

  // The link that points at `slot` in its chain: the table head or a `next`.
  static uint32_t* LinkTo(Band& band, uint64_t value, uint32_t slot) {
    uint32_t* link = band.heads.FindMutable(value);
    assert(link != nullptr);
    while (*link != slot) link = &band.next[*link];
    return link;
  }

  void Unlink(uint32_t slot) {
    for (Band& band : bands) {
      const uint64_t v = band.Value(hashes[slot]);
      uint32_t* link = LinkTo(band, v, slot);
      const bool only = band.next[slot] == kEnd && link == band.heads.FindMutable(v);
      if (only) {
        band.heads.Erase(v);
      } else {
        *link = band.next[slot];
      }
    }
  }

  // Renames slot `from` (the last one) to `to` in every chain and drops it.
  void Move(uint32_t from, uint32_t to) {
    for (Band& band : bands) {
      *LinkTo(band, band.Value(hashes[from]), from) = to;
      band.next[to] = band.next[from];
    }
    keys[to] = keys[from];
    hashes[to] = hashes[from];
    slot_of.Set(keys[to], to);
  }

  void PopLast() {
    for (Band& band : bands) band.next.pop_back();
    keys.pop_back();
    hashes.pop_back();
  }
};

SimHashIndex::SimHashIndex(int max_distance) : rep_(std::make_unique<Rep>()) {
  assert(max_distance >= 0 && max_distance <= kMaxIndexDistance);
  rep_->max_distance = std::clamp(max_distance, 0, kMaxIndexDistance);
  rep_->bands = MakeBands(rep_->max_distance + 1);
}

SimHashIndex::~SimHashIndex() = default;
SimHashIndex::SimHashIndex(SimHashIndex&&) noexcept = default;
SimHashIndex& SimHashIndex::operator=(SimHashIndex&&) noexcept = default;

void SimHashIndex::Insert(uint64_t key, uint64_t simhash) {
  const bool present = rep_->slot_of.Find(key) != kEnd;
  assert(!present && "SimHashIndex::Insert: key inserted twice");
  if (present) Erase(key);
  const auto slot = static_cast<uint32_t>(rep_->keys.size());
  assert(slot != kEnd);
  rep_->keys.push_back(key);
  rep_->hashes.push_back(simhash);
  rep_->slot_of.Set(key, slot);
  rep_->Link(slot);
}

bool SimHashIndex::Erase(uint64_t key) {
  const uint32_t slot = rep_->slot_of.Find(key);
  if (slot == kEnd) return false;
  rep_->Unlink(slot);
  const auto last = static_cast<uint32_t>(rep_->keys.size() - 1);
  if (slot != last) rep_->Move(last, slot);
  rep_->PopLast();
  rep_->slot_of.Erase(key);
  return true;
}

std::optional<uint64_t> SimHashIndex::Get(uint64_t key) const {
  const uint32_t slot = rep_->slot_of.Find(key);
  if (slot == kEnd) return std::nullopt;
  return rep_->hashes[slot];
}

std::optional<std::pair<uint64_t, int>> SimHashIndex::FindNearest(uint64_t simhash) const {
  std::optional<std::pair<uint64_t, int>> best;
  rep_->Visit(simhash, [&](uint32_t slot, int distance) {
    const uint64_t key = rep_->keys[slot];
    if (!best || distance < best->second || (distance == best->second && key < best->first)) {
      best.emplace(key, distance);
    }
  });
  return best;
}

std::vector<std::pair<uint64_t, int>> SimHashIndex::FindAll(uint64_t simhash) const {
  std::vector<std::pair<uint64_t, int>> found;
  rep_->Visit(simhash, [&](uint32_t slot, int distance) {
    found.emplace_back(rep_->keys[slot], distance);
  });
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  return found;
}

size_t SimHashIndex::size() const { return rep_->keys.size(); }
int SimHashIndex::max_distance() const { return rep_->max_distance; }

size_t SimHashIndex::MemoryBytes() const {
  size_t bytes = sizeof(Rep) + rep_->bands.capacity() * sizeof(Band);
  bytes += (rep_->keys.capacity() + rep_->hashes.capacity()) * sizeof(uint64_t);
  bytes += rep_->slot_of.MemoryBytes();
  for (const Band& band : rep_->bands) {
    bytes += band.heads.MemoryBytes() + band.next.capacity() * sizeof(uint32_t);
  }
  return bytes;
}

}  // namespace linkwatch::matcher
