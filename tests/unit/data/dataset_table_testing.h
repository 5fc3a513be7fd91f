// Test helpers shared by the ingest tests: building small tables and CSV
// texts, and comparing two tables exactly (names, types, validity, values bit for bit,
// dictionaries in order).

#ifndef MODELHOST_TESTS_UNIT_DATA_DATASET_TABLE_TESTING_H_
#define MODELHOST_TESTS_UNIT_DATA_DATASET_TABLE_TESTING_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "data/column_builder.h"
#include "data/dataset_import.h"
#include "data/dataset_reader.h"
#include "data/read_result.h"
#include "data/table.h"

namespace modelhost::data::testing {

// A fresh, empty directory named after `prefix`, the process and the running
// test, under the system's temporary directory.
inline std::filesystem::path MakeTestDirectory(const std::string& prefix) {
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() /
      (prefix + "_" + std::to_string(getpid()) + "_" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory;
}

// A table of `rows` rows with one column of each type, every `missing_every`-th
// value missing (0: none), and `categories` distinct strings (some non-ASCII).
inline Table MakeMixedTable(size_t rows, size_t missing_every = 7, size_t categories = 5,
                            uint32_t seed = 1) {
  std::mt19937 random(seed);
  ColumnBuilder real("real", ColumnType::kFloat64);
  ColumnBuilder count("count", ColumnType::kInt64);
  ColumnBuilder flag("flag", ColumnType::kBool);
  ColumnBuilder label("label", ColumnType::kCategorical);
  for (size_t row = 0; row < rows; ++row) {
    const auto missing = [&](size_t column) {
      return missing_every != 0 && (row + column) % missing_every == 0;
    };
    if (missing(0))
      real.AppendMissing();
    else
      real.AppendFloat64(std::uniform_real_distribution<double>(-1e6, 1e6)(random));
    if (missing(1))
      count.AppendMissing();
    else
      count.AppendInt64(static_cast<int64_t>(random()) - (int64_t{1} << 31));
    if (missing(2))
      flag.AppendMissing();
    else
      flag.AppendBool(random() % 2 == 0);
    if (missing(3)) {
      label.AppendMissing();
    } else {
      EXPECT_TRUE(
          label.AppendCategorical("c\xC3\xA9-" + std::to_string(random() % categories)).ok());
    }
  }
  std::vector<Column> columns;
  columns.push_back(std::move(real).Finish());
  columns.push_back(std::move(count).Finish());
  columns.push_back(std::move(flag).Finish());
  columns.push_back(std::move(label).Finish());
  return Table::Make(std::move(columns)).value();
}

template <typename T>
bool SameBits(std::span<const T> a, std::span<const T> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

// Empty when `actual` equals `expected` exactly, else what differs first.
inline std::string TableDifference(const Table& actual, const Table& expected) {
  if (actual.num_columns() != expected.num_columns()) return "column counts differ";
  if (actual.num_rows() != expected.num_rows()) {
    return "row counts differ: " + std::to_string(actual.num_rows()) + " vs " +
           std::to_string(expected.num_rows());
  }
  for (size_t index = 0; index < actual.num_columns(); ++index) {
    const Column& a = actual.column(index);
    const Column& b = expected.column(index);
    const std::string place = "column " + std::to_string(index + 1) + " '" + b.name() + "': ";
    if (a.name() != b.name()) return place + "name differs: " + a.name();
    if (a.type() != b.type()) return place + "type differs";
    if (!(a.validity() == b.validity())) return place + "validity differs";
    bool same = true;
    switch (a.type()) {
      case ColumnType::kFloat64: same = SameBits(a.float64_values(), b.float64_values()); break;
      case ColumnType::kInt64: same = SameBits(a.int64_values(), b.int64_values()); break;
      case ColumnType::kBool: same = SameBits(a.bool_values(), b.bool_values()); break;
      case ColumnType::kCategorical:
        same = SameBits(a.categorical_codes(), b.categorical_codes()) &&
               std::equal(a.categories().begin(), a.categories().end(), b.categories().begin(),
                          b.categories().end());
        break;
    }
    if (!same) return place + "values differ";
  }
  return "";
}

// Checks an import against the read of the same file: the same error (and no
// dataset file), or a stored dataset equal to the read table with the same
// schema, rows and bad rows.
inline void ExpectImportEqualsRead(const core::Result<ImportResult>& imported,
                                   const core::Result<ReadResult>& read,
                                   const std::string& dataset_path) {
  ASSERT_EQ(imported.ok(), read.ok()) << (read.ok() ? imported.status() : read.status()).ToString();
  if (!read.ok()) {
    EXPECT_EQ(imported.status().ToString(), read.status().ToString());
    EXPECT_FALSE(std::filesystem::exists(dataset_path));
    return;
  }
  auto stored = ReadDataset(dataset_path);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(TableDifference(*stored, read->table), "");
  EXPECT_EQ(imported->rows, read->table.num_rows());
  ASSERT_EQ(imported->schema.size(), read->table.num_columns());
  for (size_t column = 0; column < imported->schema.size(); ++column) {
    EXPECT_EQ(imported->schema[column].name, read->table.column(column).name());
    EXPECT_EQ(imported->schema[column].type, read->table.column(column).type());
  }
  EXPECT_EQ(imported->bad_row_count, read->bad_row_count);
  ASSERT_EQ(imported->bad_rows.size(), read->bad_rows.size());
  for (size_t bad = 0; bad < read->bad_rows.size(); ++bad) {
    EXPECT_EQ(imported->bad_rows[bad].ToString(), read->bad_rows[bad].ToString());
  }
}

// A CSV mixing every shape the tokenizer knows, with bad rows every so often.
inline std::string MessyCsv(size_t rows, uint32_t seed, bool with_bad_rows) {
  std::mt19937 random(seed);
  std::string text = "id,score,flag,note,mixed\r\n";
  for (size_t row = 0; row < rows; ++row) {
    const unsigned pick = random() % 20;
    if (with_bad_rows && pick == 0) {
      text += "1,2\n";  // ragged
      continue;
    }
    if (with_bad_rows && pick == 1) {
      text += "1,2.5,true,\"x\"y,3\n";  // text after a closing quote
      continue;
    }
    if (with_bad_rows && pick == 2) {
      text += "1,2.5,true,\xFF\xFE,3\n";  // invalid UTF-8
      continue;
    }
    if (pick == 3) text += "\n\r\n";  // blank lines
    text += std::to_string(row) + ",";
    text += (pick == 4 ? std::string("NA") : std::to_string(random() % 1000) + ".25") + ",";
    text += (random() % 2 ? "true" : "false");
    text += ",";
    switch (random() % 5) {
      case 0: text += "\"line one\nline two\r\nline three\""; break;
      case 1: text += "\"say \"\"hi\"\", \nthen go\""; break;
      case 2: text += "plain" + std::to_string(random() % 7); break;
      case 3: text += "\"" + std::string(random() % 40, '\n') + "\""; break;
      default: text += ""; break;
    }
    text += ",";
    text += row % 97 == 5 ? "text" : std::to_string(random() % 50);
    text += random() % 3 == 0 ? "\r\n" : "\n";
  }
  return text;
}

}  // namespace modelhost::data::testing

#endif  // MODELHOST_TESTS_UNIT_DATA_DATASET_TABLE_TESTING_H_
