#include "data/split.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "data/csv_reader.h"

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Table ReadCsv(std::string_view text) {
  auto result = ReadCsvBuffer(text, "t.csv");
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value().table : Table();
}

Table ReadTestFile(const std::string& name) {
  auto path = std::filesystem::path(__FILE__).parent_path() / "../../data" / name;
  auto result = ReadCsvFile(path.string());
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value().table : Table();
}

// A table of `rows` rows with one int64 column x = 0, 1, 2, …
Table Numbered(size_t rows) {
  std::string csv = "x\n";
  for (size_t row = 0; row < rows; ++row) csv += std::to_string(row) + "\n";
  return ReadCsv(csv);
}

RowSplit SplitOk(const Table& table, const SplitOptions& options) {
  auto split = SplitRows(table, options);
  EXPECT_TRUE(split.ok()) << split.status().ToString();
  return split.ok() ? std::move(split).value() : RowSplit();
}

std::string SplitError(const Table& table, const SplitOptions& options) {
  auto split = SplitRows(table, options);
  EXPECT_FALSE(split.ok());
  if (split.ok()) return "";
  EXPECT_EQ(split.status().code(), core::StatusCode::kInvalidArgument);
  return split.status().message();
}

// Every row in at most one set, lists ascending.
void ExpectDisjointAndSorted(const RowSplit& split, size_t num_rows) {
  std::vector<int> seen(num_rows, 0);
  for (const auto* set : {&split.train, &split.validation, &split.test}) {
    EXPECT_TRUE(std::is_sorted(set->begin(), set->end()));
    for (size_t row : *set) {
      ASSERT_LT(row, num_rows);
      ++seen[row];
    }
  }
  for (size_t row = 0; row < num_rows; ++row) EXPECT_LE(seen[row], 1) << "row " << row;
}

TEST(SplitTest, MatchesTheReferenceImplementation) {
  // seeded_random_reference.py: 20 rows, counts 12/4/4, seed 7.
  RowSplit split =
      SplitOk(Numbered(20),
              {.train_fraction = 0.6, .validation_fraction = 0.2, .test_fraction = 0.2, .seed = 7});
  EXPECT_THAT(split.train, ElementsAre(0, 1, 2, 4, 9, 11, 12, 14, 16, 17, 18, 19));
  EXPECT_THAT(split.validation, ElementsAre(3, 5, 7, 13));
  EXPECT_THAT(split.test, ElementsAre(6, 8, 10, 15));
}

TEST(SplitTest, SameSeedSameRowsOtherSeedOtherRows) {
  const Table table = Numbered(100);
  RowSplit a = SplitOk(table, {.seed = 3});
  RowSplit b = SplitOk(table, {.seed = 3});
  RowSplit c = SplitOk(table, {.seed = 4});
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.test, b.test);
  EXPECT_NE(a.test, c.test);
  EXPECT_EQ(a.train.size(), 80u);
  EXPECT_EQ(a.test.size(), 20u);
  EXPECT_TRUE(a.validation.empty());
  ExpectDisjointAndSorted(a, 100);
}

TEST(SplitTest, LargestRemainderRoundingTiesGoToTrainFirst) {
  // 10 rows at 0.75 / 0.25: quotas 7.5 and 2.5; the one row left goes to train.
  RowSplit split = SplitOk(Numbered(10), {.train_fraction = 0.75, .test_fraction = 0.25});
  EXPECT_EQ(split.train.size(), 8u);
  EXPECT_EQ(split.test.size(), 2u);
}

TEST(SplitTest, FractionsBelowOneLeaveRowsOut) {
  RowSplit split = SplitOk(Numbered(10), {.train_fraction = 0.5, .test_fraction = 0.2});
  EXPECT_EQ(split.train.size(), 5u);
  EXPECT_EQ(split.test.size(), 2u);
  ExpectDisjointAndSorted(split, 10);
}

TEST(SplitTest, EverySetAskedForGetsARow) {
  // 3 rows at 0.8 / 0.1 / 0.1 would round to 3 / 0 / 0.
  RowSplit split = SplitOk(
      Numbered(3), {.train_fraction = 0.8, .validation_fraction = 0.1, .test_fraction = 0.1});
  EXPECT_EQ(split.train.size(), 1u);
  EXPECT_EQ(split.validation.size(), 1u);
  EXPECT_EQ(split.test.size(), 1u);
  EXPECT_THAT(SplitError(Numbered(2),
                         {.train_fraction = 0.8, .validation_fraction = 0.1, .test_fraction = 0.1}),
              HasSubstr("the table has 2 rows, too few to give one to each set asked for "
                        "(train, validation, test)"));
}

