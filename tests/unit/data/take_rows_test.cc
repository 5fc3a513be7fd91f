#include "data/take_rows.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "data/csv_reader.h"

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Table Sample() {
  auto result = ReadCsvBuffer("x,n,b,c\n1.5,3,true,p\n,4,false,q\n-2,,,\n4,5,true,r\n", "t.csv");
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return std::move(result).value().table;
}

TEST(TakeRowsTest, TakesRowsInTheGivenOrderWithRepeats) {
  const Table table = Sample();
  const std::vector<size_t> rows = {3, 2, 3, 1};
  auto taken = TakeRows(table, rows);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  const Table& result = taken.value();
  ASSERT_EQ(result.num_rows(), 4u);
  ASSERT_EQ(result.num_columns(), 4u);
  EXPECT_EQ(result.column(0).name(), "x");
  EXPECT_EQ(result.column(0).float64_values()[0], 4.0);
  EXPECT_EQ(result.column(0).float64_values()[1], -2.0);
  EXPECT_TRUE(result.column(0).IsMissing(3));
  EXPECT_THAT(result.column(1).int64_values(), ElementsAre(5, 0, 5, 4));
  EXPECT_TRUE(result.column(1).IsMissing(1));
  EXPECT_EQ(result.column(1).missing_count(), 1u);
  EXPECT_THAT(result.column(2).bool_values(), ElementsAre(1, 0, 1, 0));
  EXPECT_TRUE(result.column(2).IsMissing(1));
  // The dictionary keeps only the categories taken, in their new order.
  EXPECT_THAT(result.column(3).categories(), ElementsAre("r", "q"));
  EXPECT_THAT(result.column(3).categorical_codes(), ElementsAre(0, -1, 0, 1));
}

TEST(TakeRowsTest, NoRowsGivesAnEmptyTableWithTheSchema) {
  auto taken = TakeRows(Sample(), {});
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken.value().num_rows(), 0u);
  EXPECT_EQ(taken.value().num_columns(), 4u);
  EXPECT_EQ(taken.value().column(3).type(), ColumnType::kCategorical);
}

TEST(TakeRowsTest, RowOutOfRangeIsAnError) {
  const std::vector<size_t> rows = {0, 4};
  auto taken = TakeRows(Sample(), rows);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      taken.status().message(),
      HasSubstr("row index 4 (position 1 of the row list) is out of range: the table has 4 rows"));
}

}  // namespace
}  // namespace modelhost::data
