// `modelhost data profile` and `modelhost data transform` run as a user runs
// them, checked against numbers computed independently (tests/cases, with
// their provenance, and tests/data/README.md).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "server_process.h"

namespace modelhost::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kData = MODELHOST_TEST_DATA;
const std::string kCases = std::string(MODELHOST_TEST_DATA) + "/../cases";

std::vector<std::vector<std::string>> ReadCsvLines(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(file, line)) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, ',')) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

class DataCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::path(::testing::TempDir()) /
        ("data_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::string Path(const std::string& name) const { return (directory_ / name).string(); }

  std::filesystem::path directory_;
};

TEST_F(DataCommandTest, ProfileOfPimaCountsItsMissingValues) {
  CommandResult result =
      RunModelhost({"data", "profile", "--json", kData + "/pima_indians_diabetes_na.csv"});
  ASSERT_EQ(result.exit_code, 0) << result.stderr_text;
  Json profile = Json::parse(result.stdout_text);
  EXPECT_EQ(profile["num_rows"], 768);
  // tests/data/README.md: the NA file's missing cells per column.
  std::map<std::string, int> missing;
  for (const Json& column : profile["columns"]) missing[column["name"]] = column["missing_count"];
  EXPECT_EQ(missing["glucose"], 5);
  EXPECT_EQ(missing["pressure"], 35);
  EXPECT_EQ(missing["triceps"], 227);
  EXPECT_EQ(missing["insulin"], 374);
  EXPECT_EQ(missing["mass"], 11);
  EXPECT_EQ(missing["age"], 0);

  CommandResult table = RunModelhost({"data", "profile", kData + "/pima_indians_diabetes_na.csv"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_THAT(table.stdout_text, HasSubstr("insulin"));
  EXPECT_THAT(table.stdout_text, HasSubstr("768 rows"));
}

// The features match scikit-learn's SimpleImputer(median) + StandardScaler
// (tests/cases/pima_median_standardize/README.md) to float precision, and the
// fitted pipeline is written beside them.
TEST_F(DataCommandTest, TransformWritesFeaturesAndTheFittedPipeline) {
  const std::string cases = kCases + "/pima_median_standardize";
  CommandResult result = RunModelhost({"data", "transform", cases + "/input.csv", "--pipeline",
                                       cases + "/pipeline.json", "--target", "diabetes", "--out",
                                       Path("features.csv"), "--save-fitted", Path("fitted.json")});
  ASSERT_EQ(result.exit_code, 0) << result.stderr_text;
  EXPECT_THAT(result.stderr_text, HasSubstr("768 rows × 8 features"));
  auto actual = ReadCsvLines(Path("features.csv"));
  auto expected = ReadCsvLines(cases + "/expected.csv");
  ASSERT_EQ(actual.size(), expected.size());
  EXPECT_EQ(actual[0], expected[0]);
  for (size_t row = 1; row < actual.size(); ++row) {
    ASSERT_EQ(actual[row].size(), expected[row].size()) << "row " << row;
    for (size_t col = 0; col < actual[row].size(); ++col) {
      EXPECT_NEAR(std::stod(actual[row][col]), std::stod(expected[row][col]), 1e-6)
          << "row " << row << ", column " << expected[0][col];
    }
  }
  std::ifstream fitted_file(Path("fitted.json"));
  Json fitted = Json::parse(fitted_file);
  EXPECT_EQ(fitted["format"], "modelhost.fitted_pipeline");
  EXPECT_EQ(fitted["features"].size(), 8u);
}

// A CSV imported into a stored dataset profiles as the CSV does; a damaged
// dataset file is refused naming the file.
TEST_F(DataCommandTest, ImportedDatasetsReadBackAndDamageIsCaught) {
  const std::string csv = kData + "/pima_indians_diabetes_na.csv";
  CommandResult imported = RunModelhost({"data", "import", csv, "--out", Path("pima.mhd"),
                                         "--memory-budget-mib", "1", "--threads", "2"});
  ASSERT_EQ(imported.exit_code, 0) << imported.stderr_text;
  EXPECT_THAT(imported.stdout_text, HasSubstr("768 rows × 9 columns"));
  CommandResult from_csv = RunModelhost({"data", "profile", "--json", csv});
  CommandResult from_dataset = RunModelhost({"data", "profile", "--json", Path("pima.mhd")});
  ASSERT_EQ(from_dataset.exit_code, 0) << from_dataset.stderr_text;
  EXPECT_EQ(Json::parse(from_dataset.stdout_text), Json::parse(from_csv.stdout_text));

  std::string bytes;
  {
    std::ifstream in(Path("pima.mhd"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 200u);
  bytes[bytes.size() / 2] ^= 0x40;
  std::ofstream(Path("damaged.mhd"), std::ios::binary) << bytes;
  CommandResult damaged = RunModelhost({"data", "profile", Path("damaged.mhd")});
  EXPECT_EQ(damaged.exit_code, 1);
  EXPECT_THAT(damaged.stderr_text, HasSubstr("damaged.mhd"));

  CommandResult missing =
      RunModelhost({"data", "import", Path("nope.csv"), "--out", Path("x.mhd")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(Path("x.mhd")));
}

// A JSON Lines file imported into a stored dataset profiles as the file does;
// a bad line fails the import naming the file and the line, and writes nothing.
TEST_F(DataCommandTest, JsonLinesImportReadsBackAndBadLinesAreNamed) {
  {
    std::ofstream out(Path("events.jsonl"), std::ios::binary);
    for (int row = 0; row < 20000; ++row) {
      out << "{\"user\": \"u" << row % 37 << "\", \"amount\": " << row % 1000 << "." << row % 7
          << ", \"count\": " << row % 11 << (row % 5 == 0 ? "" : ", \"paid\": true")
          << (row % 9 == 0 ? ", \"note\": null" : "") << "}\n";
    }
  }
  CommandResult imported = RunModelhost({"data", "import", Path("events.jsonl"), "--out",
                                         Path("events.mhd"), "--memory-budget-mib", "1"});
  ASSERT_EQ(imported.exit_code, 0) << imported.stderr_text;
  EXPECT_THAT(imported.stdout_text, HasSubstr("20000 rows × 5 columns"));
  CommandResult from_jsonl = RunModelhost({"data", "profile", "--json", Path("events.jsonl")});
  CommandResult from_dataset = RunModelhost({"data", "profile", "--json", Path("events.mhd")});
  ASSERT_EQ(from_jsonl.exit_code, 0) << from_jsonl.stderr_text;
  ASSERT_EQ(from_dataset.exit_code, 0) << from_dataset.stderr_text;
  EXPECT_EQ(Json::parse(from_dataset.stdout_text), Json::parse(from_jsonl.stdout_text));

  std::ofstream(Path("bad.ndjson"), std::ios::binary) << "{\"a\": 1}\n{\"a\": \"x\"}\n";
  CommandResult bad =
      RunModelhost({"data", "import", Path("bad.ndjson"), "--out", Path("bad.mhd")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.stderr_text, HasSubstr("bad.ndjson: line 2, key 'a'"));
  EXPECT_FALSE(std::filesystem::exists(Path("bad.mhd")));
}

TEST_F(DataCommandTest, BadPipelinesAndColumnsAreNamed) {
  std::ofstream(Path("typo.json")) << R"({"steps": [{"op": "impute", "columns": "numeric",
                                          "stratgy": "median"}]})";
  CommandResult typo = RunModelhost({"data", "transform", kData + "/pima_indians_diabetes.csv",
                                     "--pipeline", Path("typo.json"), "--out", Path("x.csv")});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_THAT(typo.stderr_text,
              HasSubstr("typo.json: pipeline step 1 (impute): unknown parameter 'stratgy'"));

  std::ofstream(Path("column.json"))
      << R"({"steps": [{"op": "standardize", "columns": ["glucos"]}]})";
  CommandResult column = RunModelhost({"data", "transform", kData + "/pima_indians_diabetes.csv",
                                       "--pipeline", Path("column.json"), "--out", Path("x.csv")});
  EXPECT_EQ(column.exit_code, 1);
  EXPECT_THAT(column.stderr_text, HasSubstr("glucos"));
  EXPECT_FALSE(std::filesystem::exists(Path("x.csv")));

  CommandResult task =
      RunModelhost({"data", "transform", kData + "/pima_indians_diabetes.csv", "--pipeline",
                    Path("column.json"), "--task", "clustering", "--out", Path("x.csv")});
  EXPECT_EQ(task.exit_code, 2);
}

}  // namespace
}  // namespace modelhost::testing
