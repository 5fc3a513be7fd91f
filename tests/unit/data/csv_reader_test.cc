#include "data/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// tests/data, found from this file's path so the test runs from any directory.
std::string TestDataPath(const std::string& name) {
  return (std::filesystem::path(__FILE__).parent_path() / "../../data" / name).string();
}

ReadResult ReadOk(std::string_view text, const ReadCsvOptions& options = {}) {
  auto result = ReadCsvBuffer(text, "t.csv", options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : ReadResult();
}

std::string ReadError(std::string_view text, const ReadCsvOptions& options = {}) {
  auto result = ReadCsvBuffer(text, "t.csv", options);
  EXPECT_FALSE(result.ok());
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), core::StatusCode::kInvalidArgument);
  return result.status().message();
}

ReadCsvOptions Skip(size_t max_reported = 10) {
  ReadCsvOptions options;
  options.bad_rows = BadRowPolicy::kSkip;
  options.max_reported_bad_rows = max_reported;
  return options;
}

TEST(CsvReaderTest, QuotedFieldsKeepDelimitersQuotesAndNewlines) {
  ReadResult result = ReadOk("id,text\n1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n");
  const Column* text = result.table.FindColumn("text");
  ASSERT_NE(text, nullptr);
  ASSERT_EQ(text->type(), ColumnType::kCategorical);
  EXPECT_THAT(text->categories(), ElementsAre("a,b", "say \"hi\"", "two\nlines"));
  EXPECT_THAT(result.table.FindColumn("id")->int64_values(), ElementsAre(1, 2, 3));
}

TEST(CsvReaderTest, CrlfLineEndsLeaveNoCarriageReturnInValues) {
  ReadResult result = ReadOk("a,b\r\n1,x\r\n2,y\r\n");
  ASSERT_EQ(result.table.num_rows(), 2u);
  EXPECT_EQ(result.table.column(1).name(), "b");
  EXPECT_THAT(result.table.column(1).categories(), ElementsAre("x", "y"));
  EXPECT_THAT(result.table.column(0).int64_values(), ElementsAre(1, 2));
}

TEST(CsvReaderTest, SkipsUtf8ByteOrderMark) {
  ReadResult result = ReadOk(
      "\xEF\xBB\xBF"
      "age,name\n30,\xC3\xA9lodie\n");
  EXPECT_EQ(result.table.column(0).name(), "age");
  EXPECT_EQ(result.table.column(1).CategoryAt(0), "\xC3\xA9lodie");
}

class CsvDelimiterTest : public ::testing::TestWithParam<char> {};

TEST_P(CsvDelimiterTest, DetectsDelimiter) {
  const char d = GetParam();
  std::string text = std::string("a") + d + "b" + d + "c\n1" + d + "\"x,y;z|w\tv\"" + d + "2.5\n" +
                     "3" + d + "q" + d + "4\n";
  EXPECT_EQ(DetectCsvDelimiter(text), d);
  ReadResult result = ReadOk(text);
  ASSERT_EQ(result.table.num_columns(), 3u);
  EXPECT_EQ(result.table.column(1).CategoryAt(0), "x,y;z|w\tv");
  EXPECT_THAT(result.table.column(2).float64_values(), ElementsAre(2.5, 4.0));
}

INSTANTIATE_TEST_SUITE_P(EachCandidate, CsvDelimiterTest, ::testing::Values(',', ';', '\t', '|'));

TEST(CsvReaderTest, DetectionPrefersTheConsistentDelimiter) {
  // Decimal commas: ',' appears in data lines only, ';' splits every line alike.
  EXPECT_EQ(DetectCsvDelimiter("a;b\n1,5;2\n3,5;4\n"), ';');
  EXPECT_EQ(DetectCsvDelimiter("single\n1\n"), ',');
}

TEST(CsvReaderTest, ExplicitDelimiterIsUsedAsGiven) {
  ReadCsvOptions options;
  options.delimiter = ';';
  ReadResult result = ReadOk("a,b;c\n1,2;3\n", options);
  ASSERT_EQ(result.table.num_columns(), 2u);
  EXPECT_EQ(result.table.column(0).name(), "a,b");
}

// A delimiter that is a byte of numbers: "1--2" is three fields, not 1 and -2.
TEST(CsvReaderTest, ADelimiterANumberCouldHoldStillSplitsFields) {
  for (char delimiter : {'-', '+', '.', '7'}) {
    ReadCsvOptions options;
    options.delimiter = delimiter;
    const std::string d(1, delimiter);
    auto ragged = ReadCsvBuffer("a" + d + "b\n1" + d + d + "2\n", "d.csv", options);
    ASSERT_FALSE(ragged.ok()) << delimiter;
    EXPECT_THAT(ragged.status().message(), HasSubstr("row has 3 fields")) << delimiter;
    ReadResult result = ReadOk("a" + d + "b\n12" + d + "3\n", options);
    ASSERT_EQ(result.table.num_columns(), 2u) << delimiter;
    EXPECT_EQ(result.table.column(0).int64_values()[0], 12);
    EXPECT_EQ(result.table.column(1).int64_values()[0], 3);
  }
}

