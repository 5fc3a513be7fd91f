#include "data/fitted_pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "pipeline_fixture.h"

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Pima-like rows with a categorical column, missing values and zeros meaning
// "unknown".
constexpr const char* kTrain =
    "glucose,insulin,mass,color,age,y\n"
    "148,0,33.6,red,50,yes\n"
    "85,94,26.6,blue,31,no\n"
    "183,168,,red,32,yes\n"
    "89,0,28.1,green,21,no\n"
    "137,846,43.1,,33,yes\n"
    "116,0,25.6,blue,30,no\n"
    "78,88,31,red,26,yes\n";

constexpr const char* kSpec = R"({"steps": [
  {"op": "mark_missing", "columns": ["insulin"], "values": [0]},
  {"op": "impute", "columns": "numeric", "strategy": "median"},
  {"op": "impute", "columns": "categorical", "strategy": "most_frequent"},
  {"op": "clip_outliers", "columns": ["insulin"], "method": "iqr", "k": 1.5},
  {"op": "log1p", "columns": ["insulin"]},
  {"op": "standardize", "columns": ["glucose", "mass"]},
  {"op": "robust_scale", "columns": ["age"]},
  {"op": "minmax", "columns": ["insulin"], "range": [-1, 1]},
  {"op": "one_hot", "columns": "categorical", "unknown": "ignore"}]})";

