// Round trips and corruption of the stored dataset file (DatasetWriter,
// DatasetReader).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/file_reader.h"
#include "data/dataset_checksum.h"
#include "data/dataset_reader.h"
#include "data/dataset_writer.h"
#include "dataset_table_testing.h"

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MakeMixedTable;
using testing::TableDifference;

class DatasetFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = testing::MakeTestDirectory("dataset_file_test");
    path_ = (directory_ / "data.mhds").string();
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  Table RoundTrip(const Table& table, size_t rows_per_chunk) {
    core::Status written = WriteDataset(path_, table, rows_per_chunk);
    EXPECT_TRUE(written.ok()) << written.ToString();
    auto read = ReadDataset(path_);
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    return read.ok() ? std::move(read).value() : Table();
  }

  std::string Bytes() { return core::ReadFileToString(path_).value(); }
  void Overwrite(const std::string& bytes) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes;
  }

  std::filesystem::path directory_;
  std::string path_;
};

TEST(Crc32cTest, MatchesTheCheckValueAndAnySplit) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  std::string text(1000, '\0');
  for (size_t at = 0; at < text.size(); ++at) text[at] = static_cast<char>(at * 31 + 7);
  const uint32_t whole = Crc32c(text);
  for (size_t split : {1, 3, 8, 9, 500, 999}) {
    EXPECT_EQ(Crc32c(std::string_view(text).substr(split), Crc32c(text.substr(0, split))), whole)
        << split;
  }
}

TEST_F(DatasetFileTest, RoundTripsAllTypesWithMissingValuesAtAnyChunkSize) {
  const Table table = MakeMixedTable(1000);
  for (size_t rows_per_chunk : {1, 63, 64, 65, 1000, 5000}) {
    EXPECT_EQ(TableDifference(RoundTrip(table, rows_per_chunk), table), "") << rows_per_chunk;
  }
}

TEST_F(DatasetFileTest, RoundTripsATableWithoutColumnsAndOneWithoutRows) {
  EXPECT_EQ(TableDifference(RoundTrip(Table(), 10), Table()), "");
  const Table no_rows = MakeMixedTable(0);
  const Table read = RoundTrip(no_rows, 10);
  EXPECT_EQ(TableDifference(read, no_rows), "");
  ASSERT_EQ(read.num_columns(), 4u);
  EXPECT_EQ(read.column(3).type(), ColumnType::kCategorical);
  auto reader = DatasetReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->num_chunks(), 0u);
}

TEST_F(DatasetFileTest, ChunksReadAloneCarryTheDictionarySoFar) {
  // Chunks appended separately, each with its own dictionary order.
  auto writer = DatasetWriter::Create(path_, {{"label", ColumnType::kCategorical}});
  ASSERT_TRUE(writer.ok());
  for (const std::vector<std::string>& rows :
       {std::vector<std::string>{"b", "a", "b"}, {"c", "a"}, {"a"}, {"d", "c"}}) {
    ColumnBuilder builder("label", ColumnType::kCategorical);
    for (const std::string& value : rows) ASSERT_TRUE(builder.AppendCategorical(value).ok());
    if (rows.size() == 2) builder.AppendMissing();
    std::vector<Column> columns;
    columns.push_back(std::move(builder).Finish());
    ASSERT_TRUE((*writer)->AppendChunk(Table::Make(std::move(columns)).value()).ok());
  }
  ASSERT_TRUE((*writer)->Finish().ok());

  auto reader = DatasetReader::Open(path_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->num_chunks(), 4u);
  EXPECT_EQ((*reader)->num_rows(), 10u);
  auto all = (*reader)->ReadAll();
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(all->column(0).categories(), ElementsAre("b", "a", "c", "d"));
  std::vector<std::string> values;
  for (size_t row = 0; row < all->num_rows(); ++row)
    values.emplace_back(all->column(0).CategoryAt(row));
  EXPECT_THAT(values, ElementsAre("b", "a", "b", "c", "a", "", "a", "d", "c", ""));

  auto second = (*reader)->ReadChunk(1);
  ASSERT_TRUE(second.ok());
  EXPECT_THAT(second->column(0).categories(), ElementsAre("b", "a", "c"));
  EXPECT_THAT(second->column(0).categorical_codes(), ElementsAre(2, 1, Column::kMissingCode));
  auto third = (*reader)->ReadChunk(2);
  ASSERT_TRUE(third.ok());
  EXPECT_THAT(third->column(0).categories(), ElementsAre("b", "a", "c"));
}

