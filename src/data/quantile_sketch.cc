#include "data/quantile_sketch.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace modelhost::data {
namespace {

// numpy's _lerp: exact at both ends and monotonic in t.
double Lerp(double a, double b, double t) {
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

std::vector<double> ExactQuantiles(std::vector<double> values,
                                   std::span<const double> probabilities) {
  std::sort(values.begin(), values.end());
  std::vector<double> result;
  result.reserve(probabilities.size());
  const double last = static_cast<double>(values.size() - 1);
  for (double q : probabilities) {
    const double h = q * last;
    const double floor_h = std::floor(h);
    const size_t lo = static_cast<size_t>(floor_h);
    const size_t hi = std::min(lo + 1, values.size() - 1);
    result.push_back(Lerp(values[lo], values[hi], h - floor_h));
  }
  return result;
}

}  // namespace

QuantileSketch::QuantileSketch(Options options) : options_(options) { assert(options_.kll_k >= 8); }

void QuantileSketch::Add(double value) {
  ++count_;
  if (!approximate()) {
    exact_values_.push_back(value);
    if (exact_values_.size() > options_.exact_limit) SwitchToSketch();
    return;
  }
  AddToSketch(value);
}

void QuantileSketch::SwitchToSketch() {
  compactors_.emplace_back();
  UpdateCapacities();
  std::vector<double> values = std::move(exact_values_);
  exact_values_ = {};
  for (double value : values) AddToSketch(value);
}

void QuantileSketch::AddToSketch(double value) {
  compactors_[0].push_back(value);
  if (++retained_ >= total_capacity_) CompressWhileOverCapacity();
}

// Level h of H holds max(8, ⌈k·(2/3)^(H−1−h)⌉) items: the top level k, each
// lower one two thirds of the one above (KLL's geometric capacities), and
// never under 8 — the "m" of the KLL paper, which keeps the lowest levels from
// compacting every other value.
void QuantileSketch::UpdateCapacities() {
  capacities_.resize(compactors_.size());
  total_capacity_ = 0;
  for (size_t level = 0; level < compactors_.size(); ++level) {
    const double depth = static_cast<double>(compactors_.size() - 1 - level);
    const double capacity =
        std::ceil(static_cast<double>(options_.kll_k) * std::pow(2.0 / 3.0, depth));
    capacities_[level] = std::max<size_t>(kMinCapacity, static_cast<size_t>(capacity));
    total_capacity_ += capacities_[level];
  }
}

// Lazily, as KLL implementations do: only when the sketch holds as many items
// as all its levels may, the lowest full level is compacted — sorted, every
// other item (from a random offset) promoted to the next level with twice the
// weight, the odd one out kept when the count is odd — until it holds fewer.
void QuantileSketch::CompressWhileOverCapacity() {
  while (retained_ >= total_capacity_) {
    size_t level = 0;
    while (level < compactors_.size() && compactors_[level].size() < capacities_[level]) ++level;
    if (level == compactors_.size()) return;  // no level is full (after a merge, say)
    if (level + 1 == compactors_.size()) {
      compactors_.emplace_back();
      UpdateCapacities();
    }
    std::vector<double>& items = compactors_[level];
    std::sort(items.begin(), items.end());
    std::optional<double> odd_one;
    if (items.size() % 2 == 1) {
      odd_one = items.back();
      items.pop_back();
    }
    std::vector<double>& above = compactors_[level + 1];
    const size_t before = items.size();
    for (size_t index = coin_() & 1U; index < items.size(); index += 2) {
      above.push_back(items[index]);
    }
    retained_ -= before / 2;  // half of the pairs' items leave, half go up
    items.clear();
    if (odd_one) items.push_back(*odd_one);
  }
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  if (other.count_ == 0) return;
  if (!approximate() && !other.approximate() &&
      exact_values_.size() + other.exact_values_.size() <= options_.exact_limit) {
    exact_values_.insert(exact_values_.end(), other.exact_values_.begin(),
                         other.exact_values_.end());
    count_ += other.count_;
    return;
  }
  if (!approximate()) SwitchToSketch();
  if (!other.approximate()) {
    for (double value : other.exact_values_) AddToSketch(value);
  } else {
    if (compactors_.size() < other.compactors_.size()) {
      compactors_.resize(other.compactors_.size());
      UpdateCapacities();
    }
    for (size_t level = 0; level < other.compactors_.size(); ++level) {
      compactors_[level].insert(compactors_[level].end(), other.compactors_[level].begin(),
                                other.compactors_[level].end());
      retained_ += other.compactors_[level].size();
    }
    CompressWhileOverCapacity();
  }
  count_ += other.count_;
}

std::vector<double> QuantileSketch::Quantiles(std::span<const double> probabilities) const {
  if (count_ == 0) {
    return std::vector<double>(probabilities.size(), std::numeric_limits<double>::quiet_NaN());
  }
  if (!approximate()) return ExactQuantiles(exact_values_, probabilities);

  std::vector<std::pair<double, uint64_t>> weighted;  // (value, weight)
  for (size_t level = 0; level < compactors_.size(); ++level) {
    for (double value : compactors_[level]) weighted.emplace_back(value, uint64_t{1} << level);
  }
  std::sort(weighted.begin(), weighted.end());
  uint64_t total = 0;
  for (const auto& item : weighted) total += item.second;
  std::vector<double> result;
  result.reserve(probabilities.size());
  for (double q : probabilities) {
    // The item whose span of (0-based) ranks covers q·(total − 1).
    const double target = q * static_cast<double>(total - 1);
    uint64_t below = 0;
    double answer = weighted.back().first;
    for (const auto& [value, weight] : weighted) {
      if (static_cast<double>(below + weight) > target) {
        answer = value;
        break;
      }
      below += weight;
    }
    result.push_back(answer);
  }
  return result;
}

}  // namespace modelhost::data
