// ReadCsvBuffer cut into pieces on several threads gives exactly what one
// thread gives: the table, the bad rows and their messages (line numbers
// included), also when quoted fields with line breaks straddle the cuts.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "data/csv_reader.h"
#include "dataset_table_testing.h"

namespace modelhost::data {
namespace {

using ::testing::HasSubstr;
using testing::MessyCsv;
using testing::TableDifference;

ReadCsvOptions Options(size_t threads, size_t chunk_bytes, BadRowPolicy policy) {
  ReadCsvOptions options;
  options.threads = threads;
  options.parallel_chunk_bytes = chunk_bytes;
  options.bad_rows = policy;
  options.max_reported_bad_rows = 1000;
  return options;
}

void ExpectSameAsOneThread(const std::string& text, BadRowPolicy policy) {
  auto one = ReadCsvBuffer(text, "m.csv", Options(1, size_t{1} << 40, policy));
  for (size_t threads : {1, 2, 3}) {
    for (size_t chunk_bytes : {1, 5, 64, 333, 4096}) {
      SCOPED_TRACE("threads " + std::to_string(threads) + ", pieces of " +
                   std::to_string(chunk_bytes) + " bytes");
      auto many = ReadCsvBuffer(text, "m.csv", Options(threads, chunk_bytes, policy));
      ASSERT_EQ(many.ok(), one.ok());
      if (!one.ok()) {
        EXPECT_EQ(many.status().ToString(), one.status().ToString());
        continue;
      }
      EXPECT_EQ(TableDifference(many->table, one->table), "");
      EXPECT_EQ(many->bad_row_count, one->bad_row_count);
      ASSERT_EQ(many->bad_rows.size(), one->bad_rows.size());
      for (size_t bad = 0; bad < one->bad_rows.size(); ++bad) {
        EXPECT_EQ(many->bad_rows[bad].ToString(), one->bad_rows[bad].ToString());
      }
    }
  }
}

TEST(CsvParallelTest, PiecesGiveTheSameTableAsOneThread) {
  for (uint32_t seed : {1, 2, 3}) {
    const std::string text = MessyCsv(400, seed, false);
    ExpectSameAsOneThread(text, BadRowPolicy::kFail);
    auto one = ReadCsvBuffer(text, "m.csv", Options(1, size_t{1} << 40, BadRowPolicy::kFail));
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    EXPECT_EQ(one->table.num_rows(), 400u);
    EXPECT_EQ(one->table.FindColumn("mixed")->type(), ColumnType::kCategorical);
    EXPECT_EQ(one->table.FindColumn("score")->type(), ColumnType::kFloat64);
  }
}

TEST(CsvParallelTest, PiecesReportTheSameBadRowsWithTheSameLines) {
  for (uint32_t seed : {4, 5}) {
    const std::string text = MessyCsv(400, seed, true);
    ExpectSameAsOneThread(text, BadRowPolicy::kSkip);
    ExpectSameAsOneThread(text, BadRowPolicy::kFail);
  }
}

TEST(CsvParallelTest, AQuotedFieldSpanningManyPiecesIsOneValue) {
  const std::string huge(5000, '\n');
  const std::string text = "a,b\n1,x\n2,\"" + huge + "\"\n3,y\n4,\"oops\n5,z\n";
  ExpectSameAsOneThread(text, BadRowPolicy::kSkip);
  auto many = ReadCsvBuffer(text, "m.csv", Options(2, 8, BadRowPolicy::kSkip));
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->table.num_rows(), 4u);
  EXPECT_EQ(many->table.column(1).CategoryAt(1), huge);
  // Header line 1, "1,x" line 2, the quoted field lines 3-5003, "3,y" line
  // 5004: the unterminated quote opens on line 5005.
  ASSERT_EQ(many->bad_rows.size(), 1u);
  EXPECT_THAT(many->bad_rows[0].message(), HasSubstr("m.csv: line 5005, column 2 'b'"));
}

TEST(CsvParallelTest, ALaterPieceNamesTheRightLine) {
  std::string text = "a,b\n";
  for (int row = 0; row < 1000; ++row) text += std::to_string(row) + ",\"q\nq\"\n";
  text += "7,8,9\n";  // line 2 + 2 * 1000
  auto many = ReadCsvBuffer(text, "m.csv", Options(2, 100, BadRowPolicy::kFail));
  ASSERT_FALSE(many.ok());
  EXPECT_THAT(many.status().message(), HasSubstr("m.csv: line 2002, column 3: row has 3 fields"));
}

}  // namespace
}  // namespace modelhost::data
