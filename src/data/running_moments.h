// RunningMoments: count, mean, sum of squared deviations (M2), min and max of
// a stream of doubles, updated one value at a time by Welford's method and
// combined by Chan et al.'s pairwise formula, so chunks summarized on
// different threads merge into the numbers one pass over all values gives
// (up to rounding) — without the cancellation of the naive Σx² − n·mean².
// Every value is taken relative to a reference (the first value seen), so
// that values far from zero (1e15 + i) keep their small differences through
// block sums and merged means.
//
// Thread-safety: a value type; one instance belongs to one thread.

#ifndef MODELHOST_DATA_RUNNING_MOMENTS_H_
#define MODELHOST_DATA_RUNNING_MOMENTS_H_

#include <cstdint>
#include <span>

namespace modelhost::data {

class RunningMoments {
 public:
  // Adds one value. REQUIRES: `value` is not NaN.
  void Add(double value);
  // Adds the values, in blocks: two passes over each block (its mean, then
  // the squared deviations from it) merged in by Chan et al.'s formula — as
  // exact as Welford's, without its division per value. REQUIRES: no NaN.
  void Add(std::span<const double> values);

  // Adds every value `other` has seen (Chan et al. 1979).
  void Merge(const RunningMoments& other);

  uint64_t count() const { return count_; }
  // Each is NaN while count() == 0.
  double mean() const;
  double min() const;
  double max() const;
  // Population standard deviation, sqrt(M2 / n) (numpy's std, ddof = 0);
  // NaN while count() == 0.
  double population_std() const;
  // Sample standard deviation, sqrt(M2 / (n − 1)) (pandas' std, ddof = 1);
  // NaN while count() < 2.
  double sample_std() const;

 private:
  uint64_t count_ = 0;
  // The reference value: the first value seen; mean_ is relative to it.
  double shift_ = 0.0;
  double mean_ = 0.0;
  double m2_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_RUNNING_MOMENTS_H_
