// ImportCsvFile: the stored dataset holds what ReadCsvFile reads, with the
// same bad rows and messages, whatever the block size cuts.

#include "data/dataset_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "data/dataset_reader.h"
#include "dataset_table_testing.h"

namespace modelhost::data {
namespace {

using ::testing::HasSubstr;
using testing::MessyCsv;

class DatasetImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = testing::MakeTestDirectory("dataset_import_test");
    csv_path_ = (directory_ / "in.csv").string();
    dataset_path_ = (directory_ / "out.mhds").string();
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  void WriteCsv(const std::string& text) {
    std::ofstream(csv_path_, std::ios::binary | std::ios::trunc) << text;
  }

  // Imports with the smallest budget (32 KiB blocks) and checks the result
  // against ReadCsvFile.
  void ExpectImportEqualsRead(const ReadCsvOptions& csv, size_t threads) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    ImportOptions import;
    import.memory_budget_bytes = size_t{1} << 20;
    import.threads = threads;
    std::filesystem::remove(dataset_path_);
    testing::ExpectImportEqualsRead(ImportCsvFile(csv_path_, dataset_path_, csv, import),
                                    ReadCsvFile(csv_path_, csv), dataset_path_);
  }

  std::filesystem::path directory_;
  std::string csv_path_;
  std::string dataset_path_;
};

TEST_F(DatasetImportTest, StoresWhatReadCsvFileReadsAcrossManyBlocks) {
  WriteCsv(MessyCsv(8000, 11, false));  // ~ 300 KB: ten 32 KiB blocks
  ASSERT_GT(std::filesystem::file_size(csv_path_), 4 * (size_t{1} << 16));
  for (size_t threads : {1, 2}) ExpectImportEqualsRead({}, threads);
  auto reader = DatasetReader::Open(dataset_path_);
  ASSERT_TRUE(reader.ok());
  EXPECT_GT((*reader)->num_chunks(), 4u);
}

TEST_F(DatasetImportTest, ReportsTheSameBadRowsAndLines) {
  WriteCsv(MessyCsv(6000, 12, true));
  ReadCsvOptions skip;
  skip.bad_rows = BadRowPolicy::kSkip;
  skip.max_reported_bad_rows = 100000;
  for (size_t threads : {1, 2}) ExpectImportEqualsRead(skip, threads);
  for (size_t threads : {1, 2}) ExpectImportEqualsRead({}, threads);  // kFail: the first one
}

TEST_F(DatasetImportTest, TypesComeFromTheWholeFile) {
  std::string text = "n,flag\n";
  for (int row = 0; row < 40000; ++row) text += std::to_string(row) + ",true\n";
  text += "2.5,maybe\n";  // in the last block
  WriteCsv(text);
  ExpectImportEqualsRead({}, 2);
  auto reader = DatasetReader::Open(dataset_path_);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->schema()[0].type, ColumnType::kFloat64);
  EXPECT_EQ((*reader)->schema()[1].type, ColumnType::kCategorical);
}

// The passes an import of the CSV in csv_path_ took (0 when it failed).
size_t Passes(const std::string& csv_path, const std::string& dataset_path, size_t threads) {
  ImportOptions import;
  import.memory_budget_bytes = size_t{1} << 20;
  import.threads = threads;
  std::filesystem::remove(dataset_path);
  core::Result<ImportResult> imported = ImportCsvFile(csv_path, dataset_path, {}, import);
  return imported.ok() ? imported->passes : 0;
}

TEST_F(DatasetImportTest, AFileWhoseTypesHoldIsReadOnce) {
  // Missing values, a text column quoted or not, a column empty at first:
  // still the first block's types (an empty column is float64 until a value).
  std::string text = "id,score,name,later\n";
  for (int row = 0; row < 30000; ++row) {
    text += std::to_string(row) + "," + (row % 7 == 0 ? "" : std::to_string(row % 100) + ".5") +
            "," + (row % 3 == 0 ? "\"n, " + std::to_string(row % 11) + "\"" : "plain") + "," +
            (row > 25000 ? "0.25" : "") + "\n";
  }
  WriteCsv(text);
  for (size_t threads : {1, 2}) {
    EXPECT_EQ(Passes(csv_path_, dataset_path_, threads), 1u);
    ExpectImportEqualsRead({}, threads);
  }
}

