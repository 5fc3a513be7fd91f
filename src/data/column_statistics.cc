#include "data/column_statistics.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>

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

namespace {

// An unsigned key that orders like the double (negative values flipped).
uint64_t OrderKey(double value) {
  uint64_t bits = std::bit_cast<uint64_t>(value);
  return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
}

constexpr int kBucketBits = 16;

struct AdjacentRanks {
  size_t present = 0;  // how many values are not NaN
  double at = 0;       // the rank-th smallest present value (0-based)
  double next = 0;     // the (rank + 1)-th, or `at` when rank is the last
};

// Radix selection of the rank-th and (rank + 1)-th smallest present values;
// `rank` is a function of the present count, known only after the histogram.
template <typename RankOf>
std::optional<AdjacentRanks> SelectAdjacent(std::span<const double> values, RankOf rank_of) {
  // Two histograms, for even and odd rows, so that runs of values in one
  // bucket do not serialize on a single counter; summed afterwards.
  // Branch-free: a NaN (missing) adds 0 to whatever bucket its bits land in.
  constexpr size_t kBuckets = size_t{1} << kBucketBits;
  std::vector<uint32_t> histograms(2 * kBuckets, 0);
  size_t present = 0;
  size_t row = 0;
  for (; row + 2 <= values.size(); row += 2) {
    const uint32_t even_present = values[row] == values[row];
    const uint32_t odd_present = values[row + 1] == values[row + 1];
    histograms[OrderKey(values[row]) >> (64 - kBucketBits)] += even_present;
    histograms[kBuckets + (OrderKey(values[row + 1]) >> (64 - kBucketBits))] += odd_present;
    present += even_present + odd_present;
  }
  if (row < values.size()) {
    const uint32_t is_present = values[row] == values[row];
    histograms[OrderKey(values[row]) >> (64 - kBucketBits)] += is_present;
    present += is_present;
  }
  std::span<uint32_t> histogram(histograms.data(), kBuckets);
  for (size_t bucket = 0; bucket < kBuckets; ++bucket)
    histogram[bucket] += histograms[kBuckets + bucket];
  if (present == 0) return std::nullopt;
  const size_t rank = rank_of(present);
  size_t first = 0;  // the bucket holding `rank`
  size_t below = 0;  // values in buckets before `first`
  while (below + histogram[first] <= rank) below += histogram[first++];
  size_t last = first;  // the bucket holding rank + 1
  if (rank + 1 < present && rank + 1 >= below + histogram[first]) {
    do ++last;
    while (histogram[last] == 0);
  }
  // Branch-free compaction: every value is written, and the end advances
  // past it only when it is present and in [first, last] (one unsigned
  // comparison), since which values qualify is as good as random.
  const size_t wanted = histogram[first] + (last != first ? histogram[last] : 0);
  std::vector<double> candidates(wanted + 1);
  size_t count = 0;
  for (double value : values) {
    const size_t bucket = OrderKey(value) >> (64 - kBucketBits);
    candidates[count] = value;
    count += (value == value) & (bucket - first <= last - first);
  }
  candidates.resize(count);
  auto nth = candidates.begin() + static_cast<std::ptrdiff_t>(rank - below);
  std::nth_element(candidates.begin(), nth, candidates.end());
  AdjacentRanks result{present, *nth, *nth};
  if (rank + 1 < present) result.next = *std::min_element(nth + 1, candidates.end());
  return result;
}

}  // namespace

std::optional<double> Quantile(std::span<const double> values, double q) {
  double position = 0;
  auto ranks = SelectAdjacent(values, [&](size_t present) {
    position = q * static_cast<double>(present - 1);
    return static_cast<size_t>(std::floor(position));
  });
  if (!ranks) return std::nullopt;
  const double fraction = position - std::floor(position);
  if (fraction == 0) return ranks->at;
  // numpy's lerp: from the nearer end, so q = 1 gives exactly the maximum.
  const double difference = ranks->next - ranks->at;
  return fraction < 0.5 ? ranks->at + difference * fraction
                        : ranks->next - difference * (1 - fraction);
}

std::optional<double> Median(std::span<const double> values) {
  auto ranks = SelectAdjacent(values, [](size_t present) { return (present - 1) / 2; });
  if (!ranks) return std::nullopt;
  if (ranks->present % 2 == 1) return ranks->at;
  const double mean = (ranks->at + ranks->next) / 2;
  // Only when the sum overflows: halve first.
  return std::isfinite(mean) ? mean : ranks->at / 2 + ranks->next / 2;
}

std::optional<double> MostFrequent(std::span<const double> values) {
  std::vector<double> present;
  for (double value : values) {
    if (value == value) present.push_back(value);
  }
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