TEST(CsvReaderTest, DefaultMissingTokensAreMissing) {
  ReadResult result = ReadOk("x,s\n1,a\n,b\nNA,c\nN/A,d\nnull,e\nNaN,f\n?,NA\n\"\",g\n");
  const Column& x = result.table.column(0);
  ASSERT_EQ(x.type(), ColumnType::kInt64);
  EXPECT_EQ(x.size(), 8u);
  EXPECT_EQ(x.missing_count(), 7u);
  EXPECT_FALSE(x.IsMissing(0));
  const Column& s = result.table.column(1);
  EXPECT_EQ(s.missing_count(), 1u);
  EXPECT_TRUE(s.IsMissing(6));
}

TEST(CsvReaderTest, CustomMissingTokensReplaceTheDefaults) {
  ReadCsvOptions options;
  options.missing_values = {"-999"};
  ReadResult result = ReadOk("x,s\n-999,NA\n2,b\n", options);
  EXPECT_EQ(result.table.column(0).missing_count(), 1u);
  EXPECT_EQ(result.table.column(1).missing_count(), 0u);
  EXPECT_EQ(result.table.column(1).CategoryAt(0), "NA");
}

TEST(CsvReaderTest, InfersEachTypeFromTheWholeFile) {
  ReadResult result = ReadOk(
      "b,i,f,s,empty\n"
      "true,1,0.5,x,\n"
      "False,-2,3,7,NA\n"
      "TRUE,+3,1e2,y,\n");
  const Table& table = result.table;
  EXPECT_EQ(table.column(0).type(), ColumnType::kBool);
  EXPECT_THAT(table.column(0).bool_values(), ElementsAre(1, 0, 1));
  EXPECT_EQ(table.column(1).type(), ColumnType::kInt64);
  EXPECT_THAT(table.column(1).int64_values(), ElementsAre(1, -2, 3));
  EXPECT_EQ(table.column(2).type(), ColumnType::kFloat64);
  EXPECT_THAT(table.column(2).float64_values(), ElementsAre(0.5, 3.0, 100.0));
  EXPECT_EQ(table.column(3).type(), ColumnType::kCategorical);
  EXPECT_THAT(table.column(3).categories(), ElementsAre("x", "7", "y"));
  EXPECT_EQ(table.column(4).type(), ColumnType::kFloat64);
  EXPECT_EQ(table.column(4).missing_count(), 3u);
}

TEST(CsvReaderTest, ColumnIntUntilItsLastRowIsFloat64) {
  std::string text = "n\n";
  for (int row = 0; row < 500; ++row) text += std::to_string(row) + "\n";
  text += "2.5\n";
  ReadResult result = ReadOk(text);
  const Column& n = result.table.column(0);
  ASSERT_EQ(n.type(), ColumnType::kFloat64);
  ASSERT_EQ(n.size(), 501u);
  EXPECT_EQ(n.float64_values()[499], 499.0);
  EXPECT_EQ(n.float64_values()[500], 2.5);
}

TEST(CsvReaderTest, OverridesReplaceInference) {
  ReadCsvOptions options;
  options.column_types = {{"zip", ColumnType::kCategorical}, {"n", ColumnType::kFloat64}};
  ReadResult result = ReadOk("zip,n\n007,1\n123,2\n", options);
  EXPECT_EQ(result.table.column(0).type(), ColumnType::kCategorical);
  EXPECT_THAT(result.table.column(0).categories(), ElementsAre("007", "123"));
  EXPECT_EQ(result.table.column(1).type(), ColumnType::kFloat64);
  EXPECT_THAT(result.table.column(1).float64_values(), ElementsAre(1.0, 2.0));
}

TEST(CsvReaderTest, OverrideOfAnAbsentColumnFails) {
  ReadCsvOptions options;
  options.column_types = {{"nope", ColumnType::kInt64}};
  EXPECT_EQ(ReadError("a\n1\n", options),
            "t.csv: a type override names column 'nope', which the header lacks");
}

TEST(CsvReaderTest, WithoutHeaderColumnsAreNumbered) {
  ReadCsvOptions options;
  options.has_header = false;
  ReadResult result = ReadOk("1,x\n2,y\n", options);
  ASSERT_EQ(result.table.num_rows(), 2u);
  EXPECT_EQ(result.table.column(0).name(), "column_1");
  EXPECT_EQ(result.table.column(1).name(), "column_2");
  EXPECT_THAT(result.table.column(0).int64_values(), ElementsAre(1, 2));
}

