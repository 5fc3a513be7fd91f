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
    } else if (input.type == ColumnType::kBool) {
      builder.AppendBool(std::get<bool>(field));
    } else {
      EXPECT_TRUE(builder.AppendCategorical(std::get<std::string>(field)).ok());
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
  std::vector<float> out(fitted.feature_names().size());
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
    case ColumnType::kCategorical: {
      // Training's categories, the same after trim or lowercase, marked ones,
      // unseen ones and the empty string.
      static const char* const kTexts[] = {"red", " Red", "blue", "BLUE ", "green", "x",
                                           "y",   "z",    "zz",   "",      "Y",     "purple"};
      return FieldValue(std::string(kTexts[std::uniform_int_distribution<size_t>(0, 11)(random)]));
    }
    default: break;
  }
  const int shape = pick(random);
  if (shape == 1) return FieldValue(-1.0);                    // log1p's edge
  if (shape == 2) return FieldValue(1e300);                   // beyond float
  if (shape == 3) return FieldValue(std::ldexp(1.0, -1070));  // subnormal
  std::normal_distribution<double> normal(0, shape == 4 ? 1e4 : 3);
  return FieldValue(normal(random));
}

// Fits `spec` on `train` and holds the compiled program to the table path on
// 40 random records. False when the pipeline does not fit (e.g. log1p of a
// value <= -1 in the training data, or a missing value left for the
// features): nothing to check.
bool FitsAndAgreesOnRandomRecords(const std::string& spec, std::string_view train,
                                  std::mt19937_64& random) {
  auto pipeline = Pipeline::FromJson(spec);
  EXPECT_TRUE(pipeline.ok()) << spec << ": " << pipeline.status().ToString();
  if (!pipeline.ok()) return false;
  auto fit = pipeline->Fit(CsvTable(train), std::nullopt);
  if (!fit.ok()) return false;
  std::optional<RowProgram> program = CompileOf(*fit);
  EXPECT_TRUE(program.has_value()) << spec;
  for (int row = 0; program && row < 40 && !::testing::Test::HasFatalFailure(); ++row) {
    std::vector<FieldValue> fields;
    for (const InputColumn& input : fit->input_columns()) {
      fields.push_back(RandomField(random, input.type));
    }
    ExpectAgrees(*fit, *program, fields, spec + " row " + std::to_string(row));
  }
  return true;
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
    if (!FitsAndAgreesOnRandomRecords(spec, kTrain, random)) continue;
    ++compiled;
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(compiled, 100);  // the others leave a missing value in training
}

// The table kTrain without its missing number, with two categorical columns:
// s (colors, with stray case and spaces, missing in row 3) and t (x / y / z,
// missing in row 5).
constexpr const char* kTrainWithCategories =
    "a,b,c,d,s,t\n"
    "1.5,0,true,10, Red,x\n"
    "-2.25,7,false,11,blue,y\n"
    "0.75,3,true,12,,z\n"
    "1e3,0,false,9,BLUE ,x\n"
    "0.125,12,true,10.5,green,\n"
    "3.5,5,false,1000,red,y\n"
    "-0.5,2,true,11.5,blue,x\n";

TEST(RowProgramTest, MatchesTheTablePathBitForBitOnRandomPipelinesWithCategories) {
  // Steps in any order, then each categorical column encoded or dropped (so
  // that the features come out numeric), then maybe a step over everything.
  const std::vector<std::string> steps = {
      R"({"op": "mark_missing", "columns": ["s"], "values": ["blue", 0]})",
      R"({"op": "mark_missing", "columns": ["a", "s", "t"], "values": ["y", 0]})",
      R"({"op": "impute", "columns": "categorical", "strategy": "most_frequent"})",
      R"({"op": "impute", "columns": ["t"], "strategy": "constant", "fill_value": "zz"})",
      R"({"op": "impute", "columns": "numeric", "strategy": "median"})",
      R"({"op": "trim", "columns": ["s"]})",
      R"({"op": "lowercase", "columns": "categorical"})",
      R"({"op": "clip_outliers", "columns": ["d"], "method": "iqr", "k": 1.5})",
      R"({"op": "drop_missing", "columns": ["s"]})",
      R"({"op": "drop_columns", "columns": ["c"]})",
      R"({"op": "log1p", "columns": ["d"]})",
      R"({"op": "standardize", "columns": ["a"]})",
  };
  const std::vector<std::string> encoders = {
      R"({"op": "one_hot", "columns": ["%"]})",
      R"({"op": "one_hot", "columns": ["%"], "unknown": "ignore"})",
      R"({"op": "ordinal", "columns": ["%"]})",
      R"({"op": "ordinal", "columns": ["%"], "unknown_value": -1})",
      R"({"op": "drop_columns", "columns": ["%"]})",
  };
  const std::vector<std::string> finals = {
      R"({"op": "impute", "columns": "numeric", "strategy": "mean"})",
      R"({"op": "standardize", "columns": "numeric"})",
      R"({"op": "minmax", "columns": "numeric"})",
      R"({"op": "normalize_rows", "columns": "numeric", "norm": "l1"})",
      R"({"op": "normalize_rows", "columns": "numeric"})",
  };
  std::mt19937_64 random(20261201);
  auto any = [&random](const std::vector<std::string>& list) {
    return list[std::uniform_int_distribution<size_t>(0, list.size() - 1)(random)];
  };
  std::uniform_int_distribution<int> length(0, 4);
  std::uniform_int_distribution<int> coin(0, 1);
  int compiled = 0;
  int one_hot = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::vector<std::string> chosen;
    for (int k = length(random); k > 0; --k) chosen.push_back(any(steps));
    if (coin(random)) chosen.push_back(steps[2]);  // most_frequent, so one_hot can fit
    for (const char* column : {"s", "t"}) {
      std::string encoder = any(encoders);
      encoder.replace(encoder.find('%'), 1, column);
      chosen.push_back(encoder);
    }
    if (coin(random)) chosen.push_back(any(finals));
    std::string spec = R"({"steps": [)";
    for (size_t k = 0; k < chosen.size(); ++k) spec += (k ? "," : "") + chosen[k];
    spec += "]}";
    if (!FitsAndAgreesOnRandomRecords(spec, kTrainWithCategories, random)) continue;
    ++compiled;
    one_hot += spec.find("one_hot") != std::string::npos;
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(compiled, 150);
  EXPECT_GT(one_hot, 50);
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
  // A categorical column takes strings only.
  auto encoded = FitCsv(kTrainWithCategories, R"({"steps": [
    {"op": "impute", "columns": "categorical", "strategy": "most_frequent"},
    {"op": "one_hot", "columns": ["s", "t"]}]})");
  std::optional<RowProgram> encoding = CompileOf(encoded.fitted);
  ASSERT_TRUE(encoding.has_value());
  auto run_encoded = [&](FieldValue s, FieldValue t) {
    std::vector<FieldValue> fields = {1.0, int64_t{2}, true, 4.0, std::move(s), std::move(t)};
    std::vector<const FieldValue*> pointers;
    for (const FieldValue& field : fields) pointers.push_back(&field);
    std::vector<float> out(encoded.fitted.feature_names().size());
    return encoding->Run(pointers, out.data());
  };
  EXPECT_TRUE(run_encoded(std::string("blue"), FieldValue()));         // imputed
  EXPECT_FALSE(run_encoded(int64_t{1}, std::string("x")));             // a number for categorical
  EXPECT_FALSE(run_encoded(std::string("blue"), true));                // a bool for categorical
  EXPECT_FALSE(run_encoded(std::string("purple"), std::string("x")));  // unseen, "error"
  // What the table path does with each of these, the records path shows.
  auto records =
      fit.fitted.TransformRecords(std::vector<Record>{{{"a", 1.0}, {"b", 2.5}}}, "instance");
  EXPECT_EQ(records.status().message(), "instance 0: field 'b': expected int64, got a number");
}