TEST(SplitTest, StratifiedPimaKeepsClassProportions) {
  // diabetes: 500 zeros, 268 ones (tests/data/README.md).
  const Table table = ReadTestFile("pima_indians_diabetes.csv");
  RowSplit split = SplitOk(table, {.train_fraction = 0.7,
                                   .validation_fraction = 0.15,
                                   .test_fraction = 0.15,
                                   .seed = 11,
                                   .stratify_column = "diabetes"});
  ExpectDisjointAndSorted(split, 768);
  const Column& target = *table.FindColumn("diabetes");
  auto ones = [&](const std::vector<size_t>& rows) {
    size_t count = 0;
    for (size_t row : rows) count += target.int64_values()[row] == 1 ? 1 : 0;
    return count;
  };
  // Zeros: 350 / 75 / 75 exactly. Ones: quotas 187.6 / 40.2 / 40.2 → 187 / 40 / 40
  // and the last row to train (largest remainder 0.6).
  EXPECT_EQ(ones(split.train), 188u);
  EXPECT_EQ(ones(split.validation), 40u);
  EXPECT_EQ(ones(split.test), 40u);
  EXPECT_EQ(split.train.size(), 538u);
  EXPECT_EQ(split.validation.size(), 115u);
  EXPECT_EQ(split.test.size(), 115u);
}

TEST(SplitTest, StratifiedByCategoricalTarget) {
  // diagnosis: malignant 212, benign 357. At 0.8 / 0.2: 169.6 → 170 / 42 and
  // 285.6 → 286 / 71.
  const Table table = ReadTestFile("breast_cancer_wdbc.csv");
  RowSplit split = SplitOk(table, {.seed = 5, .stratify_column = "diagnosis"});
  const Column& target = *table.FindColumn("diagnosis");
  size_t malignant_in_test = 0;
  for (size_t row : split.test) malignant_in_test += target.CategoryAt(row) == "malignant";
  EXPECT_EQ(malignant_in_test, 42u);
  EXPECT_EQ(split.test.size(), 113u);
  EXPECT_EQ(split.train.size(), 456u);
}

TEST(SplitTest, ClassTooSmallToStratifyIsNamed) {
  const Table table = ReadCsv("y\na\na\na\nb\na\n");
  EXPECT_THAT(SplitError(table, {.stratify_column = "y"}),
              HasSubstr("class 'b' of column 'y' has 1 rows, too few to give one to each set "
                        "asked for (train, test)"));
}

TEST(SplitTest, BadFractionsAreErrors) {
  const Table table = Numbered(10);
  EXPECT_THAT(SplitError(table, {.train_fraction = -0.1}),
              HasSubstr("train fraction -0.100000 is not in [0, 1]"));
  EXPECT_THAT(SplitError(table, {.validation_fraction = 1.5}),
              HasSubstr("validation fraction 1.500000 is not in [0, 1]"));
  EXPECT_THAT(
      SplitError(table, {.train_fraction = 0.8, .validation_fraction = 0.1, .test_fraction = 0.2}),
      HasSubstr("sum to 1.100000, more than 1"));
  EXPECT_THAT(SplitError(table, {.train_fraction = 0, .test_fraction = 0}), HasSubstr("are all 0"));
  // 0.7 + 0.2 + 0.1 is 1.0000000000000002 in doubles: accepted.
  RowSplit split =
      SplitOk(table, {.train_fraction = 0.7, .validation_fraction = 0.2, .test_fraction = 0.1});
  EXPECT_EQ(split.train.size() + split.validation.size() + split.test.size(), 10u);
}

TEST(SplitTest, StratifyColumnMissingOrWithMissingValuesIsAnError) {
  EXPECT_THAT(SplitError(Numbered(10), {.stratify_column = "label"}),
              HasSubstr("stratify column 'label' is not in the table"));
  EXPECT_THAT(SplitError(ReadCsv("y\n1\n2\nNA\n3\n"), {.stratify_column = "y"}),
              HasSubstr("'y' has 1 missing values (the first in row 3)"));
}

}  // namespace
}  // namespace modelhost::data
