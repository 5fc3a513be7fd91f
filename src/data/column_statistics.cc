#include "data/column_statistics.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace modelhost::data {

namespace {

// Independent accumulators per reduction: wide enough for AVX-512 doubles and
// for the add latency of one core.
constexpr size_t kLanes = 8;

}  // namespace

std::optional<MeanVariance> ComputeMeanVariance(std::span<const double> values) {
  const size_t n = values.size();
  double sums[kLanes] = {};
  double counts[kLanes] = {};
  size_t row = 0;
  for (; row + kLanes <= n; row += kLanes) {
    for (size_t lane = 0; lane < kLanes; ++lane) {
      double value = values[row + lane];
      bool present = value == value;
      sums[lane] += present ? value : 0.0;
      counts[lane] += present ? 1.0 : 0.0;
    }
  }
  for (; row < n; ++row) {
    double value = values[row];
    bool present = value == value;
    sums[0] += present ? value : 0.0;
    counts[0] += present ? 1.0 : 0.0;
  }
  double sum = 0;
  double count = 0;
  for (size_t lane = 0; lane < kLanes; ++lane) {
    sum += sums[lane];
    count += counts[lane];
  }
  if (count == 0) return std::nullopt;
  const double mean = sum / count;

  double squares[kLanes] = {};
  for (row = 0; row + kLanes <= n; row += kLanes) {
    for (size_t lane = 0; lane < kLanes; ++lane) {
      double value = values[row + lane];
      double deviation = value == value ? value - mean : 0.0;
      squares[lane] += deviation * deviation;
    }
  }
  for (; row < n; ++row) {
    double value = values[row];
    double deviation = value == value ? value - mean : 0.0;
    squares[0] += deviation * deviation;
  }
  double square_sum = 0;
  for (double lane_sum : squares) square_sum += lane_sum;
  return MeanVariance{static_cast<size_t>(count), mean, square_sum / count};
}

std::optional<MinMax> ComputeMinMax(std::span<const double> values) {
  // A comparison with NaN is false, so a missing value never replaces a lane's
  // extreme; lanes start at ±inf.
  double mins[kLanes];
  double maxs[kLanes];
  std::fill(std::begin(mins), std::end(mins), HUGE_VAL);
  std::fill(std::begin(maxs), std::end(maxs), -HUGE_VAL);
  bool any = false;
  const size_t n = values.size();
  size_t row = 0;
  for (; row + kLanes <= n; row += kLanes) {
    for (size_t lane = 0; lane < kLanes; ++lane) {
      double value = values[row + lane];
      mins[lane] = value < mins[lane] ? value : mins[lane];
      maxs[lane] = value > maxs[lane] ? value : maxs[lane];
    }
  }
  for (; row < n; ++row) {
    double value = values[row];
    mins[0] = value < mins[0] ? value : mins[0];
    maxs[0] = value > maxs[0] ? value : maxs[0];
  }
  MinMax result{HUGE_VAL, -HUGE_VAL};
  for (size_t lane = 0; lane < kLanes; ++lane) {
    result.min = std::min(result.min, mins[lane]);
    result.max = std::max(result.max, maxs[lane]);
  }
  // The lanes cannot tell "no value" from a column of +inf / -inf alone.
  for (double value : values) {
    if (value == value) {
      any = true;
      break;
    }
  }
  if (!any) return std::nullopt;
  return result;
}

std::optional<double> ComputeMaxAbs(std::span<const double> values) {
  std::optional<MinMax> extremes = ComputeMinMax(values);
  if (!extremes) return std::nullopt;
  return std::max(std::fabs(extremes->min), std::fabs(extremes->max));
}

void CollectPresent(std::span<const double> values, std::vector<double>& present) {
  present.resize(values.size());
  size_t count = 0;
  // Branch-free compaction: write every value, advance only past present ones.
  for (double value : values) {
    present[count] = value;
    count += value == value ? 1 : 0;
  }
  present.resize(count);
}

double Quantile(std::vector<double>& present, double q) {
  assert(!present.empty());
  const double position = q * static_cast<double>(present.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const double fraction = position - static_cast<double>(below);
  auto nth = present.begin() + static_cast<std::ptrdiff_t>(below);
  std::nth_element(present.begin(), nth, present.end());
  const double low = *nth;
  if (fraction == 0 || below + 1 >= present.size()) return low;
  const double high = *std::min_element(nth + 1, present.end());
  // numpy's lerp: from the nearer end, so q = 1 gives exactly the maximum.
  const double difference = high - low;
  return fraction < 0.5 ? low + difference * fraction : high - difference * (1 - fraction);
}

double Median(std::vector<double>& present) {
  assert(!present.empty());
  const size_t middle = present.size() / 2;
  auto nth = present.begin() + static_cast<std::ptrdiff_t>(middle);
  std::nth_element(present.begin(), nth, present.end());
  const double upper = *nth;
  if (present.size() % 2 == 1) return upper;
  const double lower = *std::max_element(present.begin(), nth);
  const double mean = (lower + upper) / 2;
  // Only when the sum overflows: halve first.
  return std::isfinite(mean) ? mean : lower / 2 + upper / 2;
}

std::optional<double> MostFrequent(std::span<const double> values) {
  std::vector<double> present;
  CollectPresent(values, present);
  if (present.empty()) return std::nullopt;
  std::sort(present.begin(), present.end());
  double best = present[0];
  size_t best_count = 0;
  for (size_t start = 0; start < present.size();) {
    size_t end = start + 1;
    while (end < present.size() && present[end] == present[start]) ++end;
    // Sorted ascending and replaced only on a strictly larger count: ties keep
    // the smallest value.
    if (end - start > best_count) {
      best = present[start];
      best_count = end - start;
    }
    start = end;
  }
  return best;
}

}  // namespace modelhost::data
