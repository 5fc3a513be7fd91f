// ImportJsonLinesFile: the stored dataset holds what ReadJsonLinesFile reads,
// with the same bad rows and messages, whatever the blocks and chunks cut.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "data/dataset_import.h"
#include "data/dataset_reader.h"
#include "dataset_table_testing.h"

namespace modelhost::data {
namespace {

using ::testing::HasSubstr;

// JSON Lines mixing every shape the reader knows: keys in varying order and
// sometimes absent, nulls, a key that first shows up late, integers that meet
// a fraction late, non-ASCII strings, blank and CRLF lines; with bad rows
// (invalid JSON, nested values, contradicting types, invalid UTF-8, non-objects).
std::string MessyJsonLines(size_t rows, uint32_t seed, bool with_bad_rows) {
  std::mt19937 random(seed);
  std::string text = "\xEF\xBB\xBF";
  for (size_t row = 0; row < rows; ++row) {
    const unsigned pick = random() % 25;
    if (with_bad_rows) {
      switch (pick) {
        case 0: text += "{\"id\": 1, \"score\": \n"; continue;
        case 1: text += "{\"id\": 2, \"nested\": {\"a\": 1}}\n"; continue;
        case 2: text += "{\"id\": \"not a number\"}\n"; continue;
        case 3: text += "{\"note\": \"\xFF\xFE\"}\n"; continue;
        case 4: text += "[1, 2, 3]\n"; continue;
        case 5: text += "{\"flag\": 1}\n"; continue;
        default: break;
      }
    }
    if (pick == 6) text += "\n  \t\r\n";  // blank lines
    std::string line = "{\"id\": " + std::to_string(row);
    if (pick != 7) line += ", \"score\": " + std::to_string(random() % 1000) + ".25";
    if (pick == 8) line += ", \"score2\": null";
    line += ", \"flag\": " + std::string(random() % 2 ? "true" : "false");
    if (random() % 3 != 0) {
      line += ", \"note\": \"caf\xC3\xA9 " + std::to_string(random() % 9) + "\\n\\\"q\\\"\"";
    }
    // Integers until late in the file, then a fraction: int64 widens to float64.
    line += ", \"count\": ";
    line += row + 10 == rows ? "0.5" : (pick == 9 ? "null" : std::to_string(random() % 100));
    if (row > rows / 2) line += ", \"late\": " + std::to_string(row % 3 == 0);
    line += "}";
    text += line + (random() % 4 == 0 ? "\r\n" : "\n");
  }
  return text;
}

class JsonLinesImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = testing::MakeTestDirectory("jsonl_import_test");
    jsonl_path_ = (directory_ / "in.jsonl").string();
    dataset_path_ = (directory_ / "out.mhds").string();
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  void Write(const std::string& text) {
    std::ofstream(jsonl_path_, std::ios::binary | std::ios::trunc) << text;
  }

  // Imports with the smallest budget (32 KiB blocks) and checks the result
  // against ReadJsonLinesFile.
  void ExpectImportEqualsRead(const ReadJsonLinesOptions& options) {
    ImportOptions import;
    import.memory_budget_bytes = size_t{1} << 20;
    std::filesystem::remove(dataset_path_);
    testing::ExpectImportEqualsRead(
        ImportJsonLinesFile(jsonl_path_, dataset_path_, options, import),
        ReadJsonLinesFile(jsonl_path_, options), dataset_path_);
  }

  size_t StoredChunks() {
    auto reader = DatasetReader::Open(dataset_path_);
    EXPECT_TRUE(reader.ok());
    return reader.ok() ? (*reader)->num_chunks() : 0;
  }

