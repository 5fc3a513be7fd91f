// ReadCsvBuffer converts each piece's columns during pass 1 with the types the
// piece's own values suggest — writing float64 and int64 values straight into
// the table's columns where their places were foretold — and converts again
// only what the whole file's types contradict. Its tables must equal those of
// the plain two-pass conversion (check everything, then convert with the
// final types) bit for bit, however types change within and across pieces
// and however the lines foretell the rows. ImportCsvFile's one-pass and
// two-pass imports must equal it too.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "data/column_builder.h"
#include "data/csv_chunk_parser.h"
#include "data/csv_reader.h"
#include "data/csv_tokenizer.h"
#include "data/dataset_import.h"
#include "data/dataset_reader.h"
#include "data/field_parser.h"
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

// `messy_lines`: also blank lines, lone CRs, and quoted line breaks, which
// make the line count foretell the rows wrongly.
std::string MakeCsv(size_t rows, uint32_t seed, bool messy_lines = false) {
  std::mt19937 random(seed);
  std::vector<size_t> turns(kColumns);
  for (size_t& turn : turns) turn = random() % (rows + rows / 4);  // some never turn
  std::string text = "c0";
  for (size_t column = 1; column < kColumns; ++column) text += ",c" + std::to_string(column);
  text += "\n";
  for (size_t row = 0; row < rows; ++row) {
    for (size_t column = 0; column < kColumns; ++column) {
      if (column > 0) text += ',';
      std::string value = Value(column, row, turns[column], random);
      if (messy_lines && column == 3 && random() % 7 == 0) value = "\"two\nlines\"";
      text += value;
    }
    const unsigned end = random() % 10;
    text += end < 2 ? "\r\n" : messy_lines && end == 2 ? "\r" : "\n";
    if (messy_lines && random() % 13 == 0) text += "\n";
  }
  return text;
}

class CsvSpeculationTest : public ::testing::Test {
 protected:
  void SetUp() override { directory_ = testing::MakeTestDirectory("csv_speculation_test"); }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // The plain two-pass conversion of `text`, written here from the tokenizer
  // and the field parsers alone (none of the readers' fast paths): every
  // record tokenized and its values observed for the types, then every value
  // converted with the final types. `text` holds no bad row. Missing tokens
  // are the default ones.
  static Table TwoPass(const std::string& text, const ReadCsvOptions& options) {
    const ReadCsvOptions defaults;
    const auto missing = [&](std::string_view value) {
      return std::find(defaults.missing_values.begin(), defaults.missing_values.end(), value) !=
             defaults.missing_values.end();
    };
    CsvTokenizer tokenizer(text, ',');
    std::vector<CsvField> fields;
    std::string scratch;
    std::vector<std::string> names;
    std::vector<std::vector<std::string>> rows;
    while (tokenizer.Next(fields) == CsvTokenStatus::kRecord) {
      std::vector<std::string> values;
      for (const CsvField& field : fields) values.emplace_back(field.Value(scratch));
      if (names.empty()) {
        names = std::move(values);
      } else {
        rows.push_back(std::move(values));
      }
    }
    std::vector<Column> columns;
    for (size_t column = 0; column < names.size(); ++column) {
      TypeEvidence evidence;
      for (const auto& row : rows) {
        if (!missing(row[column])) evidence.Observe(row[column]);
      }
      ColumnType type = evidence.Type();
      for (const auto& [name, overridden] : options.column_types) {
        if (name == names[column]) type = overridden;
      }
      ColumnBuilder builder(names[column], type);
      for (const auto& row : rows) {
        const std::string& value = row[column];
        if (missing(value)) {
          builder.AppendMissing();
        } else if (type == ColumnType::kFloat64) {
          builder.AppendFloat64(*ParseFloat64(value));
        } else if (type == ColumnType::kInt64) {
          builder.AppendInt64(*ParseInt64(value));
        } else if (type == ColumnType::kBool) {
          builder.AppendBool(*ParseBool(value));
        } else {
          EXPECT_TRUE(builder.AppendCategorical(value).ok());
        }
      }
      columns.push_back(std::move(builder).Finish());
    }
    auto table = Table::Make(std::move(columns));
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? std::move(table).value() : Table();
  }

  // The import of `text` through a stored dataset, with blocks of 32 KiB.
  Table Imported(const std::string& text, const ReadCsvOptions& options) {
    const std::string csv = (directory_ / "in.csv").string();
    const std::string stored = (directory_ / "out.mhds").string();
    std::ofstream(csv, std::ios::binary | std::ios::trunc) << text;
    ImportOptions import;
    import.memory_budget_bytes = size_t{1} << 20;
    import.threads = 2;
    auto imported = ImportCsvFile(csv, stored, options, import);
    EXPECT_TRUE(imported.ok()) << imported.status().ToString();
    auto table = ReadDataset(stored);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? std::move(table).value() : Table();
  }

  std::filesystem::path directory_;
};

TEST_F(CsvSpeculationTest, OnePassEqualsTwoPassesWhateverThePieces) {
  for (uint32_t seed = 1; seed <= 24; ++seed) {
    const bool messy_lines = seed > 12;
    const std::string text = MakeCsv(300, seed, messy_lines);
    ReadCsvOptions options;
    options.column_types = {{"c9", ColumnType::kFloat64}};
    const Table expected = TwoPass(text, options);
    ASSERT_EQ(expected.num_rows(), 300u);
    EXPECT_EQ(TableDifference(Imported(text, options), expected), "") << "seed " << seed;
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

// Past the first 64 KiB, which foretell the placed columns' types: a column
// placed as int64 that turns float64 or text later is joined from its parts.
TEST_F(CsvSpeculationTest, TypesThatTurnAfterTheSampleEqualTwoPasses) {
  for (uint32_t seed = 31; seed <= 34; ++seed) {
    const std::string text = MakeCsv(4000, seed, seed % 2 == 0);
    ASSERT_GT(text.size(), size_t{2} << 16);  // twice the sample
    ReadCsvOptions options;
    const Table expected = TwoPass(text, options);
    for (size_t threads : {1, 2}) {
      SCOPED_TRACE("seed " + std::to_string(seed) + ", threads " + std::to_string(threads));
      options.threads = threads;
      options.parallel_chunk_bytes = 4096;
      auto read = ReadCsvBuffer(text, "s.csv", options);
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      EXPECT_EQ(TableDifference(read->table, expected), "");
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
