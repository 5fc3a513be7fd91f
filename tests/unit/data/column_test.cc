#include "data/column.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "data/column_builder.h"
#include "data/table.h"

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ColumnBuilderTest, Float64WithMissingHoldsNaNAndClearsValidity) {
  ColumnBuilder builder("x", ColumnType::kFloat64);
  builder.AppendFloat64(1.5);
  builder.AppendMissing();
  builder.AppendFloat64(-2);
  Column column = std::move(builder).Finish();
  EXPECT_EQ(column.name(), "x");
  EXPECT_EQ(column.type(), ColumnType::kFloat64);
  ASSERT_EQ(column.size(), 3u);
  EXPECT_EQ(column.missing_count(), 1u);
  EXPECT_FALSE(column.IsMissing(0));
  EXPECT_TRUE(column.IsMissing(1));
  EXPECT_EQ(column.float64_values()[0], 1.5);
  EXPECT_TRUE(std::isnan(column.float64_values()[1]));
  EXPECT_EQ(column.float64_values()[2], -2);
}

TEST(ColumnBuilderTest, CategoricalInternsInFirstAppearanceOrder) {
  ColumnBuilder builder("c", ColumnType::kCategorical);
  ASSERT_TRUE(builder.AppendCategorical("b").ok());
  ASSERT_TRUE(builder.AppendCategorical("a").ok());
  builder.AppendMissing();
  ASSERT_TRUE(builder.AppendCategorical("b").ok());
  Column column = std::move(builder).Finish();
  EXPECT_THAT(column.categories(), ElementsAre("b", "a"));
  EXPECT_THAT(column.categorical_codes(), ElementsAre(0, 1, Column::kMissingCode, 0));
  EXPECT_EQ(column.CategoryAt(1), "a");
  EXPECT_EQ(column.CategoryAt(2), "");
  EXPECT_EQ(column.missing_count(), 1u);
}

TEST(ColumnBuilderTest, Int64ConvertsToFloat64KeepingMissing) {
  ColumnBuilder builder("n", ColumnType::kInt64);
  builder.AppendInt64(3);
  builder.AppendMissing();
  builder.ConvertInt64ToFloat64();
  builder.AppendFloat64(2.5);
  Column column = std::move(builder).Finish();
  ASSERT_EQ(column.type(), ColumnType::kFloat64);
  EXPECT_EQ(column.float64_values()[0], 3.0);
  EXPECT_TRUE(column.IsMissing(1));
  EXPECT_TRUE(std::isnan(column.float64_values()[1]));
  EXPECT_EQ(column.float64_values()[2], 2.5);
}

TEST(ColumnBuilderTest, BoolAndValidityWordsAcrossWordBoundary) {
  ColumnBuilder builder("b", ColumnType::kBool);
  for (int row = 0; row < 70; ++row) {
    if (row == 65) {
      builder.AppendMissing();
    } else {
      builder.AppendBool(row % 2 == 0);
    }
  }
  Column column = std::move(builder).Finish();
  EXPECT_EQ(column.bool_values()[0], 1);
  EXPECT_EQ(column.bool_values()[1], 0);
  ASSERT_EQ(column.validity().words().size(), 2u);
  EXPECT_EQ(column.validity().words()[0], ~uint64_t{0});
  EXPECT_EQ(column.validity().words()[1], uint64_t{0b111101});
  EXPECT_TRUE(column.IsMissing(65));
  EXPECT_EQ(column.missing_count(), 1u);
}

TEST(ColumnTypeTest, NamesRoundTripAndStringMeansCategorical) {
  for (ColumnType type :
       {ColumnType::kFloat64, ColumnType::kInt64, ColumnType::kBool, ColumnType::kCategorical}) {
    auto parsed = ParseColumnType(ToString(type));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, type);
  }
  EXPECT_EQ(*ParseColumnType("string"), ColumnType::kCategorical);
  EXPECT_FALSE(ParseColumnType("float32").ok());
}

Column Ints(std::string name, std::vector<int64_t> values) {
  ColumnBuilder builder(std::move(name), ColumnType::kInt64);
  for (int64_t value : values) builder.AppendInt64(value);
  return std::move(builder).Finish();
}

TEST(TableTest, FindsColumnsByName) {
  std::vector<Column> columns;
  columns.push_back(Ints("a", {1, 2}));
  columns.push_back(Ints("b", {3, 4}));
  auto table = Table::Make(std::move(columns));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->num_rows(), 2u);
  EXPECT_EQ(table->num_columns(), 2u);
  ASSERT_NE(table->FindColumn("b"), nullptr);
  EXPECT_EQ(table->FindColumn("b")->int64_values()[1], 4);
  EXPECT_EQ(table->FindColumn("c"), nullptr);
}

TEST(TableTest, RejectsRepeatedNamesAndUnequalLengths) {
  std::vector<Column> repeated;
  repeated.push_back(Ints("a", {1}));
  repeated.push_back(Ints("a", {2}));
  auto table = Table::Make(std::move(repeated));
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(table.status().message(), HasSubstr("column 2 repeats the name 'a' of column 1"));

  std::vector<Column> ragged;
  ragged.push_back(Ints("a", {1, 2}));
  ragged.push_back(Ints("b", {1}));
  table = Table::Make(std::move(ragged));
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(table.status().message(), HasSubstr("column 2 'b' has 1 rows, column 1 has 2"));
}

}  // namespace
}  // namespace modelhost::data