bool BitwiseEqual(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The features of one record (TransformRecords of one).
core::Result<std::vector<float>> OneRecord(const FittedPipeline& fitted, const Record& record) {
  MODELHOST_ASSIGN_OR_RETURN(FeatureMatrix matrix, fitted.TransformRecords(std::span(&record, 1)));
  return std::move(matrix.values);
}

// Each record transformed alone gives its row of `matrix`, bit for bit.
void ExpectEachRecordAloneGives(const FittedPipeline& fitted, const std::vector<Record>& records,
                                const FeatureMatrix& matrix) {
  ASSERT_EQ(matrix.rows, records.size());
  for (size_t row = 0; row < records.size(); ++row) {
    auto alone = OneRecord(fitted, records[row]);
    ASSERT_TRUE(alone.ok()) << alone.status().ToString();
    std::vector<float> expected(matrix.values.begin() + row * matrix.cols,
                                matrix.values.begin() + (row + 1) * matrix.cols);
    EXPECT_TRUE(BitwiseEqual(*alone, expected)) << "row " << row;
  }
}

TEST(FittedPipelineTest, JsonRoundTripIsExact) {
  auto fit = FitCsv(kTrain, kSpec, TargetSpec{"y", TargetKind::kClassification});
  auto json = fit.fitted.ToJson();
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  auto parsed = FittedPipeline::FromJson(*json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << *json;
  EXPECT_EQ(*parsed, fit.fitted);
  auto again = parsed->ToJson();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *json);

  Table table = CsvTable(kTrain);
  auto original = fit.fitted.Transform(table, TransformMode::kTraining);
  auto reloaded = parsed->Transform(table, TransformMode::kTraining);
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_TRUE(BitwiseEqual(original->values, reloaded->values));
  EXPECT_TRUE(BitwiseEqual(original->target, reloaded->target));
  // And FitTransform gave exactly what Transform gives on the training data.
  EXPECT_TRUE(BitwiseEqual(original->values, fit.features.values));
  EXPECT_EQ(original->names, fit.features.names);
}

TEST(FittedPipelineTest, DoublesSurviveJsonBitForBit) {
  // Means like 0.1 + 0.2 have no short decimal form.
  auto fit = FitCsv("a\n0.1\n0.2\n0.7000000000000001\n",
                    R"({"steps": [{"op": "standardize", "columns": "a"}]})");
  const auto& scale = std::get<FittedScale>(fit.fitted.steps()[0]);
  auto parsed = FittedPipeline::FromJson(*fit.fitted.ToJson());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const auto& reread = std::get<FittedScale>(parsed->steps()[0]);
  EXPECT_EQ(std::memcmp(&scale.center[0], &reread.center[0], sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(&scale.scale[0], &reread.scale[0], sizeof(double)), 0);
}

TEST(FittedPipelineTest, ARecordMatchesTheTableBitForBit) {
  auto fit = FitCsv(kTrain, kSpec, TargetSpec{"y", TargetKind::kClassification});
  const char* serving =
      "glucose,insulin,mass,color,age\n"
      "120,0,30.5,red,40\n"
      "99,300,,purple,22\n"
      "1e3,5000,60,blue,90\n";
  auto table = fit.fitted.Transform(CsvTable(serving), TransformMode::kInference);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->rows, 3u);
  const std::vector<Record> records = {{{"glucose", int64_t{120}},
                                        {"insulin", int64_t{0}},
                                        {"mass", 30.5},
                                        {"color", "red"},
                                        {"age", int64_t{40}}},
                                       {{"glucose", int64_t{99}},
                                        {"insulin", int64_t{300}},
                                        {"mass", std::monostate()},
                                        {"color", "purple"},
                                        {"age", int64_t{22}}},
                                       {{"glucose", 1e3},
                                        {"insulin", 5000.0},
                                        {"mass", int64_t{60}},
                                        {"color", "blue"},
                                        {"age", int64_t{90}},
                                        {"y", "yes"}}};
  ExpectEachRecordAloneGives(fit.fitted, records, *table);
}

TEST(FittedPipelineTest, RecordErrors) {
  auto fit = FitCsv(kTrain, kSpec, TargetSpec{"y", TargetKind::kClassification});
  Record unknown = {{"glucose", 1.0}, {"weight", 2.0}};
  EXPECT_THAT(OneRecord(fit.fitted, unknown).status().message(),
              HasSubstr("unknown field 'weight'"));
  Record wrong = {{"glucose", "high"}};
  EXPECT_THAT(OneRecord(fit.fitted, wrong).status().message(),
              HasSubstr("field 'glucose': expected int64, got a string"));
  Record fraction = {{"glucose", 1.5}};
  EXPECT_THAT(OneRecord(fit.fitted, fraction).status().message(),
              HasSubstr("field 'glucose': expected int64, got a number"));
}

TEST(FittedPipelineTest, RecordsAsOneTableMatchEachRecordAlone) {
  auto fit = FitCsv(kTrain, kSpec, TargetSpec{"y", TargetKind::kClassification});
  // Fields sorting before, between and after the inputs (the target "y" is
  // allowed anywhere), an unseen category, a missing value.
  const std::vector<Record> records = {
      {{"age", int64_t{40}}, {"color", "red"}, {"glucose", int64_t{120}}, {"mass", 30.5}},
      {{"age", int64_t{22}},
       {"color", "purple"},
       {"glucose", int64_t{99}},
       {"insulin", int64_t{300}},
       {"mass", std::monostate()},
       {"y", "no"}},
      {{"age", int64_t{90}}, {"insulin", 5000.0}, {"mass", int64_t{60}}}};
  auto together = fit.fitted.TransformRecords(records);
  ASSERT_TRUE(together.ok()) << together.status().ToString();
  ASSERT_EQ(together->rows, records.size());
  EXPECT_EQ(together->names, fit.fitted.feature_names());
  ExpectEachRecordAloneGives(fit.fitted, records, *together);
}

TEST(FittedPipelineTest, ACopyOutlivesTheOriginal) {
  auto original = std::make_unique<FittedPipeline>(
      FitCsv(kTrain, kSpec, TargetSpec{"y", TargetKind::kClassification}).fitted);
  const Record record = {{"glucose", int64_t{120}}, {"color", "red"}, {"weight", 1.0}};
  const std::string expected = OneRecord(*original, record).status().message();
  const FittedPipeline copy = *original;
  original.reset();  // the copy must hold nothing of it
  EXPECT_EQ(OneRecord(copy, record).status().message(), expected);
  EXPECT_EQ(expected, "record 0: unknown field 'weight'");
  EXPECT_TRUE(OneRecord(copy, {{"glucose", int64_t{120}}, {"color", "red"}}).ok());
}

TEST(FittedPipelineTest, RecordsErrorNamesTheFirstRecordInError) {
  auto fit = FitCsv(kTrain, kSpec, TargetSpec{"y", TargetKind::kClassification});
  const Record good = {{"glucose", int64_t{120}}};
  std::vector<Record> records = {good, good, {{"glucose", "high"}}, {{"zeta", 1.0}}};
  EXPECT_EQ(fit.fitted.TransformRecords(records, "instance").status().message(),
            "instance 2: field 'glucose': expected int64, got a string");
  records[2] = good;
  EXPECT_EQ(fit.fitted.TransformRecords(records).status().message(),
            "record 3: unknown field 'zeta'");
  // Before the first input, between inputs, after the last.
  for (const char* name : {"aaa", "gz", "zz"}) {
    EXPECT_EQ(fit.fitted.TransformRecords(std::vector<Record>{{{name, 1.0}, {"glucose", 1.0}}})
                  .status()
                  .message(),
              "record 0: unknown field '" + std::string(name) + "'");
  }
  auto none = fit.fitted.TransformRecords(std::vector<Record>{});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->rows, 0u);
}

TEST(FittedPipelineTest, InferenceSkipsRowDroppingAndReportsMissingFeatures) {
  auto fit = FitCsv("a,b\n1,2\n,3\n5,6\n", R"({"steps": [{"op": "drop_missing"}]})");
  EXPECT_EQ(fit.features.rows, 2u);
  auto inference = fit.fitted.Transform(CsvTable("a,b\n,3\n"), TransformMode::kInference);
  ASSERT_FALSE(inference.ok());
  EXPECT_THAT(inference.status().message(), HasSubstr("feature 'a', row 1: missing value"));
  auto training = fit.fitted.Transform(CsvTable("a,b\n,3\n4,4\n"), TransformMode::kTraining);
  ASSERT_TRUE(training.ok()) << training.status().ToString();
  EXPECT_THAT(training->values, ElementsAre(4, 4));
}

