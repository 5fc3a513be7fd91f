#include "data/column_statistics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace modelhost::data {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// numpy's "linear" quantile, by sorting: the reference the radix selection
// must reproduce exactly.
double SortedQuantile(std::vector<double> values, double q) {
  std::erase_if(values, [](double value) { return std::isnan(value); });
  std::sort(values.begin(), values.end());
  double position = q * static_cast<double>(values.size() - 1);
  size_t below = static_cast<size_t>(std::floor(position));
  double fraction = position - static_cast<double>(below);
  if (fraction == 0) return values[below];
  double difference = values[below + 1] - values[below];
  return fraction < 0.5 ? values[below] + difference * fraction
                        : values[below + 1] - difference * (1 - fraction);
}

TEST(ColumnStatisticsTest, QuantilesMatchSortingOnAwkwardData) {
  std::mt19937_64 random(7);
  std::normal_distribution<double> normal(50, 6);
  std::vector<std::vector<double>> columns;
  std::vector<double> mixed;
  for (int row = 0; row < 20000; ++row) {
    double value = normal(random);
    // Negatives, zeros of both signs, repeats, tiny and huge values, NaN.
    switch (row % 9) {
      case 0: value = -value; break;
      case 1: value = row % 2 ? 0.0 : -0.0; break;
      case 2: value = std::round(value); break;
      case 3: value *= 1e-300; break;
      case 4: value *= 1e300; break;
      case 5: value = kNaN; break;
    }
    mixed.push_back(value);
  }
  columns.push_back(mixed);
  columns.push_back(std::vector<double>(1001, 3.5));  // one bucket holds everything
  columns.push_back({2.0});
  columns.push_back({kNaN, 1.0, kNaN, -1.0});
  for (const auto& column : columns) {
    for (double q : {0.0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0, 1.0 / 3}) {
      auto quantile = Quantile(column, q);
      ASSERT_TRUE(quantile.has_value());
      EXPECT_EQ(*quantile, SortedQuantile(column, q)) << "q=" << q << " n=" << column.size();
    }
  }
}

TEST(ColumnStatisticsTest, MedianAveragesTheMiddlePair) {
  EXPECT_EQ(*Median(std::vector<double>{4, 1, kNaN, 3, 2}), 2.5);
  EXPECT_EQ(*Median(std::vector<double>{5, kNaN, 1, 3}), 3);
  EXPECT_EQ(*Median(std::vector<double>{1e308, 1.5e308}), 1.25e308);  // no overflow
  EXPECT_FALSE(Median(std::vector<double>{kNaN, kNaN}).has_value());
  EXPECT_FALSE(Quantile(std::vector<double>{}, 0.5).has_value());
}

TEST(ColumnStatisticsTest, MomentsExtremesAndMode) {
  auto moments = ComputeMeanVariance(std::vector<double>{1, 2, kNaN, 3, 4, 5, 6, 7, 8, 9});
  ASSERT_TRUE(moments.has_value());
  EXPECT_EQ(moments->count, 9u);
  EXPECT_DOUBLE_EQ(moments->mean, 5);
  EXPECT_DOUBLE_EQ(moments->variance, 60.0 / 9);
  auto extremes = ComputeMinMax(std::vector<double>{kNaN, 3, -2, 7, kNaN});
  ASSERT_TRUE(extremes.has_value());
  EXPECT_EQ(extremes->min, -2);
  EXPECT_EQ(extremes->max, 7);
  EXPECT_EQ(*ComputeMaxAbs(std::vector<double>{3, -9, 7}), 9);
  EXPECT_FALSE(ComputeMinMax(std::vector<double>{kNaN}).has_value());
  EXPECT_EQ(*MostFrequent(std::vector<double>{3, 1, 3, 1, kNaN, 2}), 1);
}

}  // namespace
}  // namespace modelhost::data
