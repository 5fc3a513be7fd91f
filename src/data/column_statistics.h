// Statistics of one numeric column that pipeline steps learn from: count,
// mean and population variance, quantiles, extremes, the most frequent value.
// Every function skips NaN (a missing value, see frame.h) and returns nullopt
// when no value is left.
//
// The kernels run over one contiguous array with independent accumulator
// lanes, so the compiler can vectorize them without reassociating a single
// sum. Quantiles are found by radix selection: a histogram of the top 16 bits
// of each value's order-preserving key picks the bucket holding the wanted
// rank, and only that bucket's values are copied and partitioned
// (std::nth_element) — two reads of the column instead of a copy and a
// partition of all of it.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_DATA_COLUMN_STATISTICS_H_
#define MODELHOST_DATA_COLUMN_STATISTICS_H_

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace modelhost::data {

struct MeanVariance {
  size_t count = 0;
  double mean = 0;
  double variance = 0;  // population variance: Σ(x - mean)² / count
};

// Mean and variance in two passes (the second sums squared deviations from the
// mean, which stays accurate for data far from zero).
std::optional<MeanVariance> ComputeMeanVariance(std::span<const double> values);

struct MinMax {
  double min = 0;
  double max = 0;
};
std::optional<MinMax> ComputeMinMax(std::span<const double> values);

// The largest |x|.
std::optional<double> ComputeMaxAbs(std::span<const double> values);

// The q-th quantile (q in [0, 1]) of the present values by linear
// interpolation between the closest ranks (numpy's default "linear" method).
std::optional<double> Quantile(std::span<const double> values, double q);

// The median as numpy and scikit-learn's SimpleImputer compute it: the middle
// value, or the mean of the two middle ones.
std::optional<double> Median(std::span<const double> values);

// The most frequent value, the smallest among ties (as scikit-learn).
std::optional<double> MostFrequent(std::span<const double> values);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_COLUMN_STATISTICS_H_
