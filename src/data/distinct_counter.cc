#include "data/distinct_counter.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "data/seeded_random.h"

namespace modelhost::data {
namespace {

constexpr int kPrecision = 14;
constexpr size_t kRegisters = size_t{1} << kPrecision;

}  // namespace

uint64_t DistinctCounter::KeyOf(double value) {
  return std::bit_cast<uint64_t>(value == 0.0 ? 0.0 : value);
}

void DistinctCounter::Add(uint64_t key) {
  if (approximate()) {
    AddToRegisters(key);
    return;
  }
  exact_keys_.Insert(key);
  if (exact_keys_.size() > options_.exact_limit) SwitchToEstimate();
}

void DistinctCounter::Add(std::span<const uint64_t> keys) {
  if (!approximate()) {
    const size_t taken = exact_keys_.InsertWhileAtMost(keys, options_.exact_limit);
    if (exact_keys_.size() <= options_.exact_limit) return;
    SwitchToEstimate();
    keys = keys.subspan(taken);
  }
  for (uint64_t key : keys) AddToRegisters(key);
}

void DistinctCounter::SwitchToEstimate() {
  registers_.assign(kRegisters, 0);
  exact_keys_.ForEach([this](uint64_t key) { AddToRegisters(key); });
  exact_keys_ = {};
}

void DistinctCounter::AddToRegisters(uint64_t key) {
  const uint64_t hash = Mix64(key);
  const size_t index = hash >> (64 - kPrecision);
  // Position of the first 1 bit among the remaining 50 bits (1-based).
  const uint64_t rest = hash << kPrecision;
  const uint8_t rank = static_cast<uint8_t>(std::min(std::countl_zero(rest), 64 - kPrecision) + 1);
  registers_[index] = std::max(registers_[index], rank);
}

void DistinctCounter::Merge(const DistinctCounter& other) {
  if (!approximate() && !other.approximate()) {
    other.exact_keys_.ForEach([this](uint64_t key) { exact_keys_.Insert(key); });
    if (exact_keys_.size() > options_.exact_limit) SwitchToEstimate();
    return;
  }
  if (!approximate()) SwitchToEstimate();
  if (other.approximate()) {
    for (size_t index = 0; index < kRegisters; ++index) {
      registers_[index] = std::max(registers_[index], other.registers_[index]);
    }
  } else {
    other.exact_keys_.ForEach([this](uint64_t key) { AddToRegisters(key); });
  }
}

uint64_t DistinctCounter::Count() const {
  if (!approximate()) return exact_keys_.size();
  const double m = static_cast<double>(kRegisters);
  double inverse_sum = 0.0;
  size_t zero_registers = 0;
  for (uint8_t rank : registers_) {
    inverse_sum += std::ldexp(1.0, -rank);
    if (rank == 0) ++zero_registers;
  }
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double estimate = alpha * m * m / inverse_sum;
  // Small range: linear counting is the better estimator (Flajolet et al. §4).
  if (estimate <= 2.5 * m && zero_registers > 0) {
    estimate = m * std::log(m / static_cast<double>(zero_registers));
  }
  return static_cast<uint64_t>(std::llround(estimate));
}

}  // namespace modelhost::data
