#include "data/background_chunk_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset_reader.h"
#include "dataset_table_testing.h"

namespace modelhost::data {
namespace {

using ::testing::HasSubstr;

Table Ints(std::vector<int64_t> values) {
  ColumnBuilder builder("a", ColumnType::kInt64);
  for (int64_t value : values) builder.AppendInt64(value);
  std::vector<Column> columns;
  columns.push_back(std::move(builder).Finish());
  return Table::Make(std::move(columns)).value();
}

class BackgroundChunkWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = testing::MakeTestDirectory("background_chunk_writer_test");
    path_ = (directory_ / "out.mhds").string();
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::unique_ptr<DatasetWriter> Writer() {
    return DatasetWriter::Create(path_, {{"a", ColumnType::kInt64}}).value();
  }

  std::filesystem::path directory_;
  std::string path_;
};

TEST_F(BackgroundChunkWriterTest, BatchesBecomeChunksInOrder) {
  BackgroundChunkWriter writer(Writer());
  std::vector<Table> first;
  first.push_back(Ints({1, 2}));
  first.push_back(Ints({3}));
  ASSERT_TRUE(writer.Append(std::move(first)).ok());
  std::vector<Table> second;
  second.push_back(Ints({4, 5, 6}));
  ASSERT_TRUE(writer.Append(std::move(second)).ok());
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_EQ(writer.rows_written(), 6u);
  EXPECT_EQ(writer.chunks_written(), 3u);
  auto read = ReadDataset(path_);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(testing::TableDifference(*read, Ints({1, 2, 3, 4, 5, 6})), "");
}

TEST_F(BackgroundChunkWriterTest, ABatchsErrorComesBackAndNoFileAppears) {
  {
    BackgroundChunkWriter writer(Writer());
    ColumnBuilder other("b", ColumnType::kInt64);  // not the schema's column
    other.AppendInt64(1);
    std::vector<Column> columns;
    columns.push_back(std::move(other).Finish());
    std::vector<Table> wrong;
    wrong.push_back(Table::Make(std::move(columns)).value());
    ASSERT_TRUE(writer.Append(std::move(wrong)).ok());  // queued; it fails on its thread
    std::vector<Table> next;
    next.push_back(Ints({1}));
    const core::Status status = writer.Append(std::move(next));
    EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("'b'"));
    EXPECT_FALSE(writer.Finish().ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path_));
}

}  // namespace
}  // namespace modelhost::data
