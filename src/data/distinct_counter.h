// DistinctCounter: the number of distinct values in a stream of 64-bit keys
// (a number's bit pattern), exact up to a bound and a HyperLogLog estimate
// beyond it, mergeable either way.
//
// Exact mode keeps the set of keys seen. When it would hold more than
// Options::exact_limit keys, every key is hashed into a HyperLogLog of 2^14
// one-byte registers (Flajolet et al. 2007; 16 KiB; relative standard error
// 1.04 / √16384 ≈ 0.81 %), with linear counting for small estimates, and the
// set is freed. Keys are hashed with Mix64 (seeded_random.h), so estimates
// are the same on any machine.
//
// Thread-safety: a value type; one instance belongs to one thread.

#ifndef MODELHOST_DATA_DISTINCT_COUNTER_H_
#define MODELHOST_DATA_DISTINCT_COUNTER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "data/key_set.h"

namespace modelhost::data {

class DistinctCounter {
 public:
  struct Options {
    // Distinct keys counted exactly; one more switches to HyperLogLog.
    // Default 100,000.
    size_t exact_limit = 100000;
  };

  DistinctCounter() : DistinctCounter(Options{}) {}
  explicit DistinctCounter(Options options) : options_(options) {}

  void Add(uint64_t key);
  // Add for each of `keys`, in order (faster than one by one).
  void Add(std::span<const uint64_t> keys);

  // Counts every key `other` has seen. REQUIRES: the same Options.
  void Merge(const DistinctCounter& other);

  // False until more than exact_limit distinct keys have been seen.
  bool approximate() const { return !registers_.empty(); }
  // Exact while !approximate(), else the HyperLogLog estimate (rounded).
  uint64_t Count() const;

  // The key of a double: its bit pattern, with −0.0 folded into +0.0 so that
  // values that compare equal count once. REQUIRES: not NaN.
  static uint64_t KeyOf(double value);

 private:
  void SwitchToEstimate();
  void AddToRegisters(uint64_t key);

  Options options_;
  KeySet exact_keys_;               // while !approximate()
  std::vector<uint8_t> registers_;  // HyperLogLog, once approximate()
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_DISTINCT_COUNTER_H_