TEST_F(DatasetImportTest, TypesThatChangeAfterTheFirstBlockTakeASecondPass) {
  const auto file = [](const std::string& first, const std::string& later, int switch_row = 25000) {
    std::string text = "a,b\n";
    for (int row = 0; row < 30000; ++row) {
      text += (row < switch_row ? first : later) + "," + std::to_string(row) + "\n";
    }
    return text;
  };
  // Within the first block (its second piece), integers widen to float64 —
  // except after a "-0", whose sign only pass 2 keeps.
  WriteCsv(file("7", "7.5", 2000));
  for (size_t threads : {1, 2}) {
    EXPECT_EQ(Passes(csv_path_, dataset_path_, threads), 1u);
    ExpectImportEqualsRead({}, threads);
  }
  std::string negative_zero = file("7", "0.5", 3000);  // the first piece ends before row 3000
  negative_zero.replace(negative_zero.find("7,0\n"), 1, "-0");
  WriteCsv(negative_zero);
  for (size_t threads : {1, 2}) {
    EXPECT_EQ(Passes(csv_path_, dataset_path_, threads), 2u);
    ExpectImportEqualsRead({}, threads);
  }
  // Integers then a fraction; "-0" among integers then a fraction (its sign
  // must survive); numbers then text; empty then integers; bools then numbers.
  for (const std::string& text : {file("7", "7.5"), file("-0", "0.5"), file("7", "seven"),
                                  file("", "7"), file("true", "1")}) {
    SCOPED_TRACE(text.substr(0, 20));
    WriteCsv(text);
    for (size_t threads : {1, 2}) {
      EXPECT_EQ(Passes(csv_path_, dataset_path_, threads), 2u);
      ExpectImportEqualsRead({}, threads);
    }
  }
}

TEST_F(DatasetImportTest, OverridesAndAHeaderOnlyFile) {
  WriteCsv("a,b\n");
  ExpectImportEqualsRead({}, 2);
  ReadCsvOptions options;
  options.column_types = {{"b", ColumnType::kCategorical}};
  WriteCsv("a,b\r\n1,2\r\n3,x\r\n");
  ExpectImportEqualsRead(options, 2);
  options.column_types = {{"zz", ColumnType::kCategorical}};
  ExpectImportEqualsRead(options, 2);  // an error, the same
}

TEST_F(DatasetImportTest, ARecordLongerThanTheBlockIsABadRow) {
  const std::string huge(20000, 'x');  // two lines of it: one record over 32 KiB
  WriteCsv("a,b\n1,2\n3,\"" + huge + "\n" + huge + "\"\n5,6\n");
  ImportOptions import;
  import.memory_budget_bytes = size_t{1} << 20;
  auto failed = ImportCsvFile(csv_path_, dataset_path_, {}, import);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(),
              HasSubstr(csv_path_ + ": line 3: the record starting on this line is longer"));
  EXPECT_FALSE(std::filesystem::exists(dataset_path_));

  ReadCsvOptions skip;
  skip.bad_rows = BadRowPolicy::kSkip;
  auto skipped = ImportCsvFile(csv_path_, dataset_path_, skip, import);
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  // Line 3 is skipped; line 4 (x…x") is a bad row of its own; 1,2 and 5,6 stay.
  EXPECT_EQ(skipped->rows, 2u);
  EXPECT_EQ(skipped->bad_row_count, 2u);
}

TEST_F(DatasetImportTest, RejectsATinyBudgetAndAMissingFile) {
  WriteCsv("a\n1\n");
  ImportOptions import;
  import.memory_budget_bytes = 1000;
  EXPECT_EQ(ImportCsvFile(csv_path_, dataset_path_, {}, import).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(ImportCsvFile(csv_path_ + ".absent", dataset_path_).status().code(),
            core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace modelhost::data
