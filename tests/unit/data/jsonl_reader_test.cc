#include "data/jsonl_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ReadResult ReadOk(std::string_view text, const ReadJsonLinesOptions& options = {}) {
  auto result = ReadJsonLinesBuffer(text, "t.jsonl", options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : ReadResult();
}

std::string ReadError(std::string_view text, const ReadJsonLinesOptions& options = {}) {
  auto result = ReadJsonLinesBuffer(text, "t.jsonl", options);
  EXPECT_FALSE(result.ok());
  return result.ok() ? "" : result.status().message();
}

TEST(JsonLinesReaderTest, TypesComeFromTheValues) {
  ReadResult result = ReadOk(
      "{\"b\": true, \"i\": 1, \"f\": 0.5, \"s\": \"x\"}\r\n"
      "{\"b\": false, \"i\": -2, \"f\": 3, \"s\": \"y\"}\n");
  const Table& table = result.table;
  ASSERT_EQ(table.num_rows(), 2u);
  EXPECT_THAT(table.FindColumn("b")->bool_values(), ElementsAre(1, 0));
  EXPECT_THAT(table.FindColumn("i")->int64_values(), ElementsAre(1, -2));
  EXPECT_EQ(table.FindColumn("f")->type(), ColumnType::kFloat64);
  EXPECT_THAT(table.FindColumn("f")->float64_values(), ElementsAre(0.5, 3.0));
  EXPECT_THAT(table.FindColumn("s")->categories(), ElementsAre("x", "y"));
}

TEST(JsonLinesReaderTest, NullAndMissingKeysAreMissingAndNewKeysAddColumns) {
  ReadResult result = ReadOk(
      "{\"a\": 1}\n"
      "\n"
      "{\"a\": null, \"c\": \"late\"}\n"
      "{\"c\": \"again\"}\n");
  const Table& table = result.table;
  ASSERT_EQ(table.num_rows(), 3u);
  ASSERT_EQ(table.num_columns(), 2u);
  EXPECT_EQ(table.column(0).name(), "a");
  EXPECT_EQ(table.column(0).missing_count(), 2u);
  EXPECT_EQ(table.column(1).name(), "c");
  EXPECT_TRUE(table.column(1).IsMissing(0));
  EXPECT_EQ(table.column(1).CategoryAt(1), "late");
  EXPECT_EQ(table.column(1).CategoryAt(2), "again");
}

TEST(JsonLinesReaderTest, ColumnsComeInWrittenOrderWithinALineToo) {
  ReadResult result =
      ReadOk("{\"z\": 1, \"city\": \"x\", \"a\": true}\n{\"b\": 2, \"a\": false}\n");
  ASSERT_EQ(result.table.num_columns(), 4u);
  EXPECT_EQ(result.table.column(0).name(), "z");
  EXPECT_EQ(result.table.column(1).name(), "city");
  EXPECT_EQ(result.table.column(2).name(), "a");
  EXPECT_EQ(result.table.column(3).name(), "b");
}

TEST(JsonLinesReaderTest, ColumnOfOnlyNullsIsFloat64AllMissing) {
  ReadResult result = ReadOk("{\"n\": null, \"x\": 1}\n{\"x\": 2}\n");
  const Column* n = result.table.FindColumn("n");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->type(), ColumnType::kFloat64);
  EXPECT_EQ(n->missing_count(), 2u);
}

TEST(JsonLinesReaderTest, IntegersWidenToFloat64WhenAFractionArrives) {
  ReadResult result = ReadOk("{\"n\": 1}\n{}\n{\"n\": 2.5}\n{\"n\": 4}\n");
  const Column& n = result.table.column(0);
  ASSERT_EQ(n.type(), ColumnType::kFloat64);
  EXPECT_EQ(n.float64_values()[0], 1.0);
  EXPECT_TRUE(n.IsMissing(1));
  EXPECT_EQ(n.float64_values()[2], 2.5);
  EXPECT_EQ(n.float64_values()[3], 4.0);
}

TEST(JsonLinesReaderTest, NestedValueNamesLineAndKey) {
  EXPECT_EQ(ReadError("{\"a\": 1}\n{\"a\": 2, \"tags\": [1, 2]}\n"),
            "t.jsonl: line 2, key 'tags': nested value (array) is not supported; flatten it into "
            "scalar keys");
  EXPECT_THAT(ReadError("{\"a\": {\"b\": 1}}\n"),
              HasSubstr("line 1, key 'a': nested value (object)"));
}

TEST(JsonLinesReaderTest, MixedTypesContradictTheFirstValue) {
  EXPECT_EQ(
      ReadError("{\"a\": 1}\n{\"a\": \"x\"}\n"),
      "t.jsonl: line 2, key 'a': a string contradicts the column's type int64 (set by line 1)");
}

TEST(JsonLinesReaderTest, OverrideIsEnforced) {
  ReadJsonLinesOptions options;
  options.column_types = {{"a", ColumnType::kInt64}};
  EXPECT_EQ(ReadError("{\"a\": 1}\n{\"a\": 2.5}\n", options),
            "t.jsonl: line 2, key 'a': a number contradicts the column's type int64 (set by an "
            "override)");
  options.column_types = {{"a", ColumnType::kFloat64}};
  ReadResult result = ReadOk("{\"a\": 1}\n", options);
  EXPECT_EQ(result.table.column(0).type(), ColumnType::kFloat64);
  options.column_types = {{"zzz", ColumnType::kFloat64}};
  EXPECT_EQ(ReadError("{\"a\": 1}\n", options),
            "t.jsonl: a type override names key 'zzz', which no line has");
}

TEST(JsonLinesReaderTest, MalformedLinesFail) {
  EXPECT_THAT(ReadError("{\"a\": 1}\n{\"a\": \n"), HasSubstr("t.jsonl: line 2: not valid JSON"));
  EXPECT_EQ(ReadError("[1, 2]\n"), "t.jsonl: line 1: expected a JSON object, found array");
  EXPECT_EQ(ReadError("{\"a\": \"x\xFF\"}\n"),
            "t.jsonl: line 1: invalid UTF-8 at byte 9 of the line");
}

TEST(JsonLinesReaderTest, SkipLeavesBadRowsOutAndAddsNoColumnsFromThem) {
  ReadJsonLinesOptions options;
  options.bad_rows = BadRowPolicy::kSkip;
  options.max_reported_bad_rows = 1;
  ReadResult result = ReadOk(
      "{\"id\": 1}\n"
      "{\"id\": 2, \"bad\": [1]}\n"
      "not json\n"
      "{\"id\": 3}\n",
      options);
  EXPECT_EQ(result.bad_row_count, 2u);
  ASSERT_EQ(result.bad_rows.size(), 1u);
  EXPECT_THAT(result.bad_rows[0].message(), HasSubstr("line 2, key 'bad'"));
  ASSERT_EQ(result.table.num_columns(), 1u);
  EXPECT_THAT(result.table.column(0).int64_values(), ElementsAre(1, 3));
}

}  // namespace
}  // namespace modelhost::data
