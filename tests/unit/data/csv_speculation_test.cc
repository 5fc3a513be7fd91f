// ReadCsvBuffer converts each piece's columns during pass 1 with the types the
// piece's own values suggest, and converts again only what the whole file's
// types contradict. Its tables must equal those of the plain two-pass
// conversion (ImportCsvFile: check everything, then convert with the final
// types) bit for bit, however types change within and across pieces.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "data/csv_reader.h"
#include "data/dataset_import.h"
#include "data/dataset_reader.h"
#include "dataset_table_testing.h"

namespace modelhost::data {
namespace {

using testing::TableDifference;

// A value of column `column` in row `row` of `rows`: each column changes
// what it holds at some row (`turn`), the shapes that make a piece's guess
// wrong — ints meeting a fraction, "-0" among ints, bools meeting numbers,
// numbers meeting text, beyond-2^53 integers, spaced and signed numbers.
std::string Value(size_t column, size_t row, size_t turn, std::mt19937& random) {
  if (random() % 9 == 0) return random() % 2 ? "" : "NA";
  const bool after = row >= turn;
  const int small = static_cast<int>(random() % 200) - 100;
  switch (column) {
    case 0: return after ? std::to_string(small) + ".5" : std::to_string(small);
    case 1: return after ? "0.25" : (random() % 3 == 0 ? "-0" : std::to_string(small));
    case 2: return after ? std::to_string(small) : (random() % 2 ? "true" : "False");
    case 3: return after ? "word" + std::to_string(small % 5) : std::to_string(small);
    case 4: return after ? std::to_string(small) : "x" + std::to_string(small % 3);
    case 5: return after ? "1e3" : std::to_string(9007199254740993LL + small);
    case 6: return after ? " 7 " : (random() % 2 ? "+5" : "-12");
    case 7: return row == turn ? "3.75" : "";  // one value in the whole column
    case 8: return after ? "nan" : "inf";
    default: return std::to_string(small);  // overridden as float64
  }
}

constexpr size_t kColumns = 10;

std::string MakeCsv(size_t rows, uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<size_t> turns(kColumns);
  for (size_t& turn : turns) turn = random() % (rows + rows / 4);  // some never turn
  std::string text = "c0";
  for (size_t column = 1; column < kColumns; ++column) text += ",c" + std::to_string(column);
  text += "\n";
  for (size_t row = 0; row < rows; ++row) {
    for (size_t column = 0; column < kColumns; ++column) {
      if (column > 0) text += ',';
      text += Value(column, row, turns[column], random);
    }
    text += random() % 5 == 0 ? "\r\n" : "\n";
  }
  return text;
}

class CsvSpeculationTest : public ::testing::Test {
 protected:
  void SetUp() override { directory_ = testing::MakeTestDirectory("csv_speculation_test"); }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // The two-pass conversion of `text`, through a stored dataset.
  Table TwoPass(const std::string& text, const ReadCsvOptions& options) {
    const std::string csv = (directory_ / "in.csv").string();
    const std::string stored = (directory_ / "out.mhds").string();
    std::ofstream(csv, std::ios::binary | std::ios::trunc) << text;
    auto imported = ImportCsvFile(csv, stored, options, {});
    EXPECT_TRUE(imported.ok()) << imported.status().ToString();
    auto table = ReadDataset(stored);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? std::move(table).value() : Table();
  }

  std::filesystem::path directory_;
};

TEST_F(CsvSpeculationTest, OnePassEqualsTwoPassesWhateverThePieces) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    const std::string text = MakeCsv(300, seed);
    ReadCsvOptions options;
    options.column_types = {{"c9", ColumnType::kFloat64}};
    const Table expected = TwoPass(text, options);
    ASSERT_EQ(expected.num_rows(), 300u);
    for (size_t threads : {1, 2}) {
      for (size_t chunk_bytes : {size_t{1} << 40, size_t{700}, size_t{97}}) {
        SCOPED_TRACE("seed " + std::to_string(seed) + ", threads " + std::to_string(threads) +
                     ", pieces of " + std::to_string(chunk_bytes) + " bytes");
        options.threads = threads;
        options.parallel_chunk_bytes = chunk_bytes;
        auto read = ReadCsvBuffer(text, "s.csv", options);
        ASSERT_TRUE(read.ok()) << read.status().ToString();
        EXPECT_EQ(TableDifference(read->table, expected), "");
      }
    }
  }
}

TEST(CsvSpeculationSignTest, MinusZeroKeepsItsSignWhenTheColumnBecomesFloat64) {
  ReadCsvOptions options;
  options.threads = 2;
  options.parallel_chunk_bytes = 8;  // "-0" and "0.5" in different pieces
  auto read = ReadCsvBuffer("a\n-0\n1\n-0\n2\n0.5\n", "z.csv", options);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const Column& a = read->table.column(0);
  ASSERT_EQ(a.type(), ColumnType::kFloat64);
  EXPECT_TRUE(std::signbit(a.float64_values()[0]));
  EXPECT_TRUE(std::signbit(a.float64_values()[2]));
  EXPECT_FALSE(std::signbit(a.float64_values()[1]));
}

}  // namespace
}  // namespace modelhost::data
