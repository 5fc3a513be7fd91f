// Seeded randomness for module data that gives the same numbers on every
// machine: std::mt19937_64 (whose output sequence the C++ standard fixes)
// followed by our own mappings, because the std:: distributions' outputs
// (std::uniform_int_distribution, std::shuffle) are implementation-defined.
// Used by the train/validation/test split and the batch loader's shuffles.
//
// Thread-safety: pure functions; an engine belongs to one thread.

#ifndef MODELHOST_DATA_SEEDED_RANDOM_H_
#define MODELHOST_DATA_SEEDED_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>

namespace modelhost::data {

// splitmix64's finalizer (Steele, Lea & Flood 2014): a bijection of 64-bit
// words whose every output bit depends on every input bit. A hash for keys
// and the way to derive independent seeds (say, one per epoch). Inline: the
// profile hashes every value with it.
inline uint64_t Mix64(uint64_t value) {
  value ^= value >> 30;
  value *= 0xbf58476d1ce4e5b9ULL;
  value ^= value >> 27;
  value *= 0x94d049bb133111ebULL;
  value ^= value >> 31;
  return value;
}

// Uniform in [0, bound), without modulo bias: draws are rejected while they
// fall in the incomplete last copy of [0, bound). REQUIRES: bound > 0.
uint64_t UniformBelow(std::mt19937_64& engine, uint64_t bound);

// Fisher–Yates from the back: for i = n−1 … 1, swap rows[i] with
// rows[UniformBelow(engine, i + 1)].
void ShuffleRows(std::span<size_t> rows, std::mt19937_64& engine);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_SEEDED_RANDOM_H_
