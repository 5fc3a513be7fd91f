#include "data/distinct_counter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace modelhost::data {
namespace {

TEST(DistinctCounterTest, ExactBelowTheLimit) {
  DistinctCounter counter;
  for (double value : {1.0, 2.0, 1.0, -0.0, 0.0, 3.5}) counter.Add(DistinctCounter::KeyOf(value));
  EXPECT_EQ(counter.Count(), 4u);  // 1, 2, 0 (both signs), 3.5
  EXPECT_FALSE(counter.approximate());
}

TEST(DistinctCounterTest, ExactMergeCountsTheUnion) {
  DistinctCounter a, b;
  for (uint64_t key = 0; key < 100; ++key) a.Add(key);
  for (uint64_t key = 50; key < 300; ++key) b.Add(key);
  a.Merge(b);
  EXPECT_EQ(a.Count(), 300u);
  EXPECT_FALSE(a.approximate());
}

TEST(DistinctCounterTest, EstimateWithinThreeStandardErrorsPastTheLimit) {
  DistinctCounter counter({.exact_limit = 1000});
  for (uint64_t key = 0; key < 500000; ++key) counter.Add(key * 7919);
  for (uint64_t key = 0; key < 500000; ++key) counter.Add(key * 7919);  // repeats add nothing
  EXPECT_TRUE(counter.approximate());
  // HyperLogLog with 2^14 registers: standard error 0.81 %.
  EXPECT_NEAR(static_cast<double>(counter.Count()), 500000.0, 500000.0 * 3 * 0.0081);
}

TEST(DistinctCounterTest, MergedEstimateEqualsOneCounterOverBoth) {
  DistinctCounter whole({.exact_limit = 100}), first({.exact_limit = 100}),
      second({.exact_limit = 100});
  for (uint64_t key = 0; key < 200000; ++key) {
    whole.Add(key);
    (key % 2 == 0 ? first : second).Add(key);
  }
  first.Merge(second);
  // Register-wise max is exactly the registers of one counter over all keys.
  EXPECT_EQ(first.Count(), whole.Count());
  EXPECT_TRUE(first.approximate());
}

TEST(DistinctCounterTest, SmallRangeUsesLinearCounting) {
  DistinctCounter counter({.exact_limit = 10});
  for (uint64_t key = 0; key < 2000; ++key) counter.Add(key);
  EXPECT_TRUE(counter.approximate());
  EXPECT_NEAR(static_cast<double>(counter.Count()), 2000.0, 2000.0 * 0.03);
}

}  // namespace
}  // namespace modelhost::data
