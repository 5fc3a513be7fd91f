#include "data/running_moments.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace modelhost::data {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

void RunningMoments::Add(double value) {
  if (count_ == 0) {
    min_ = max_ = value;
    shift_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  ++count_;
  const double shifted = value - shift_;
  const double delta = shifted - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (shifted - mean_);
}

void RunningMoments::Add(std::span<const double> values) {
  constexpr size_t kBlock = 1024;
  for (size_t start = 0; start < values.size(); start += kBlock) {
    const std::span<const double> block =
        values.subspan(start, std::min(kBlock, values.size() - start));
    if (count_ == 0) shift_ = block[0];
    const double shift = shift_;
    // Four partial sums: independent chains the CPU overlaps, in a fixed order.
    double sums[4] = {0.0, 0.0, 0.0, 0.0};
    double low = block[0];
    double high = block[0];
    for (size_t index = 0; index < block.size(); ++index) {
      sums[index % 4] += block[index] - shift;
      low = std::min(low, block[index]);
      high = std::max(high, block[index]);
    }
    const double sum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    if (!std::isfinite(sum)) {
      // Values near the double's limits overflow a sum that Welford's running
      // mean never forms: those blocks go one value at a time.
      for (double value : block) Add(value);
      continue;
    }
    RunningMoments part;
    part.count_ = block.size();
    part.shift_ = shift;
    part.mean_ = sum / static_cast<double>(block.size());
    double squares[4] = {0.0, 0.0, 0.0, 0.0};
    for (size_t index = 0; index < block.size(); ++index) {
      const double deviation = (block[index] - shift) - part.mean_;
      squares[index % 4] += deviation * deviation;
    }
    part.m2_ = (squares[0] + squares[1]) + (squares[2] + squares[3]);
    part.min_ = low;
    part.max_ = high;
    Merge(part);
  }
}

void RunningMoments::Merge(const RunningMoments& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  const double n_a = static_cast<double>(count_);
  const double n_b = static_cast<double>(other.count_);
  const double n = n_a + n_b;
  // The difference of the shifts is exact when they are within a factor of
  // two of each other (Sterbenz), as values of one column usually are.
  const double delta = (other.shift_ - shift_) + other.mean_ - mean_;
  mean_ += delta * (n_b / n);
  m2_ += other.m2_ + delta * delta * (n_a * n_b / n);
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double RunningMoments::mean() const { return count_ == 0 ? kNaN : shift_ + mean_; }
double RunningMoments::min() const { return count_ == 0 ? kNaN : min_; }
double RunningMoments::max() const { return count_ == 0 ? kNaN : max_; }

double RunningMoments::population_std() const {
  return count_ == 0 ? kNaN : std::sqrt(m2_ / static_cast<double>(count_));
}

double RunningMoments::sample_std() const {
  return count_ < 2 ? kNaN : std::sqrt(m2_ / static_cast<double>(count_ - 1));
}

}  // namespace modelhost::data
