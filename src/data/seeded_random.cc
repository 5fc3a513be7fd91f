#include "data/seeded_random.h"

#include <cassert>
#include <utility>

namespace modelhost::data {

uint64_t UniformBelow(std::mt19937_64& engine, uint64_t bound) {
  assert(bound > 0);
  // 2^64 mod bound, computed without 2^64: (2^64 − bound) mod bound.
  const uint64_t excess = (0 - bound) % bound;
  const uint64_t limit = UINT64_MAX - excess;  // accept draws <= limit
  uint64_t draw = engine();
  while (draw > limit) draw = engine();
  return draw % bound;
}

void ShuffleRows(std::span<size_t> rows, std::mt19937_64& engine) {
  for (size_t index = rows.size(); index > 1; --index) {
    std::swap(rows[index - 1], rows[UniformBelow(engine, index)]);
  }
}

}  // namespace modelhost::data