TEST(FittedPipelineTest, TransformChecksColumns) {
  auto fit = FitCsv("a,c\n1,x\n2,y\n", R"({"steps": [{"op": "one_hot", "columns": "c"}]})");
  EXPECT_THAT(
      fit.fitted.Transform(CsvTable("c\nx\n"), TransformMode::kInference).status().message(),
      HasSubstr("the input has no column 'a'"));
  EXPECT_THAT(
      fit.fitted.Transform(CsvTable("a,c\n1,2\n"), TransformMode::kInference).status().message(),
      HasSubstr("column 'c' is int64, it was categorical in training"));
  // Numeric types are interchangeable, extra columns ignored.
  auto other = fit.fitted.Transform(CsvTable("z,a,c\nq,1.5,y\n"), TransformMode::kInference);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_THAT(other->values, ElementsAre(1.5, 0, 1));
}

TEST(FittedPipelineTest, FromJsonRejectsInconsistentDocuments) {
  auto fit = FitCsv("a,c\n1,x\n2,y\n", R"({"steps": [{"op": "standardize", "columns": "a"},
                                                     {"op": "one_hot", "columns": "c"}]})");
  std::string json = *fit.fitted.ToJson();
  auto error = [](const std::string& text) {
    auto parsed = FittedPipeline::FromJson(text);
    EXPECT_FALSE(parsed.ok());
    return parsed.ok() ? std::string() : parsed.status().message();
  };
  auto replace = [&json](const std::string& from, const std::string& to) {
    std::string text = json;
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from << " in " << json;
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
  };
  EXPECT_THAT(error(replace("\"version\":1", "\"version\":2")), HasSubstr("unsupported version 2"));
  EXPECT_THAT(error(replace("[\"x\",\"y\"]", "[\"y\",\"x\"]")),
              HasSubstr("pipeline step 2 (one_hot): 'categories' must be sorted and distinct"));
  EXPECT_THAT(error(replace("\"scale\":[", "\"scale\":[1,")),
              HasSubstr("pipeline step 1 (standardize): 'scale' must have 1 entries"));
  EXPECT_THAT(error(replace("\"op\":\"standardize\"", "\"op\":\"standardise\"")),
              HasSubstr("pipeline step 1 (standardise): unknown op 'standardise'"));
  // A column listed twice in a step: a spec refuses it, and so must a
  // document (an edited bundle), since applying it would read a one_hot's
  // codes after the first expansion took them away.
  {
    std::string twice = replace("[[\"x\",\"y\"]]", "[[\"x\",\"y\"],[\"x\",\"y\"]]");
    const std::string once = "\"columns\":[\"c\"]";
    twice.replace(twice.find(once), once.size(), "\"columns\":[\"c\",\"c\"]");
    EXPECT_THAT(error(twice),
                HasSubstr("pipeline step 2 (one_hot): column 'c' is listed twice in 'columns'"));
  }
  EXPECT_THAT(error("{\"format\": 1}"), HasSubstr("'format' must be a string"));
  EXPECT_THAT(error("[1e999]"), HasSubstr("not valid JSON"));
}

TEST(FittedPipelineTest, RegressionTargetRoundTrips) {
  auto fit =
      FitCsv("x,y\n1,2.5\n2,3.5\n", R"({"steps": []})", TargetSpec{"y", TargetKind::kRegression});
  EXPECT_THAT(fit.features.target, ElementsAre(2.5, 3.5));
  auto parsed = FittedPipeline::FromJson(*fit.fitted.ToJson());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, fit.fitted);
  EXPECT_EQ(parsed->target()->kind, TargetKind::kRegression);
}

// JSON has no infinity: a label the fitted pipeline document could not load
// back is refused at fit time.
TEST(FittedPipelineTest, InfiniteClassLabelIsRefusedNamingItsRow) {
  EXPECT_THAT(FitError("x,y\n1,1\n2,inf\n", R"({"steps": []})",
                       TargetSpec{"y", TargetKind::kClassification}),
              HasSubstr("target 'y', row 2: label inf is not a finite number"));
}

// A CSV reader makes a column without a value float64; as an input it is all
// missing of its training type, as the same rows sent as records are.
TEST(FittedPipelineTest, AllMissingColumnTakesItsTrainingType) {
  auto fit = FitCsv("a,c\n1,x\n2,y\n3,y\n", R"({"steps": [
    {"op": "impute", "columns": "c", "strategy": "most_frequent"},
    {"op": "one_hot", "columns": "c"}]})");
  const Table serving = CsvTable("a,c\n1,\n4,\n");
  ASSERT_EQ(serving.FindColumn("c")->type(), ColumnType::kFloat64);
  auto table = fit.fitted.Transform(serving, TransformMode::kInference);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_THAT(table->values, ElementsAre(1, 0, 1, 4, 0, 1));
  const std::vector<Record> records = {{{"a", int64_t{1}}, {"c", std::monostate()}},
                                       {{"a", int64_t{4}}}};
  ExpectEachRecordAloneGives(fit.fitted, records, *table);
}

}  // namespace
}  // namespace modelhost::data
