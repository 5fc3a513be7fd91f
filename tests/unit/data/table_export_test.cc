// table_export: CSV and JSON text of a table reads back to the same values
// and types, with missing values, quoting and non-finite numbers.

#include "data/table_export.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "data/column_builder.h"
#include "data/csv_reader.h"
#include "data/jsonl_reader.h"

namespace modelhost::data {
namespace {

constexpr std::string_view kCsv =
    "x,n,flag,city\n"
    "0.1,3,true,\"Paris, FR\"\n"
    ",-7,false,\"say \"\"hi\"\"\"\n"
    "1e300,,true,\n"
    "-2.5,9007199254740993,,Oslo\n";

Table Read(std::string_view csv) {
  auto result = ReadCsvBuffer(csv, "test.csv");
  EXPECT_TRUE(result.ok()) << result.status().message();
  return std::move(result->table);
}

void ExpectSameTable(const Table& expected, const Table& actual) {
  ASSERT_EQ(actual.num_columns(), expected.num_columns());
  ASSERT_EQ(actual.num_rows(), expected.num_rows());
  for (size_t c = 0; c < expected.num_columns(); ++c) {
    const Column& a = actual.column(c);
    const Column& e = expected.column(c);
    EXPECT_EQ(a.name(), e.name());
    ASSERT_EQ(a.type(), e.type()) << e.name();
    for (size_t row = 0; row < e.size(); ++row) {
      ASSERT_EQ(a.IsMissing(row), e.IsMissing(row)) << e.name() << " row " << row;
      if (e.IsMissing(row)) continue;
      switch (e.type()) {
        case ColumnType::kFloat64:
          EXPECT_EQ(a.float64_values()[row], e.float64_values()[row]);
          break;
        case ColumnType::kInt64: EXPECT_EQ(a.int64_values()[row], e.int64_values()[row]); break;
        case ColumnType::kBool: EXPECT_EQ(a.bool_values()[row], e.bool_values()[row]); break;
        case ColumnType::kCategorical: EXPECT_EQ(a.CategoryAt(row), e.CategoryAt(row)); break;
      }
    }
  }
}

TEST(TableExportTest, CsvReadsBackToTheSameTable) {
  Table table = Read(kCsv);
  std::string csv;
  AppendCsvHeader(table, &csv);
  AppendCsvRows(table, 0, table.num_rows(), &csv);
  ExpectSameTable(table, Read(csv));
}

TEST(TableExportTest, JsonLinesReadBackToTheSameTable) {
  Table table = Read(kCsv);
  std::string jsonl;
  AppendJsonRows(table, 0, table.num_rows(), "\n", &jsonl);
  auto back = ReadJsonLinesBuffer(jsonl, "test.jsonl");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << jsonl;
  ExpectSameTable(table, back->table);
}

TEST(TableExportTest, ARangeOfRowsAsAJsonArrayBody) {
  Table table = Read(kCsv);
  std::string json;
  AppendJsonRows(table, 1, 3, ",", &json);
  EXPECT_EQ(json, R"({"x":null,"n":-7,"flag":false,"city":"say \"hi\""},)"
                  R"({"x":1e+300,"n":null,"flag":true,"city":null})");
}

TEST(TableExportTest, FieldsAreQuotedOnlyWhenTheyMustBe) {
  std::string out;
  AppendCsvField("plain", &out);
  out += '|';
  AppendCsvField("a,b", &out);
  out += '|';
  AppendCsvField(" padded", &out);
  out += '|';
  AppendCsvField("two\nlines", &out);
  EXPECT_EQ(out, "plain|\"a,b\"|\" padded\"|\"two\nlines\"");
}

TEST(TableExportTest, NonFiniteNumbersBecomeStringsInJson) {
  ColumnBuilder builder("v", ColumnType::kFloat64);
  builder.AppendFloat64(std::numeric_limits<double>::infinity());
  builder.AppendFloat64(-std::numeric_limits<double>::infinity());
  std::vector<Column> columns;
  columns.push_back(std::move(builder).Finish());
  auto made = Table::Make(std::move(columns));
  ASSERT_TRUE(made.ok());
  std::string json;
  AppendJsonRows(*made, 0, 2, ",", &json);
  EXPECT_EQ(json, R"({"v":"inf"},{"v":"-inf"})");
  std::string csv;
  AppendCsvRows(*made, 0, 2, &csv);
  EXPECT_EQ(csv, "inf\n-inf\n");
}

}  // namespace
}  // namespace modelhost::data