TEST(CsvReaderTest, HeaderOnlyGivesZeroRows) {
  ReadResult result = ReadOk("a,b\n");
  EXPECT_EQ(result.table.num_columns(), 2u);
  EXPECT_EQ(result.table.num_rows(), 0u);
}

TEST(CsvReaderTest, EmptyInputAndRepeatedHeaderNamesFail) {
  EXPECT_EQ(ReadError(""), "t.csv: no header line (the input is empty)");
  EXPECT_EQ(ReadError("a,b,a\n1,2,3\n"),
            "t.csv: line 1, column 3: the header repeats the name 'a' of column 1");
}

TEST(CsvReaderTest, QuoteAsDelimiterIsRejected) {
  ReadCsvOptions options;
  options.delimiter = '"';
  EXPECT_THAT(ReadError("a\n", options), HasSubstr("delimiter cannot be a quote"));
}

// Each bad-input case: the exact message under kFail, the row left out and
// reported under kSkip.
struct BadCase {
  std::string name;
  std::string text;
  std::string message;
  ReadCsvOptions options;
};

class CsvBadRowTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(CsvBadRowTest, FailsNamingLineAndColumn) {
  const BadCase& bad = GetParam();
  EXPECT_EQ(ReadError(bad.text, bad.options), bad.message);
}

TEST_P(CsvBadRowTest, SkipLeavesTheRowOutAndReportsIt) {
  const BadCase& bad = GetParam();
  ReadCsvOptions options = bad.options;
  options.bad_rows = BadRowPolicy::kSkip;
  ReadResult result = ReadOk(bad.text, options);
  EXPECT_EQ(result.bad_row_count, 1u);
  ASSERT_EQ(result.bad_rows.size(), 1u);
  EXPECT_EQ(result.bad_rows[0].message(), bad.message);
  // The good rows around the bad one: ids 1 and 3.
  const Column* id = result.table.FindColumn("id");
  ASSERT_NE(id, nullptr);
  EXPECT_THAT(id->int64_values(), ElementsAre(1, 3));
}

ReadCsvOptions WithOverride(std::string column, ColumnType type) {
  ReadCsvOptions options;
  options.column_types = {{std::move(column), type}};
  return options;
}