  std::filesystem::path directory_;
  std::string jsonl_path_;
  std::string dataset_path_;
};

TEST_F(JsonLinesImportTest, StoresWhatReadJsonLinesFileReadsAcrossManyBlocks) {
  Write(MessyJsonLines(8000, 3, false));  // ~ 640 KB: twenty 32 KiB blocks
  ASSERT_GT(std::filesystem::file_size(jsonl_path_), 8 * (size_t{1} << 16));
  ExpectImportEqualsRead({});
  EXPECT_GT(StoredChunks(), 8u);
  auto reader = DatasetReader::Open(dataset_path_);
  ASSERT_TRUE(reader.ok());
  // The fraction near the end widened "count"; "late" appeared past the middle.
  bool widened = false;
  for (const DatasetColumn& column : (*reader)->schema()) {
    if (column.name == "count") widened = column.type == ColumnType::kFloat64;
  }
  EXPECT_TRUE(widened);
}

TEST_F(JsonLinesImportTest, ReportsTheSameBadRowsAndLinesUnderSkipAndFail) {
  Write(MessyJsonLines(6000, 4, true));
  ReadJsonLinesOptions skip;
  skip.bad_rows = BadRowPolicy::kSkip;
  skip.max_reported_bad_rows = 100000;
  ExpectImportEqualsRead(skip);
  skip.max_reported_bad_rows = 3;
  ExpectImportEqualsRead(skip);
  ExpectImportEqualsRead({});  // kFail: the first bad row, the same error
}

TEST_F(JsonLinesImportTest, OverridesAndFilesWithoutRows) {
  Write(MessyJsonLines(3000, 5, true));
  ReadJsonLinesOptions options;
  options.bad_rows = BadRowPolicy::kSkip;
  options.column_types = {{"id", ColumnType::kFloat64}, {"flag", ColumnType::kCategorical}};
  ExpectImportEqualsRead(options);  // every flag is bad: no good line has it, an error
  options.column_types = {{"score", ColumnType::kFloat64}, {"count", ColumnType::kInt64}};
  ExpectImportEqualsRead(options);  // the late fraction is a bad row
  options.column_types = {{"absent", ColumnType::kInt64}};
  ExpectImportEqualsRead(options);  // an error, the same
  Write("");
  ExpectImportEqualsRead({});
  Write("\n\r\n  \n");
  ExpectImportEqualsRead({});
  Write("{\"only\": null}\n{}\n{\"only\": null}");  // no line end at the end
  ExpectImportEqualsRead({});
}

TEST_F(JsonLinesImportTest, ManySparseColumnsCutChunksByRows) {
  // 500 keys, each line has two: the chunk's values, not the text, bound a
  // chunk (of 30 rows, in a file of one block).
  std::string text;
  for (int row = 0; row < 2000; ++row) {
    text += "{\"k" + std::to_string(row % 500) + "\": " + std::to_string(row) + ", \"s\": \"v" +
            std::to_string(row % 13) + "\"}\n";
  }
  Write(text);
  ExpectImportEqualsRead({});
  EXPECT_GT(StoredChunks(), 50u);
}

TEST_F(JsonLinesImportTest, ALineLongerThanTheBlockIsABadRow) {
  const std::string huge(150000, 'x');  // over four 32 KiB blocks
  Write("{\"a\": 1}\n{\"a\": 2, \"b\": \"" + huge + "\"}\n{\"a\": 3}\n");
  ImportOptions import;
  import.memory_budget_bytes = size_t{1} << 20;
  auto failed = ImportJsonLinesFile(jsonl_path_, dataset_path_, {}, import);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(),
              HasSubstr(jsonl_path_ + ": line 2: the line is longer than the import's block"));
  EXPECT_FALSE(std::filesystem::exists(dataset_path_));

  ReadJsonLinesOptions skip;
  skip.bad_rows = BadRowPolicy::kSkip;
  auto skipped = ImportJsonLinesFile(jsonl_path_, dataset_path_, skip, import);
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  EXPECT_EQ(skipped->rows, 2u);
  EXPECT_EQ(skipped->bad_row_count, 1u);
  ASSERT_EQ(skipped->schema.size(), 1u);  // "b" came only in the skipped line
  auto stored = ReadDataset(dataset_path_);
  ASSERT_TRUE(stored.ok());
  EXPECT_THAT(stored->column(0).int64_values(), ::testing::ElementsAre(1, 3));
}

TEST_F(JsonLinesImportTest, RejectsATinyBudgetAndAMissingFile) {
  Write("{\"a\": 1}\n");
  ImportOptions import;
  import.memory_budget_bytes = 1000;
  EXPECT_EQ(ImportJsonLinesFile(jsonl_path_, dataset_path_, {}, import).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(ImportJsonLinesFile(jsonl_path_ + ".absent", dataset_path_).status().code(),
            core::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dataset_path_));
}

}  // namespace
}  // namespace modelhost::data
