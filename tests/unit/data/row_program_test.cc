#include "data/row_program.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "data/column_builder.h"
#include "data/fitted_pipeline.h"
#include "pipeline_fixture.h"

namespace modelhost::data {
namespace {

// float64 a (wide range, missing), int64 b (zeros meaning unknown), bool c,
// float64 d (one far outlier).
constexpr const char* kTrain =
    "a,b,c,d\n"
    "1.5,0,true,10\n"
    "-2.25,7,false,11\n"
    ",3,true,12\n"
    "1e3,0,false,9\n"
    "0.125,12,true,10.5\n"
    "3.5,5,false,1000\n"
    "-0.5,2,true,11.5\n";

std::optional<RowProgram> CompileOf(const FittedPipeline& fitted) {
  std::vector<std::string> names;
  std::vector<ColumnType> types;
  for (const InputColumn& input : fitted.input_columns()) {
    names.push_back(input.name);
    types.push_back(input.type);
  }
  return RowProgram::Compile(names, types, fitted.steps(), fitted.feature_names());
}

// A one-row table of `fields` (in input order) with the input columns' types.
Table OneRowTable(const FittedPipeline& fitted, const std::vector<FieldValue>& fields) {
  std::vector<Column> columns;
  for (size_t i = 0; i < fields.size(); ++i) {
    const InputColumn& input = fitted.input_columns()[i];
    ColumnBuilder builder(input.name, input.type);
    const FieldValue& field = fields[i];
    if (std::holds_alternative<std::monostate>(field)) {
      builder.AppendMissing();
    } else if (input.type == ColumnType::kFloat64) {
      builder.AppendFloat64(std::get<double>(field));
    } else if (input.type == ColumnType::kInt64) {
      builder.AppendInt64(std::get<int64_t>(field));
    } else {
      builder.AppendBool(std::get<bool>(field));
    }
    columns.push_back(std::move(builder).Finish());
  }
  return *Table::Make(std::move(columns));
}

// Runs `fields` through the program and through the table path: the program
// must give the table's bits, or decline exactly where the table path fails.
void ExpectAgrees(const FittedPipeline& fitted, const RowProgram& program,
                  const std::vector<FieldValue>& fields, const std::string& where) {
  std::vector<const FieldValue*> pointers;
  for (const FieldValue& field : fields) pointers.push_back(&field);
  std::vector<float> out(fields.size());
  const bool ran = program.Run(pointers, out.data());
  auto table = fitted.Transform(OneRowTable(fitted, fields), TransformMode::kInference);
  ASSERT_EQ(ran, table.ok()) << where << (table.ok() ? "" : ": " + table.status().ToString());
  if (ran) {
    ASSERT_EQ(table->values.size(), out.size()) << where;
    EXPECT_EQ(std::memcmp(out.data(), table->values.data(), out.size() * sizeof(float)), 0)
        << where;
  }
}

FieldValue RandomField(std::mt19937_64& random, ColumnType type) {
  std::uniform_int_distribution<int> pick(0, 9);
  if (pick(random) == 0) return FieldValue();  // missing
  switch (type) {
    case ColumnType::kInt64: return FieldValue(int64_t{pick(random)} - 2);
    case ColumnType::kBool: return FieldValue(pick(random) % 2 == 0);
    default: break;
  }
  const int shape = pick(random);
  if (shape == 1) return FieldValue(-1.0);                    // log1p's edge
  if (shape == 2) return FieldValue(1e300);                   // beyond float
  if (shape == 3) return FieldValue(std::ldexp(1.0, -1070));  // subnormal
  std::normal_distribution<double> normal(0, shape == 4 ? 1e4 : 3);
  return FieldValue(normal(random));
}

TEST(RowProgramTest, MatchesTheTablePathBitForBitOnRandomPipelines) {
  const std::vector<std::string> steps = {
      R"({"op": "mark_missing", "columns": ["b"], "values": [0]})",
      R"({"op": "mark_missing", "columns": "numeric", "values": [1.5, "x"]})",
      R"({"op": "impute", "columns": "numeric", "strategy": "median"})",
      R"({"op": "impute", "columns": ["a", "d"], "strategy": "mean"})",
      R"({"op": "impute", "columns": ["b"], "strategy": "constant", "fill_value": -1})",
      R"({"op": "clip_outliers", "columns": ["a", "d"], "method": "iqr", "k": 1.5})",
      R"({"op": "clip_outliers", "columns": "numeric", "method": "zscore", "k": 2})",
      R"({"op": "drop_outliers", "columns": ["d"], "method": "iqr", "k": 1.5})",
      R"({"op": "drop_missing"})",
      R"({"op": "drop_duplicates"})",
      R"({"op": "log1p", "columns": ["d"]})",
      R"({"op": "standardize", "columns": "numeric"})",
      R"({"op": "robust_scale", "columns": ["a", "b"]})",
      R"({"op": "minmax", "columns": ["d", "a"], "range": [-1, 1]})",
      R"({"op": "maxabs", "columns": ["c", "b"]})",
  };
  std::mt19937_64 random(20261130);
  std::uniform_int_distribution<size_t> which(0, steps.size() - 1);
  std::uniform_int_distribution<int> length(1, 6);
  int compiled = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string spec = R"({"steps": [)";
    const int count = length(random);
    for (int k = 0; k < count; ++k) spec += (k ? "," : "") + steps[which(random)];
    spec += "]}";
    auto pipeline = Pipeline::FromJson(spec);
    ASSERT_TRUE(pipeline.ok()) << spec;
    auto fit = pipeline->Fit(CsvTable(kTrain), std::nullopt);
    if (!fit.ok()) continue;  // e.g. log1p of a value <= -1 in the training data
    std::optional<RowProgram> program = CompileOf(*fit);
    ASSERT_TRUE(program.has_value()) << spec;
    ++compiled;
    for (int row = 0; row < 40; ++row) {
      std::vector<FieldValue> fields;
      for (const InputColumn& input : fit->input_columns()) {
        fields.push_back(RandomField(random, input.type));
      }
      ASSERT_NO_FATAL_FAILURE(
          ExpectAgrees(*fit, *program, fields, spec + " row " + std::to_string(row)));
    }
  }
  EXPECT_GT(compiled, 100);  // the others leave a missing value in training
}

TEST(RowProgramTest, DeclinesWhereTheTablePathRefusesAField) {
  auto fit = FitCsv(kTrain,
                    R"({"steps": [{"op": "impute", "columns": "numeric", "strategy": "median"}]})");
  std::optional<RowProgram> program = CompileOf(fit.fitted);
  ASSERT_TRUE(program.has_value());
  auto run = [&](std::vector<FieldValue> fields) {
    std::vector<const FieldValue*> pointers;
    for (const FieldValue& field : fields) pointers.push_back(&field);
    std::vector<float> out(fields.size());
    return program->Run(pointers, out.data());
  };
  EXPECT_TRUE(run({1.0, int64_t{2}, true, 4.0}));
  // An integral number fits int64 b, an integer fits float64 a; absent is missing.
  EXPECT_TRUE(run({int64_t{1}, 2.0, false, FieldValue()}));
  EXPECT_FALSE(run({1.0, 2.5, true, 4.0}));               // a fraction for int64
  EXPECT_FALSE(run({1.0, 1e19, true, 4.0}));              // beyond int64
  EXPECT_FALSE(run({"1", int64_t{2}, true, 4.0}));        // a string
  EXPECT_FALSE(run({true, int64_t{2}, true, 4.0}));       // a bool for float64
  EXPECT_FALSE(run({1.0, int64_t{2}, int64_t{1}, 4.0}));  // an integer for bool
  // What the table path does with each of these, the records path shows.
  auto records =
      fit.fitted.TransformRecords(std::vector<Record>{{{"a", 1.0}, {"b", 2.5}}}, "instance");
  EXPECT_EQ(records.status().message(), "instance 0: field 'b': expected int64, got a number");
}

TEST(RowProgramTest, CoversOnlyNumericColumnwisePipelines) {
  const std::string impute = R"({"op": "impute", "columns": "numeric", "strategy": "median"})";
  EXPECT_TRUE(CompileOf(FitCsv(kTrain, R"({"steps": [)" + impute + "]}").fitted).has_value());
  // A categorical input, even one a later step turns into numbers.
  EXPECT_FALSE(
      CompileOf(
          FitCsv("a,s\n1,x\n2,y\n", R"({"steps": [{"op": "one_hot", "columns": "s"}]})").fitted)
          .has_value());
  for (const std::string step : {R"({"op": "normalize_rows", "columns": "numeric"})",
                                 R"({"op": "cast", "columns": "b", "to": "float64"})",
                                 R"({"op": "drop_columns", "columns": ["c"]})"}) {
    const std::string spec = R"({"steps": [)" + impute + "," + step + "]}";
    EXPECT_FALSE(CompileOf(FitCsv(kTrain, spec).fitted).has_value()) << spec;
  }
}

TEST(RowProgramTest, RecordsThroughTheProgramEqualTheTablePath) {
  auto fit = FitCsv(kTrain, R"({"steps": [
    {"op": "mark_missing", "columns": ["b"], "values": [0]},
    {"op": "impute", "columns": "numeric", "strategy": "median"},
    {"op": "log1p", "columns": ["d"]},
    {"op": "standardize", "columns": "numeric"}]})");
  const std::vector<Record> records = {{{"a", 2.0}, {"b", int64_t{0}}, {"c", true}, {"d", 3.0}},
                                       {{"a", int64_t{-7}}, {"d", -0.5}},
                                       {{"b", 4.0}, {"c", false}}};
  auto together = fit.fitted.TransformRecords(records);
  ASSERT_TRUE(together.ok()) << together.status().ToString();
  auto table = fit.fitted.Transform(CsvTable("a,b,c,d\n2,0,true,3\n-7,,,-0.5\n,4,false,\n"),
                                    TransformMode::kInference);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(together->names, table->names);
  ASSERT_EQ(together->values.size(), table->values.size());
  EXPECT_EQ(std::memcmp(together->values.data(), table->values.data(),
                        table->values.size() * sizeof(float)),
            0);
  // log1p(-1) is out of domain: the table path's error, naming the row of the
  // record alone.
  auto refused =
      fit.fitted.TransformRecords(std::vector<Record>{records[0], {{"d", -1.0}}}, "instance");
  EXPECT_THAT(refused.status().message(),
              ::testing::StartsWith("instance 1: pipeline step 3 (log1p): "));
}

}  // namespace
}  // namespace modelhost::data
