#include "data/running_moments.h"

#include <gtest/gtest.h>

#include <utility>
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
// block goes one value at a time. The sums are relative to the first value:
// 1e308 four times sums to 0, -1e307 then 1e308 three times past the limit.
TEST(RunningMomentsTest, BlocksNearTheDoublesLimitDoNotOverflow) {
  const std::vector<std::pair<std::vector<double>, double>> cases = {
      {{1e308, 1e308, 1e308, 1e308}, 1e308}, {{-1e307, 1e308, 1e308, 1e308}, 7.25e307}};
  for (const auto& [values, mean] : cases) {
    SCOPED_TRACE(values[0]);
    RunningMoments one_by_one;
    for (double value : values) one_by_one.Add(value);
    RunningMoments blocks;
    blocks.Add(std::span<const double>(values));
    EXPECT_EQ(blocks.mean(), one_by_one.mean());
    EXPECT_EQ(blocks.population_std(), one_by_one.population_std());
    EXPECT_DOUBLE_EQ(blocks.mean(), mean);
  }
}

// 1e15 + 0, 1, …, 1999: a block's plain sum (≈ 1e18, ulp 128) would lose the
// differences. numpy 2.4.6: np.std(1e15 + np.arange(2000.0)) is
// 577.350210552486, 2.3e-8 from the exact sqrt((2000² − 1) / 12).
TEST(RunningMomentsTest, ValuesFarFromZeroKeepTheirSpread) {
  std::vector<double> values;
  for (int value = 0; value < 2000; ++value) values.push_back(1e15 + value);
  const double exact_std = std::sqrt((2000.0 * 2000.0 - 1) / 12);
  RunningMoments blocks;
  blocks.Add(std::span<const double>(values));
  EXPECT_DOUBLE_EQ(blocks.mean(), 1e15 + 999.5);
  EXPECT_NEAR(blocks.population_std(), exact_std, 1e-7 * exact_std);
  // Two halves with their own first values, merged.
  RunningMoments first, second;
  first.Add(std::span<const double>(values).first(700));
  second.Add(std::span<const double>(values).subspan(700));
  first.Merge(second);
  EXPECT_DOUBLE_EQ(first.mean(), 1e15 + 999.5);
  EXPECT_NEAR(first.population_std(), exact_std, 1e-7 * exact_std);
}

}  // namespace
}  // namespace modelhost::data
