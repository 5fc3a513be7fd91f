#include "data/quantile_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace modelhost::data {
namespace {

TEST(QuantileSketchTest, ExactMatchesNumpyLinear) {
  // numpy.quantile([1, 2, 3, 4, 10], [0, 0.01, 0.25, 0.5, 0.75, 0.99, 1]) (numpy 2.4.6):
  // [1.0, 1.04, 2.0, 3.0, 4.0, 9.76, 10.0]
  QuantileSketch sketch;
  for (double value : {10, 3, 1, 4, 2}) sketch.Add(value);
  const std::vector<double> q = {0, 0.01, 0.25, 0.5, 0.75, 0.99, 1};
  std::vector<double> result = sketch.Quantiles(q);
  const std::vector<double> expected = {1.0, 1.04, 2.0, 3.0, 4.0, 9.76, 10.0};
  ASSERT_EQ(result.size(), expected.size());
  for (size_t index = 0; index < expected.size(); ++index) {
    EXPECT_NEAR(result[index], expected[index], 1e-12) << "q = " << q[index];
  }
  EXPECT_FALSE(sketch.approximate());
}

TEST(QuantileSketchTest, EmptyIsNaNAndOneValueIsThatValue) {
  QuantileSketch sketch;
  const std::vector<double> q = {0.5};
  EXPECT_TRUE(std::isnan(sketch.Quantiles(q)[0]));
  sketch.Add(7.5);
  EXPECT_EQ(sketch.Quantiles(q)[0], 7.5);
}

TEST(QuantileSketchTest, ExactMergeEqualsOnePass) {
  QuantileSketch whole, first, second;
  for (int value = 0; value < 101; ++value) {
    whole.Add(value * 1.5);
    (value % 3 == 0 ? first : second).Add(value * 1.5);
  }
  first.Merge(second);
  const std::vector<double> q = {0.01, 0.25, 0.5, 0.75, 0.99};
  EXPECT_EQ(first.Quantiles(q), whole.Quantiles(q));
  EXPECT_FALSE(first.approximate());
}

// The rank of `value` among sorted `values`, as a fraction of their count.
double RankFraction(const std::vector<double>& sorted, double value) {
  auto position = std::lower_bound(sorted.begin(), sorted.end(), value);
  return static_cast<double>(position - sorted.begin()) / static_cast<double>(sorted.size());
}

TEST(QuantileSketchTest, SketchRankErrorWithinTwoPercentOnAMillionValues) {
  std::mt19937_64 engine(42);
  std::vector<double> values(1000000);
  for (double& value : values) value = static_cast<double>(engine() >> 11) * 0x1.0p-53 * 1000.0;
  // Two halves sketched apart and merged, as two threads would.
  QuantileSketch first({.exact_limit = 1000}), second({.exact_limit = 1000});
  for (size_t index = 0; index < values.size(); ++index) {
    (index < values.size() / 2 ? first : second).Add(values[index]);
  }
  first.Merge(second);
  EXPECT_TRUE(first.approximate());
  EXPECT_EQ(first.count(), values.size());
  std::sort(values.begin(), values.end());
  const std::vector<double> q = {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99};
  std::vector<double> result = first.Quantiles(q);
  for (size_t index = 0; index < q.size(); ++index) {
    EXPECT_NEAR(RankFraction(values, result[index]), q[index], 0.02) << "q = " << q[index];
  }
}

TEST(QuantileSketchTest, SwitchesToSketchPastTheExactLimit) {
  QuantileSketch sketch({.exact_limit = 10});
  for (int value = 0; value < 10; ++value) sketch.Add(value);
  EXPECT_FALSE(sketch.approximate());
  sketch.Add(10);
  EXPECT_TRUE(sketch.approximate());
  const std::vector<double> q = {0.0, 1.0};
  std::vector<double> ends = sketch.Quantiles(q);
  EXPECT_EQ(ends[0], 0.0);  // nothing compacted yet at 11 values
  EXPECT_EQ(ends[1], 10.0);
}

TEST(QuantileSketchTest, SameInputsGiveTheSameAnswers) {
  QuantileSketch a({.exact_limit = 100}), b({.exact_limit = 100});
  for (int value = 0; value < 50000; ++value) {
    const double x = std::sin(value) * 100;
    a.Add(x);
    b.Add(x);
  }
  const std::vector<double> q = {0.01, 0.5, 0.99};
  EXPECT_EQ(a.Quantiles(q), b.Quantiles(q));
}

}  // namespace
}  // namespace modelhost::data
