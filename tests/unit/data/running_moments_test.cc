#include "data/running_moments.h"

#include <gtest/gtest.h>

#include <vector>

#include <span>

#include <cmath>

namespace modelhost::data {
namespace {

TEST(RunningMomentsTest, HandComputedSmallCase) {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32,
  // population variance 4 (std 2), sample variance 32/7.
  RunningMoments moments;
  for (double value : {2, 4, 4, 4, 5, 5, 7, 9}) moments.Add(value);
  EXPECT_EQ(moments.count(), 8u);
  EXPECT_DOUBLE_EQ(moments.mean(), 5.0);
  EXPECT_DOUBLE_EQ(moments.population_std(), 2.0);
  EXPECT_DOUBLE_EQ(moments.sample_std(), std::sqrt(32.0 / 7.0));
  EXPECT_EQ(moments.min(), 2.0);
  EXPECT_EQ(moments.max(), 9.0);
}

TEST(RunningMomentsTest, EmptyAndSingleValueGiveNaN) {
  RunningMoments moments;
  EXPECT_TRUE(std::isnan(moments.mean()));
  EXPECT_TRUE(std::isnan(moments.population_std()));
  EXPECT_TRUE(std::isnan(moments.min()));
  moments.Add(3.0);
  EXPECT_EQ(moments.mean(), 3.0);
  EXPECT_EQ(moments.population_std(), 0.0);
  EXPECT_TRUE(std::isnan(moments.sample_std()));
}

TEST(RunningMomentsTest, MergeEqualsOnePass) {
  RunningMoments whole, first, second;
  for (int value = 0; value < 100; ++value) {
    const double x = 1e9 + value * 0.5;  // a large offset: the naive formula cancels here
    whole.Add(x);
    (value < 37 ? first : second).Add(x);
  }
  first.Merge(second);
  EXPECT_EQ(first.count(), whole.count());
  EXPECT_DOUBLE_EQ(first.mean(), whole.mean());
  EXPECT_NEAR(first.sample_std(), whole.sample_std(), 1e-9);
  // The exact sample std of 0, 0.5, …, 49.5 is 0.5·sqrt(100·101/12).
  EXPECT_NEAR(whole.sample_std(), 0.5 * std::sqrt(100.0 * 101.0 / 12.0), 1e-6);
  EXPECT_EQ(first.min(), whole.min());
  EXPECT_EQ(first.max(), whole.max());
}

TEST(RunningMomentsTest, MergeWithEmptySides) {
  RunningMoments empty, some;
  some.Add(1.0);
  some.Add(3.0);
  RunningMoments left = empty;
  left.Merge(some);
  EXPECT_EQ(left.count(), 2u);
  EXPECT_EQ(left.mean(), 2.0);
  some.Merge(empty);
  EXPECT_EQ(some.count(), 2u);
  EXPECT_EQ(some.population_std(), 1.0);
}

// A block's sum can overflow where Welford's running mean does not: such a
// block goes one value at a time.
TEST(RunningMomentsTest, BlocksNearTheDoublesLimitDoNotOverflow) {
  const std::vector<double> values = {1e308, 1e308, 1e308, 1e308};
  RunningMoments one_by_one;
  for (double value : values) one_by_one.Add(value);
  RunningMoments blocks;
  blocks.Add(std::span<const double>(values));
  EXPECT_TRUE(std::isfinite(blocks.mean()));
  EXPECT_EQ(blocks.mean(), one_by_one.mean());
  EXPECT_EQ(blocks.population_std(), one_by_one.population_std());
  EXPECT_EQ(blocks.mean(), 1e308);
}

}  // namespace
}  // namespace modelhost::data
