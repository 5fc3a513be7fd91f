#include "data/csv_tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;

// The values of every record, or the failing status.
std::vector<std::vector<std::string>> Records(std::string_view text, char delimiter = ',') {
  CsvTokenizer tokenizer(text, delimiter);
  std::vector<CsvField> fields;
  std::vector<std::vector<std::string>> records;
  std::string scratch;
  while (tokenizer.Next(fields) == CsvTokenStatus::kRecord) {
    records.emplace_back();
    for (const CsvField& field : fields) records.back().emplace_back(field.Value(scratch));
  }
  return records;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvTokenizerTest, SplitsQuotedFieldsWithDelimitersQuotesAndNewlines) {
  EXPECT_EQ(Records("a,\"b,c\",\"say \"\"hi\"\"\"\n\"two\nlines\",,x\n"),
            (Rows{{"a", "b,c", "say \"hi\""}, {"two\nlines", "", "x"}}));
}

TEST(CsvTokenizerTest, AcceptsCrlfLoneCrAndNoFinalNewline) {
  EXPECT_EQ(Records("a,b\r\n1,2\r3,4"), (Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
}

TEST(CsvTokenizerTest, SkipsBlankLinesAndCountsLinesInsideQuotes) {
  CsvTokenizer tokenizer("a\n\n\"x\ny\"\r\n\r\nlast\n", ',');
  std::vector<CsvField> fields;
  ASSERT_EQ(tokenizer.Next(fields), CsvTokenStatus::kRecord);
  EXPECT_EQ(tokenizer.record_line(), 1u);
  ASSERT_EQ(tokenizer.Next(fields), CsvTokenStatus::kRecord);
  EXPECT_EQ(tokenizer.record_line(), 3u);
  ASSERT_EQ(tokenizer.Next(fields), CsvTokenStatus::kRecord);
  EXPECT_EQ(tokenizer.record_line(), 6u);
  EXPECT_EQ(fields[0].raw, "last");
  EXPECT_EQ(tokenizer.Next(fields), CsvTokenStatus::kEnd);
}

TEST(CsvTokenizerTest, QuoteInsideUnquotedFieldIsLiteral) {
  EXPECT_EQ(Records("5\" disk,x\n"), (Rows{{"5\" disk", "x"}}));
}

TEST(CsvTokenizerTest, TrailingDelimiterMakesAnEmptyLastField) {
  EXPECT_EQ(Records("a|b|\n", '|'), (Rows{{"a", "b", ""}}));
}

TEST(CsvTokenizerTest, ReportsUnterminatedQuoteAndResumesOnNextLine) {
  CsvTokenizer tokenizer("a,b\n1,\"oops\n3,4\n", ',');
  std::vector<CsvField> fields;
  ASSERT_EQ(tokenizer.Next(fields), CsvTokenStatus::kRecord);
  ASSERT_EQ(tokenizer.Next(fields), CsvTokenStatus::kUnterminatedQuote);
  EXPECT_EQ(tokenizer.record_line(), 2u);
  EXPECT_EQ(tokenizer.error_field(), 1u);
  tokenizer.SkipLine();
  ASSERT_EQ(tokenizer.Next(fields), CsvTokenStatus::kRecord);
  EXPECT_EQ(tokenizer.record_line(), 3u);
  EXPECT_EQ(fields[0].raw, "3");
}

TEST(CsvTokenizerTest, ReportsTextAfterClosingQuote) {
  CsvTokenizer tokenizer("x,\"ab\"c,d\n", ',');
  std::vector<CsvField> fields;
  ASSERT_EQ(tokenizer.Next(fields), CsvTokenStatus::kTextAfterQuote);
  EXPECT_EQ(tokenizer.error_field(), 1u);
}

TEST(CsvTokenizerTest, ChunkedInputStopsBeforeAPartialRecord) {
  const std::string text = "a,b\n\"1\n2\",3\r\n";
  // Every split point must give the same records when the tail is carried over.
  for (size_t split = 0; split <= text.size(); ++split) {
    std::vector<std::vector<std::string>> records;
    std::vector<size_t> lines;
    std::vector<CsvField> fields;
    std::string scratch;
    CsvTokenizer first(std::string_view(text).substr(0, split), ',', /*buffer_ends_input=*/false);
    CsvTokenStatus status;
    while ((status = first.Next(fields)) == CsvTokenStatus::kRecord) {
      records.emplace_back();
      lines.push_back(first.record_line());
      for (const CsvField& field : fields) records.back().emplace_back(field.Value(scratch));
    }
    ASSERT_TRUE(status == CsvTokenStatus::kEnd || status == CsvTokenStatus::kIncomplete);
    CsvTokenizer rest(std::string_view(text).substr(first.position()), ',', true, first.line());
    while (rest.Next(fields) == CsvTokenStatus::kRecord) {
      records.emplace_back();
      lines.push_back(rest.record_line());
      for (const CsvField& field : fields) records.back().emplace_back(field.Value(scratch));
    }
    EXPECT_EQ(records, (Rows{{"a", "b"}, {"1\n2", "3"}})) << "split at " << split;
    EXPECT_THAT(lines, ElementsAre(1u, 2u)) << "split at " << split;
  }
}

}  // namespace
}  // namespace modelhost::data