TEST_F(DatasetFileTest, ChunksJoinedEqualTheWholeTable) {
  const Table table = MakeMixedTable(700, 5, 40);
  ASSERT_TRUE(WriteDataset(path_, table, 100).ok());
  auto reader = DatasetReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ((*reader)->num_chunks(), 7u);
  std::vector<ColumnBuilder> builders;
  for (const DatasetColumn& column : (*reader)->schema())
    builders.emplace_back(column.name, column.type);
  for (size_t chunk = 0; chunk < (*reader)->num_chunks(); ++chunk) {
    auto piece = (*reader)->ReadChunk(chunk);
    ASSERT_TRUE(piece.ok()) << piece.status().ToString();
    EXPECT_EQ(piece->num_rows(), (*reader)->chunk_rows(chunk));
    for (size_t column = 0; column < builders.size(); ++column) {
      ASSERT_TRUE(builders[column].AppendColumn(piece->column(column)).ok());
    }
  }
  std::vector<Column> columns;
  for (ColumnBuilder& builder : builders) columns.push_back(std::move(builder).Finish());
  EXPECT_EQ(TableDifference(Table::Make(std::move(columns)).value(), table), "");
}

TEST_F(DatasetFileTest, WriterRejectsAChunkOfAnotherSchema) {
  auto writer = DatasetWriter::Create(path_, {{"real", ColumnType::kFloat64}});
  ASSERT_TRUE(writer.ok());
  core::Status status = (*writer)->AppendChunk(MakeMixedTable(3));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("4 columns"));
  EXPECT_EQ(DatasetWriter::Create(path_, {{"a", ColumnType::kBool}, {"a", ColumnType::kBool}})
                .status()
                .code(),
            core::StatusCode::kInvalidArgument);
}

TEST_F(DatasetFileTest, NothingAppearsWithoutFinish) {
  {
    auto writer = DatasetWriter::Create(path_, SchemaOf(MakeMixedTable(0)));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->AppendChunk(MakeMixedTable(10)).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_TRUE(std::filesystem::is_empty(directory_));
}

TEST_F(DatasetFileTest, SectionsStartAtMultiplesOf64) {
  ASSERT_TRUE(WriteDataset(path_, MakeMixedTable(100), 30).ok());
  EXPECT_EQ(std::filesystem::file_size(path_) % 64, 0u);
  const std::string bytes = Bytes();
  EXPECT_TRUE(bytes.starts_with("MHDSET\r\n"));
  EXPECT_EQ(bytes.substr(bytes.size() - 64, 8), "MHDSEND\n");
}

// Every single-byte change either is caught (DataLoss, or InvalidArgument for
// a version) or lies in padding and changes nothing: never a crash, never a
// different table.
TEST_F(DatasetFileTest, EveryFlippedByteIsCaughtOrHarmless) {
  const Table table = MakeMixedTable(70, 4, 6);
  ASSERT_TRUE(WriteDataset(path_, table, 40).ok());
  const std::string original = Bytes();
  size_t caught = 0;
  for (size_t at = 0; at < original.size(); ++at) {
    std::string damaged = original;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5A);
    Overwrite(damaged);
    auto read = ReadDataset(path_);
    if (read.ok()) {
      EXPECT_EQ(TableDifference(*read, table), "") << "byte " << at;
    } else {
      ++caught;
      EXPECT_THAT(read.status().code(),
                  ::testing::AnyOf(core::StatusCode::kDataLoss, core::StatusCode::kInvalidArgument))
          << at;
      EXPECT_THAT(read.status().message(), HasSubstr(path_)) << at;
    }
  }
  EXPECT_GT(caught, original.size() / 2);
}

TEST_F(DatasetFileTest, EveryTruncationIsDataLoss) {
  ASSERT_TRUE(WriteDataset(path_, MakeMixedTable(100), 40).ok());
  const std::string original = Bytes();
  // Every size within 300 bytes of either end, every 7th in between.
  for (size_t size = 0; size < original.size();
       size += (size < 300 || size + 300 > original.size()) ? 1 : 7) {
    Overwrite(original.substr(0, size));
    auto read = ReadDataset(path_);
    ASSERT_FALSE(read.ok()) << size;
    EXPECT_EQ(read.status().code(), core::StatusCode::kDataLoss) << size;
  }
}

TEST_F(DatasetFileTest, DamageIsNamedByChunkAndColumn) {
  ColumnBuilder id("id", ColumnType::kInt64);
  ColumnBuilder name("name", ColumnType::kCategorical);
  for (int64_t row = 0; row < 6; ++row) {
    id.AppendInt64(row == 4 ? 0x1122334455667788 : row);
    ASSERT_TRUE(name.AppendCategorical(row == 5 ? "zebra-unique" : "x").ok());
  }
  std::vector<Column> columns;
  columns.push_back(std::move(id).Finish());
  columns.push_back(std::move(name).Finish());
  ASSERT_TRUE(WriteDataset(path_, Table::Make(std::move(columns)).value(), 3).ok());
  const std::string original = Bytes();

  std::string damaged = original;
  const int64_t marker = 0x1122334455667788;
  const size_t value_at = damaged.find(std::string_view(reinterpret_cast<const char*>(&marker), 8));
  ASSERT_NE(value_at, std::string::npos);
  damaged[value_at] ^= 1;
  Overwrite(damaged);
  auto reader = DatasetReader::Open(path_);
  ASSERT_TRUE(reader.ok());  // data sections are checked when read
  EXPECT_TRUE((*reader)->ReadChunk(0).ok());
  auto chunk = (*reader)->ReadChunk(1);
  ASSERT_FALSE(chunk.ok());
  EXPECT_EQ(chunk.status().code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(chunk.status().message(), HasSubstr(path_ + ": chunk 1, column 1 'id'"));
  EXPECT_THAT(chunk.status().message(), HasSubstr("checksum"));

  damaged = original;
  damaged[damaged.find("zebra-unique")] ^= 1;
  Overwrite(damaged);
  auto opened = DatasetReader::Open(path_);
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(),
              HasSubstr(path_ + ": chunk 1, column 2 'name': the dictionary section"));
}

