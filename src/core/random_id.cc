#include "core/random_id.h"

#include <cstdint>
#include <random>

namespace modelhost::core {

std::string RandomId(std::string_view prefix) {
  // One generator per thread, seeded from the OS, so threads and processes
  // draw different sequences without sharing a lock.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = generator();
  std::string id(prefix);
  for (int shift = 60; shift >= 0; shift -= 4) id += kHex[(bits >> shift) & 0xF];
  return id;
}

}  // namespace modelhost::core
