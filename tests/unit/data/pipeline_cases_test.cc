// Runs every declarative case in tests/cases/<case>/: fits pipeline.json on
// input.csv (with the target of case.json, if any) and compares the features,
// matched by name, and the encoded target with expected.csv, whose numbers
// come from scikit-learn / numpy / pandas (each case's README says how).
// Features are float32, so a value matches when it is within 1e-6 of the
// expected double, relative to the value once that exceeds 1.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/file_reader.h"
#include "data/csv_reader.h"
#include "data/pipeline.h"

namespace modelhost::data {
namespace {

namespace fs = std::filesystem;

fs::path CasesDirectory() { return fs::path(__FILE__).parent_path() / "../../cases"; }

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(CasesDirectory())) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The expected values of one column of expected.csv, as doubles.
std::vector<double> ExpectedColumn(const Column& column) {
  std::vector<double> values;
  for (size_t row = 0; row < column.size(); ++row) {
    values.push_back(column.type() == ColumnType::kInt64
                         ? static_cast<double>(column.int64_values()[row])
                     : column.type() == ColumnType::kBool ? column.bool_values()[row]
                                                          : column.float64_values()[row]);
  }
  return values;
}

void ExpectClose(const std::vector<float>& actual, const std::vector<double>& expected,
                 const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  size_t reported = 0;
  for (size_t row = 0; row < actual.size(); ++row) {
    double tolerance = 1e-6 * std::max(1.0, std::fabs(expected[row]));
    if (std::fabs(actual[row] - expected[row]) > tolerance && reported++ < 5) {
      ADD_FAILURE() << what << ", row " << row + 1 << ": got " << actual[row] << ", expected "
                    << expected[row];
    }
  }
}

class PipelineCaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PipelineCaseTest, MatchesReference) {
  const fs::path directory = CasesDirectory() / GetParam();
  auto input = ReadCsvFile((directory / "input.csv").string());
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  auto spec = core::ReadFileToString((directory / "pipeline.json").string());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  auto pipeline = Pipeline::FromJson(*spec);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();

  std::optional<TargetSpec> target;
  if (fs::exists(directory / "case.json")) {
    // case.json is {"target": {"column": "<name>", "kind": "<kind>"}}; read it
    // through the fitted-pipeline target parser's rules would couple the two,
    // so the test takes the two strings by plain search.
    auto text = core::ReadFileToString((directory / "case.json").string());
    ASSERT_TRUE(text.ok());
    auto field = [&](const std::string& key) {
      size_t at = text->find("\"" + key + "\": \"");
      EXPECT_NE(at, std::string::npos) << key;
      size_t begin = at + key.size() + 5;
      return text->substr(begin, text->find('"', begin) - begin);
    };
    auto kind = ParseTargetKind(field("kind"));
    ASSERT_TRUE(kind.ok()) << kind.status().ToString();
    target = TargetSpec{field("column"), *kind};
  }

  auto fit = pipeline->FitTransform(input->table, target);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const FeatureMatrix& features = fit->features;

  auto expected = ReadCsvFile((directory / "expected.csv").string());
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  const Table& reference = expected->table;
  ASSERT_EQ(reference.num_rows(), features.rows);
  size_t compared = 0;
  for (const Column& column : reference.columns()) {
    if (target && column.name() == target->column) {
      ExpectClose(features.target, ExpectedColumn(column), "target");
      continue;
    }
    auto found = std::find(features.names.begin(), features.names.end(), column.name());
    ASSERT_NE(found, features.names.end()) << "no feature '" << column.name() << "'";
    const size_t feature = found - features.names.begin();
    std::vector<float> actual;
    for (size_t row = 0; row < features.rows; ++row) {
      actual.push_back(features.values[row * features.cols + feature]);
    }
    ExpectClose(actual, ExpectedColumn(column), "feature '" + column.name() + "'");
    ++compared;
  }
  EXPECT_EQ(compared, features.cols) << "expected.csv lacks some features";

  // The fitted pipeline, written and read back, transforms the input to the same bits.
  auto json = fit->fitted.ToJson();
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  auto reloaded = FittedPipeline::FromJson(*json);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  auto again = reloaded->Transform(input->table, TransformMode::kTraining);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->values, features.values);
  EXPECT_EQ(again->target, features.target);
}

INSTANTIATE_TEST_SUITE_P(Cases, PipelineCaseTest, ::testing::ValuesIn(CaseNames()),
                         [](const auto& info) { return info.param; });

TEST(PipelineCaseListTest, HasTheRequiredCases) {
  std::vector<std::string> names = CaseNames();
  for (const char* required :
       {"pima_median_standardize", "adult_onehot_standardize", "diabetes_robust_scale",
        "wine_minmax", "auto_mpg_maxabs", "iris_normalize_rows_l2", "wdbc_log1p_standardize",
        "diabetes_clip_outliers"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
  }
}

}  // namespace
}  // namespace modelhost::data
