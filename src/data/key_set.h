// KeySet: a set of 64-bit keys in one flat table — open addressing, linear
// probing, a power-of-two table at most half full, keys hashed with Mix64
// (seeded_random.h). What DistinctCounter's exact mode inserts once per value:
// a node-based std::unordered_set allocated per key and cost the profile
// of a large table more than its statistics.
//
// Thread-safety: a value type; one instance belongs to one thread.

#ifndef MODELHOST_DATA_KEY_SET_H_
#define MODELHOST_DATA_KEY_SET_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "data/seeded_random.h"

namespace modelhost::data {

class KeySet {
 public:
  size_t size() const { return size_; }

  // Adds `key`; nothing when it is there already.
  void Insert(uint64_t key) {
    if (key == kFree) {  // the one key a slot cannot hold: kept aside
      size_ += holds_free_key_ ? 0 : 1;
      holds_free_key_ = true;
      return;
    }
    if (2 * (size_ + 1) > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t at = Mix64(key) & mask;; at = (at + 1) & mask) {
      if (slots_[at] == key) return;
      if (slots_[at] == kFree) {
        slots_[at] = key;
        ++size_;
        return;
      }
    }
  }

  // Inserts keys from the front of `keys` while size() <= `limit`; returns
  // how many it took (all, or up to the one that made size() pass `limit`).
  // The same set as Insert one by one, faster on a table larger than the
  // caches: each key's slot is fetched from memory a few keys ahead.
  size_t InsertWhileAtMost(std::span<const uint64_t> keys, size_t limit) {
    constexpr size_t kAhead = 8;
    for (size_t index = 0; index < keys.size(); ++index) {
      if (index + kAhead < keys.size() && !slots_.empty()) {
        __builtin_prefetch(&slots_[Mix64(keys[index + kAhead]) & (slots_.size() - 1)]);
      }
      Insert(keys[index]);
      if (size_ > limit) return index + 1;
    }
    return keys.size();
  }

  // Calls visit(key) for every key, in no particular order.
  template <typename Visit>
  void ForEach(Visit visit) const {
    if (holds_free_key_) visit(kFree);
    for (uint64_t key : slots_) {
      if (key != kFree) visit(key);
    }
  }

 private:
  static constexpr uint64_t kFree = std::numeric_limits<uint64_t>::max();

  void Grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : 2 * old.size(), kFree);
    const size_t mask = slots_.size() - 1;
    for (uint64_t key : old) {
      if (key == kFree) continue;
      size_t at = Mix64(key) & mask;
      while (slots_[at] != kFree) at = (at + 1) & mask;
      slots_[at] = key;
    }
  }

  std::vector<uint64_t> slots_;
  size_t size_ = 0;
  bool holds_free_key_ = false;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_KEY_SET_H_