TEST_F(DatasetFileTest, ReadAllOnAnyThreadsGivesTheTableAndTheFirstDamage) {
  const Table table = MakeMixedTable(700, 5, 40);
  ASSERT_TRUE(WriteDataset(path_, table, 100).ok());
  auto reader = DatasetReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  for (size_t threads : {0, 1, 2, 8}) {
    auto read = (*reader)->ReadAll(threads);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(TableDifference(*read, table), "") << threads << " threads";
  }

  // Columns 2 and 3 both damaged: the read names column 2, whichever thread
  // meets which first.
  std::vector<Column> columns;
  for (int64_t marker : {int64_t{7}, int64_t{0x0102030405060708}, int64_t{0x1112131415161718}}) {
    ColumnBuilder builder("c" + std::to_string(marker % 100), ColumnType::kInt64);
    for (int row = 0; row < 50; ++row) builder.AppendInt64(row == 20 ? marker : row);
    columns.push_back(std::move(builder).Finish());
  }
  ASSERT_TRUE(WriteDataset(path_, Table::Make(std::move(columns)).value(), 25).ok());
  std::string damaged = Bytes();
  for (int64_t marker : {int64_t{0x0102030405060708}, int64_t{0x1112131415161718}}) {
    const size_t at = damaged.find(std::string_view(reinterpret_cast<const char*>(&marker), 8));
    ASSERT_NE(at, std::string::npos);
    damaged[at] ^= 1;
  }
  Overwrite(damaged);
  auto damaged_reader = DatasetReader::Open(path_);
  ASSERT_TRUE(damaged_reader.ok());
  for (size_t threads : {1, 2, 3}) {
    auto read = (*damaged_reader)->ReadAll(threads);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), core::StatusCode::kDataLoss);
    EXPECT_THAT(read.status().message(), HasSubstr("chunk 0, column 2")) << threads << " threads";
  }
}

// A hostile footer with valid checksums: chunk 1's entries point at chunk
// 0's sections, which would let a small file claim any number of rows.
TEST_F(DatasetFileTest, SectionsMayNotOverlap) {
  ColumnBuilder flag("flag", ColumnType::kBool);
  for (int row = 0; row < 10; ++row) flag.AppendBool(row % 2 == 0);
  std::vector<Column> columns;
  columns.push_back(std::move(flag).Finish());
  ASSERT_TRUE(WriteDataset(path_, Table::Make(std::move(columns)).value(), 5).ok());
  std::string bytes = Bytes();
  const size_t trailer = bytes.size() - 64;
  uint64_t footer_offset;
  uint64_t footer_size;
  std::memcpy(&footer_offset, bytes.data() + trailer + 16, 8);
  std::memcpy(&footer_size, bytes.data() + trailer + 24, 8);
  // Footer: u32 count, u32 type, u32 name size, "flag", u64 rows, u64 chunks,
  // then per chunk u64 rows and one 52-byte entry.
  const size_t first_entry = footer_offset + 4 + 8 + 4 + 16 + 8;
  const size_t second_entry = first_entry + 52 + 8;
  std::memcpy(bytes.data() + second_entry, bytes.data() + first_entry, 52);
  const uint32_t footer_crc = Crc32c(std::string_view(bytes).substr(footer_offset, footer_size));
  std::memcpy(bytes.data() + trailer + 32, &footer_crc, 4);
  const uint32_t trailer_crc = Crc32c(std::string_view(bytes).substr(trailer, 60));
  std::memcpy(bytes.data() + trailer + 60, &trailer_crc, 4);
  Overwrite(bytes);
  auto read = ReadDataset(path_);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(read.status().message(),
              HasSubstr(path_ + ": chunk 1, column 1 'flag': the data section overlaps"));
}

TEST_F(DatasetFileTest, ReadsAFileOfAnotherVersionAsInvalidArgument) {
  ASSERT_TRUE(WriteDataset(path_, MakeMixedTable(5), 10).ok());
  std::string bytes = Bytes();
  bytes[8] = 2;  // the version, with the header's checksum made to match
  const uint32_t crc = Crc32c(std::string_view(bytes).substr(0, 60));
  std::memcpy(bytes.data() + 60, &crc, 4);
  Overwrite(bytes);
  auto read = ReadDataset(path_);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("format version 2"));
}

TEST_F(DatasetFileTest, AMissingFileIsNotFound) {
  EXPECT_EQ(ReadDataset(path_ + ".absent").status().code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace modelhost::data