INSTANTIATE_TEST_SUITE_P(
    EachCase, CsvBadRowTest,
    ::testing::Values(
        BadCase{"TooFewFields",
                "id,a,b\n1,x,y\n2,x\n3,x,y\n",
                "t.csv: line 3, column 3 'b': row has 2 fields, the header has 3",
                {}},
        BadCase{"TooManyFields",
                "id,a,b\n1,x,y\n2,x,y,z\n3,x,y\n",
                "t.csv: line 3, column 4: row has 4 fields, the header has 3",
                {}},
        BadCase{"UnterminatedQuote",
                "id,a\n1,x\n\n2,\"oops\n3,y\n",
                "t.csv: line 4, column 2 'a': quoted field is never closed (its quote opens in "
                "the row starting on this line and runs to the end of the input)",
                {}},
        BadCase{"TextAfterQuote",
                "id,a\r\n1,x\r\n2,\"ab\"c\r\n3,y\r\n",
                "t.csv: line 3, column 2 'a': text after the closing quote of a quoted field "
                "(a quote inside a quoted field must be doubled)",
                {}},
        BadCase{"InvalidUtf8",
                "id,a\n1,x\n2,ab\xFF\n3,y\n",
                "t.csv: line 3, column 2 'a': invalid UTF-8 at byte 3 of the field",
                {}},
        BadCase{"LineCountsIncludeQuotedNewlines",
                "id,a\n1,\"x\ny\"\n2,\xC3\n3,z\n",
                "t.csv: line 4, column 2 'a': invalid UTF-8 at byte 1 of the field",
                {}},
        BadCase{"ContradictsOverriddenType", "id,n\n1,5\n2,2.5\n3,7\n",
                "t.csv: line 3, column 2 'n': '2.5' is not a valid int64 (the column's type is "
                "set by an override)",
                WithOverride("n", ColumnType::kInt64)},
        BadCase{"ContradictsOverriddenBool", "id,flag\n1,true\n2,yes\n3,false\n",
                "t.csv: line 3, column 2 'flag': 'yes' is not a valid bool (the column's type is "
                "set by an override)",
                WithOverride("flag", ColumnType::kBool)}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(CsvReaderTest, SkippedRowsDoNotInfluenceInference) {
  ReadCsvOptions options = Skip();
  options.column_types = {{"n", ColumnType::kInt64}};
  // Row 2 is bad (n), so its 'abc' in column s must not turn s into text.
  ReadResult result = ReadOk("n,s\n1,5\nx,abc\n3,6\n", options);
  EXPECT_EQ(result.table.column(1).type(), ColumnType::kInt64);
  EXPECT_THAT(result.table.column(1).int64_values(), ElementsAre(5, 6));
}

TEST(CsvReaderTest, SkipCountsEveryBadRowButReportsOnlyTheFirstFew) {
  std::string text = "id,a\n";
  for (int row = 1; row <= 20; ++row) text += std::to_string(row) + (row % 2 ? ",x\n" : "\n");
  ReadResult result = ReadOk(text, Skip(/*max_reported=*/3));
  EXPECT_EQ(result.table.num_rows(), 10u);
  EXPECT_EQ(result.bad_row_count, 10u);
  ASSERT_EQ(result.bad_rows.size(), 3u);
  EXPECT_THAT(result.bad_rows[2].message(), HasSubstr("line 7, column 2 'a'"));
}

TEST(CsvReaderTest, FailPolicyReportsNothingOnSuccess) {
  ReadResult result = ReadOk("a\n1\n");
  EXPECT_EQ(result.bad_row_count, 0u);
  EXPECT_TRUE(result.bad_rows.empty());
}

TEST(CsvReaderTest, MissingFileIsNotFound) {
  auto result = ReadCsvFile(TestDataPath("no_such_file.csv"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), core::StatusCode::kNotFound);
}

TEST(CsvReaderDatasetTest, PimaLoadsWithExpectedTypes) {
  auto result = ReadCsvFile(TestDataPath("pima_indians_diabetes.csv"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Table& table = result->table;
  EXPECT_EQ(table.num_rows(), 768u);
  ASSERT_EQ(table.num_columns(), 9u);
  const char* kInts[] = {"pregnant", "glucose", "pressure", "triceps",
                         "insulin",  "age",     "diabetes"};
  for (const char* name : kInts) {
    ASSERT_NE(table.FindColumn(name), nullptr) << name;
    EXPECT_EQ(table.FindColumn(name)->type(), ColumnType::kInt64) << name;
    EXPECT_EQ(table.FindColumn(name)->missing_count(), 0u) << name;
  }
  EXPECT_EQ(table.FindColumn("mass")->type(), ColumnType::kFloat64);
  EXPECT_EQ(table.FindColumn("pedigree")->type(), ColumnType::kFloat64);
  EXPECT_EQ(table.FindColumn("glucose")->int64_values()[0], 148);
  EXPECT_EQ(table.FindColumn("pedigree")->float64_values()[0], 0.627);
  int64_t diabetic = 0;
  for (int64_t value : table.FindColumn("diabetes")->int64_values()) diabetic += value;
  EXPECT_EQ(diabetic, 268);
}

TEST(CsvReaderDatasetTest, PimaNaMissingCountsPerColumn) {
  auto result = ReadCsvFile(TestDataPath("pima_indians_diabetes_na.csv"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Table& table = result->table;
  ASSERT_EQ(table.num_rows(), 768u);
  ASSERT_EQ(table.num_columns(), 9u);
  const std::pair<const char*, size_t> kMissing[] = {
      {"pregnant", 0}, {"glucose", 5},  {"pressure", 35}, {"triceps", 227}, {"insulin", 374},
      {"mass", 11},    {"pedigree", 0}, {"age", 0},       {"diabetes", 0}};
  size_t total = 0;
  for (const auto& [name, missing] : kMissing) {
    ASSERT_NE(table.FindColumn(name), nullptr) << name;
    EXPECT_EQ(table.FindColumn(name)->missing_count(), missing) << name;
    EXPECT_NE(table.FindColumn(name)->type(), ColumnType::kCategorical) << name;
    total += table.FindColumn(name)->missing_count();
  }
  EXPECT_EQ(total, 652u);
  EXPECT_EQ(table.FindColumn("insulin")->type(), ColumnType::kInt64);
  EXPECT_TRUE(table.FindColumn("insulin")->IsMissing(0));
}

TEST(CsvReaderDatasetTest, BreastCancerDiagnosisIsCategorical) {
  auto result = ReadCsvFile(TestDataPath("breast_cancer_wdbc.csv"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Table& table = result->table;
  EXPECT_EQ(table.num_rows(), 569u);
  EXPECT_EQ(table.num_columns(), 31u);
  const Column* diagnosis = table.FindColumn("diagnosis");
  ASSERT_NE(diagnosis, nullptr);
  ASSERT_EQ(diagnosis->type(), ColumnType::kCategorical);
  ASSERT_THAT(diagnosis->categories(), ElementsAre("malignant", "benign"));
  size_t malignant = 0, benign = 0;
  for (int32_t code : diagnosis->categorical_codes()) (code == 0 ? malignant : benign)++;
  EXPECT_EQ(malignant, 212u);
  EXPECT_EQ(benign, 357u);
  EXPECT_EQ(table.FindColumn("mean_radius")->type(), ColumnType::kFloat64);
}

}  // namespace
}  // namespace modelhost::data