TEST(RowProgramTest, CoversEveryStepButCast) {
  const std::string impute = R"({"op": "impute", "columns": "numeric", "strategy": "median"})";
  for (const std::string step : {R"({"op": "normalize_rows", "columns": "numeric"})",
                                 R"({"op": "drop_columns", "columns": ["c"]})"}) {
    const std::string spec = R"({"steps": [)" + impute + "," + step + "]}";
    EXPECT_TRUE(CompileOf(FitCsv(kTrain, spec).fitted).has_value()) << spec;
  }
  EXPECT_TRUE(
      CompileOf(
          FitCsv("a,s\n1,x\n2,y\n", R"({"steps": [{"op": "one_hot", "columns": "s"}]})").fitted)
          .has_value());
  const std::string cast = R"({"op": "cast", "columns": "b", "to": "float64"})";
  EXPECT_FALSE(
      CompileOf(FitCsv(kTrain, R"({"steps": [)" + impute + "," + cast + "]}").fitted).has_value());
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

TEST(RowProgramTest, CategoricalRecordsThroughTheProgramEqualTheTablePath) {
  auto fit = FitCsv(kTrainWithCategories, R"({"steps": [
    {"op": "trim", "columns": ["s"]},
    {"op": "lowercase", "columns": ["s"]},
    {"op": "impute", "columns": "categorical", "strategy": "most_frequent"},
    {"op": "impute", "columns": "numeric", "strategy": "median"},
    {"op": "standardize", "columns": "numeric"},
    {"op": "one_hot", "columns": ["s"]},
    {"op": "ordinal", "columns": ["t"], "unknown_value": -1}]})");
  const std::vector<Record> records = {
      {{"a", 2.0}, {"b", int64_t{0}}, {"c", true}, {"d", 3.0}, {"s", "  BLUE"}, {"t", "y"}},
      {{"a", int64_t{-7}}, {"s", "Green"}, {"t", "unseen"}},
      {{"b", 4.0}, {"c", false}, {"t", "x"}}};
  auto together = fit.fitted.TransformRecords(records);
  ASSERT_TRUE(together.ok()) << together.status().ToString();
  auto table = fit.fitted.Transform(
      CsvTable("a,b,c,d,s,t\n2,0,true,3,  BLUE,y\n-7,,,,Green,unseen\n,4,false,,,x\n"),
      TransformMode::kInference);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(together->names, table->names);
  EXPECT_THAT(together->names, ::testing::Contains("s=blue"));
  ASSERT_EQ(together->values.size(), table->values.size());
  EXPECT_EQ(std::memcmp(together->values.data(), table->values.data(),
                        table->values.size() * sizeof(float)),
            0);
  // TransformRecordsInto writes the same values, without the names.
  std::vector<float> into(together->values.size(), -1.0f);
  ASSERT_TRUE(fit.fitted.TransformRecordsInto(records, into).ok());
  EXPECT_EQ(into, together->values);
  // An unseen color under one_hot's "error": the table path's error, naming
  // the row of the record alone.
  auto refused =
      fit.fitted.TransformRecords(std::vector<Record>{records[0], {{"s", "purple"}}}, "instance");
  EXPECT_THAT(refused.status().message(),
              ::testing::StartsWith("instance 1: pipeline step 6 (one_hot): "));
  std::vector<float> two(2 * together->cols);
  EXPECT_EQ(
      fit.fitted
          .TransformRecordsInto(std::vector<Record>{records[0], {{"s", "purple"}}}, two, "instance")
          .message(),
      refused.status().message());
}

}  // namespace
}  // namespace modelhost::data
