// Each op of the pipeline on small tables whose results are worked out by
// hand, with the edge cases: all-missing and constant columns, empty tables,
// unseen categories, NaN.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "pipeline_fixture.h"

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatEq;
using ::testing::HasSubstr;

TEST(DropMissingTest, AnyAllAndGivenColumns) {
  const char* csv = "a,b\n1,2\n,3\n,\n4,\n";
  EXPECT_EQ(FitCsv(csv, R"({"steps": [{"op": "drop_missing"},
                                      {"op": "impute", "columns": "numeric"}]})")
                .features.rows,
            1u);
  auto all = FitCsv(csv, R"({"steps": [{"op": "drop_missing", "how": "all"},
                                      {"op": "impute", "columns": "numeric", "strategy": "constant",
                                       "fill_value": -1}]})");
  EXPECT_THAT(FeatureColumn(all.features, "a"), ElementsAre(1, -1, 4));
  auto in_b = FitCsv(csv, R"({"steps": [{"op": "drop_missing", "columns": ["b"]},
                                       {"op": "impute", "columns": "a", "strategy": "constant",
                                        "fill_value": 0}]})");
  EXPECT_THAT(FeatureColumn(in_b.features, "a"), ElementsAre(1, 0));
  EXPECT_THAT(FeatureColumn(in_b.features, "b"), ElementsAre(2, 3));
}

TEST(DropMissingTest, MayNameTheTarget) {
  auto fit = FitCsv("x,y\n1,a\n2,\n3,b\n", R"({"steps": [{"op": "drop_missing", "columns": "y"}]})",
                    TargetSpec{"y", TargetKind::kClassification});
  EXPECT_THAT(fit.features.values, ElementsAre(1, 3));
  EXPECT_THAT(fit.features.target, ElementsAre(0, 1));
}

TEST(DropColumnsTest, RemovesThem) {
  auto fit =
      FitCsv("id,a,b\n1,2,3\n", R"({"steps": [{"op": "drop_columns", "columns": ["id", "b"]}]})");
  EXPECT_THAT(fit.features.names, ElementsAre("a"));
  EXPECT_THAT(FitError("a\n1\n", R"({"steps": [{"op": "drop_columns", "columns": "zz"}]})"),
              "pipeline step 1 (drop_columns): no column 'zz'");
}

TEST(DropDuplicatesTest, KeepsFirstAndCountsNaNEqual) {
  auto fit = FitCsv("a,b\n1,x\n1,x\n1,y\n,x\n,x\n-0,x\n0,x\n",
                    R"({"steps": [{"op": "drop_duplicates"},
                                  {"op": "impute", "columns": "a", "strategy": "constant",
                                   "fill_value": 9},
                                  {"op": "ordinal", "columns": "b"}]})");
  EXPECT_THAT(FeatureColumn(fit.features, "a"), ElementsAre(1, 1, 9, 0));
  EXPECT_THAT(FeatureColumn(fit.features, "b"), ElementsAre(0, 1, 0, 0));
  auto on_a =
      FitCsv("a,b\n1,2\n1,3\n2,3\n", R"({"steps": [{"op": "drop_duplicates", "columns": ["a"]}]})");
  EXPECT_THAT(FeatureColumn(on_a.features, "b"), ElementsAre(2, 3));
}

// A missing value is not the smallest positive double (whose bits are 1).
TEST(DropDuplicatesTest, MissingDiffersFromEveryNumber) {
  constexpr const char* kCsv = "a,b\n,1\n4.9406564584124654e-324,1\n7,1\n";
  ASSERT_EQ(CsvTable(kCsv).column(0).float64_values()[1], 4.9406564584124654e-324);
  auto fit = FitCsv(kCsv, R"({"steps": [{"op": "drop_duplicates"},
                                        {"op": "impute", "columns": "a", "strategy": "constant",
                                         "fill_value": 9}]})");
  EXPECT_THAT(FeatureColumn(fit.features, "a"), ElementsAre(9, 0, 7));
}

TEST(MarkMissingTest, NumbersAndStrings) {
  auto fit = FitCsv("insulin,grade\n0,a\n5,unknown\n0,b\n7,a\n",
                    R"({"steps": [{"op": "mark_missing", "columns": ["insulin", "grade"],
                                   "values": [0, "unknown"]},
                                  {"op": "impute", "columns": "numeric", "strategy": "mean"},
                                  {"op": "impute", "columns": "grade", "strategy": "most_frequent"},
                                  {"op": "one_hot", "columns": "grade"}]})");
  EXPECT_THAT(FeatureColumn(fit.features, "insulin"), ElementsAre(6, 5, 6, 7));
  EXPECT_THAT(FeatureColumn(fit.features, "grade=a"), ElementsAre(1, 1, 0, 1));
  EXPECT_THAT(fit.features.names, ElementsAre("insulin", "grade=a", "grade=b"));
  EXPECT_THAT(FitError("g\na\n", R"({"steps": [{"op": "mark_missing", "columns": "g",
                                               "values": [0]}]})"),
              HasSubstr("column 'g' is categorical and 'values' holds no string"));
}

TEST(ImputeTest, NumericStrategies) {
  const char* csv = "a\n1\nNA\n2\n10\n2\n";
  auto fill = [&](const char* strategy) {
    std::string spec = std::string(R"({"steps": [{"op": "impute", "columns": "a", "strategy": ")") +
                       strategy + "\"}]}";
    return FeatureColumn(FitCsv(csv, spec).features, "a")[1];
  };
  EXPECT_FLOAT_EQ(fill("mean"), 15.0f / 4);
  EXPECT_FLOAT_EQ(fill("median"), 2);
  EXPECT_FLOAT_EQ(fill("most_frequent"), 2);
  // Median of an even count is the mean of the middle two.
  EXPECT_FLOAT_EQ(FeatureColumn(FitCsv("a\n1\nNA\n4\n", R"({"steps": [{"op": "impute",
                                "columns": "a", "strategy": "median"}]})")
                                    .features,
                                "a")[1],
                  2.5f);
  // Ties go to the smallest value.
  EXPECT_FLOAT_EQ(FeatureColumn(FitCsv("a\n3\n1\nNA\n3\n1\n", R"({"steps": [{"op": "impute",
                                "columns": "a", "strategy": "most_frequent"}]})")
                                    .features,
                                "a")[2],
                  1.0f);
}

TEST(ImputeTest, Categorical) {
  auto fit = FitCsv("c\nb\na\nNA\nb\n", R"({"steps": [
    {"op": "impute", "columns": "c", "strategy": "most_frequent"},
    {"op": "one_hot", "columns": "c"}]})");
  EXPECT_THAT(FeatureColumn(fit.features, "c=b"), ElementsAre(1, 0, 1, 1));
  auto constant = FitCsv("c\nb\nNA\n", R"({"steps": [
    {"op": "impute", "columns": "c", "strategy": "constant", "fill_value": "none"},
    {"op": "one_hot", "columns": "c"}]})");
  EXPECT_THAT(constant.features.names, ElementsAre("c=b", "c=none"));
  EXPECT_THAT(FitError("c\nb\n", R"({"steps": [{"op": "impute", "columns": "c"}]})"),
              HasSubstr("column 'c' is categorical; this op takes numeric columns"));
  EXPECT_THAT(FitError("c\nb\n", R"({"steps": [{"op": "impute", "columns": "c",
                                              "strategy": "constant", "fill_value": 0}]})"),
              HasSubstr("'fill_value' is a number"));
}

TEST(ImputeTest, AllMissingColumnIsAnError) {
  EXPECT_EQ(FitError("a,b\n1,\n2,\n", R"({"steps": [{"op": "impute", "columns": "numeric",
                                                    "strategy": "median"}]})"),
            "pipeline step 1 (impute): column 'b' has no values to learn from");
}

TEST(ImputeTest, NaNInTheDataIsMissing) {
  // "nan" is no missing token of the CSV reader: it is read as a NaN value.
  auto fit = FitCsv("a\n1\nnan\n3\n", R"({"steps": [{"op": "impute", "columns": "a"}]})");
  EXPECT_THAT(FeatureColumn(fit.features, "a"), ElementsAre(1, 2, 3));
}

TEST(OutliersTest, ClipByIqrZScoreAndPercentile) {
  // 1..9 and 100: q1 = 3.25, q3 = 7.75 (linear), IQR 4.5, k 1.5 → [-3.5, 14.5].
  const char* csv = "a\n1\n2\n3\n4\n5\n6\n7\n8\n9\n100\n";
  auto iqr = FitCsv(csv, R"({"steps": [{"op": "clip_outliers", "columns": "a"}]})");
  EXPECT_FLOAT_EQ(FeatureColumn(iqr.features, "a")[9], 14.5f);
  EXPECT_FLOAT_EQ(FeatureColumn(iqr.features, "a")[0], 1.0f);
  auto percentile = FitCsv(csv, R"({"steps": [{"op": "clip_outliers", "columns": "a",
                                     "method": "percentile", "lower": 10, "upper": 90}]})");
  // p10 = 1.9, p90 = 9 + 0.1 · 91 = 18.1.
  EXPECT_FLOAT_EQ(FeatureColumn(percentile.features, "a")[0], 1.9f);
  EXPECT_FLOAT_EQ(FeatureColumn(percentile.features, "a")[9], 18.1f);
  // mean 14.5, population variance 10285 / 10 - 14.5² = 818.25; k 1.
  auto zscore = FitCsv(csv, R"({"steps": [{"op": "clip_outliers", "columns": "a",
                                 "method": "zscore", "k": 1}]})");
  EXPECT_NEAR(FeatureColumn(zscore.features, "a")[9], 14.5 + std::sqrt(818.25), 1e-4);
}

TEST(OutliersTest, DropAppliesToTrainingOnly) {
  const char* csv = "a\n1\n2\n3\n4\n5\n6\n7\n8\n9\n100\n";
  auto fit = FitCsv(csv, R"({"steps": [{"op": "drop_outliers", "columns": "a"}]})");
  EXPECT_EQ(fit.features.rows, 9u);
  auto inference = fit.fitted.Transform(CsvTable(csv), TransformMode::kInference);
  ASSERT_TRUE(inference.ok()) << inference.status().ToString();
  EXPECT_EQ(inference->rows, 10u);
  EXPECT_FLOAT_EQ(inference->values[9], 100.0f);
}

TEST(CastTest, BetweenKinds) {
  auto fit = FitCsv("zip,n\n10115,1.5\n80331,2\n10115,\n", R"({"steps": [
    {"op": "cast", "columns": "zip", "to": "string"},
    {"op": "one_hot", "columns": "zip"},
    {"op": "cast", "columns": "n", "to": "int64"},
    {"op": "impute", "columns": "n", "strategy": "constant", "fill_value": 0}]})");
  EXPECT_THAT(fit.features.names, ElementsAre("zip=10115", "zip=80331", "n"));
  EXPECT_THAT(FeatureColumn(fit.features, "n"), ElementsAre(1, 2, 0));
  auto parsed = FitCsv("s\n 1.5\n-2\n", R"({"steps": [{"op": "cast", "columns": "s",
                                                        "to": "float64"}]})");
  EXPECT_THAT(parsed.features.values, ElementsAre(1.5, -2));
  EXPECT_THAT(FitError("s\n1\nabc\n", R"({"steps": [{"op": "cast", "columns": "s",
                                                      "to": "float64"}]})"),
              HasSubstr("pipeline step 1 (cast): column 's', row 2: value 'abc' is not float64"));
}

// pandas: df.dropna().astype({"x": float}) casts only the rows left.
TEST(CastTest, OnlyKeptRowsAreCast) {
  constexpr const char* kSpec = R"({"steps": [{"op": "drop_missing"},
                                              {"op": "cast", "columns": "x", "to": "float64"}]})";
  auto fit = FitCsv("x,y\n1,5\n2,6\nbad,\n3,7\n", kSpec);
  EXPECT_THAT(FeatureColumn(fit.features, "x"), ElementsAre(1, 2, 3));
  EXPECT_THAT(FitError("x,y\n1,5\n2,6\n3,8\nbad,7\nbad,9\n", kSpec),
              HasSubstr("pipeline step 2 (cast): column 'x', row 4: value 'bad' is not float64"));
}

TEST(TextTest, TrimAndLowercaseMergeCategories) {
  auto fit = FitCsv("c\n\" Red\"\nred \nRED\nblue\n", R"({"steps": [
    {"op": "trim", "columns": "c"},
    {"op": "lowercase", "columns": "categorical"},
    {"op": "one_hot", "columns": "c"}]})");
  EXPECT_THAT(fit.features.names, ElementsAre("c=blue", "c=red"));
  EXPECT_THAT(FeatureColumn(fit.features, "c=red"), ElementsAre(1, 1, 1, 0));
  EXPECT_THAT(FitError("n\n1\n", R"({"steps": [{"op": "trim", "columns": "n"}]})"),
              HasSubstr("column 'n' is int64; this op takes categorical columns"));
}

TEST(StandardizeTest, PopulationStdAndConstantColumn) {
  auto fit = FitCsv("a,c\n1,5\n2,5\n3,5\n4,5\n", R"({"steps": [{"op": "standardize",
                                                               "columns": "numeric"}]})");
  // mean 2.5, population variance 1.25.
  double sd = std::sqrt(1.25);
  EXPECT_THAT(FeatureColumn(fit.features, "a"), ElementsAre(FloatEq(-1.5 / sd), FloatEq(-0.5 / sd),
                                                            FloatEq(0.5 / sd), FloatEq(1.5 / sd)));
  // Zero variance: scale 1, so the column becomes 0.
  EXPECT_THAT(FeatureColumn(fit.features, "c"), ElementsAre(0, 0, 0, 0));
  EXPECT_THAT(FitError("a\nNA\n", R"({"steps": [{"op": "standardize", "columns": "a"}]})"),
              HasSubstr("column 'a' has no values"));
}

// scikit-learn 1.9.1: StandardScaler().fit([[1e-16], [2e-16], [3e-16]]) has
// scale_ 8.16496580927726e-17 (the variance is not within rounding of zero,
// and nothing else sets a scale to 1) and transforms to ±1.2247448713915892, 0.
TEST(StandardizeTest, TinySpreadKeepsItsScale) {
  auto fit =
      FitCsv("a\n1e-16\n2e-16\n3e-16\n", R"({"steps": [{"op": "standardize", "columns": "a"}]})");
  EXPECT_DOUBLE_EQ(std::get<FittedScale>(fit.fitted.steps()[0]).scale[0], 8.16496580927726e-17);
  EXPECT_THAT(fit.features.values,
              ElementsAre(FloatEq(-1.2247448713915892f), FloatEq(0), FloatEq(1.2247448713915892f)));
}

TEST(RobustScaleTest, MedianAndIqr) {
  // median 3, q1 2, q3 4 → (x - 3) / 2.
  auto fit = FitCsv("a\n1\n2\n3\n4\n5\n", R"({"steps": [{"op": "robust_scale", "columns": "a"}]})");
  EXPECT_THAT(fit.features.values, ElementsAre(-1, -0.5, 0, 0.5, 1));
  auto constant = FitCsv("a\n7\n7\n", R"({"steps": [{"op": "robust_scale", "columns": "a"}]})");
  EXPECT_THAT(constant.features.values, ElementsAre(0, 0));
}

TEST(MinMaxTest, ToRangeAndConstantColumn) {
  auto fit = FitCsv("a,c\n2,3\n4,3\n6,3\n", R"({"steps": [{"op": "minmax", "columns": "numeric",
                                                           "range": [-1, 1]}]})");
  EXPECT_THAT(FeatureColumn(fit.features, "a"), ElementsAre(-1, 0, 1));
  EXPECT_THAT(FeatureColumn(fit.features, "c"), ElementsAre(-1, -1, -1));
  // Values beyond the training range map beyond [a, b] (no clipping).
  auto later = fit.fitted.Transform(CsvTable("a,c\n8,3\n"), TransformMode::kInference);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_FLOAT_EQ(later->values[0], 2.0f);
}

TEST(MaxAbsTest, DividesByLargestMagnitude) {
  auto fit = FitCsv("a,z\n-4,0\n2,0\n", R"({"steps": [{"op": "maxabs", "columns": "numeric"}]})");
  EXPECT_THAT(FeatureColumn(fit.features, "a"), ElementsAre(-1, 0.5));
  EXPECT_THAT(FeatureColumn(fit.features, "z"), ElementsAre(0, 0));
}

TEST(NormalizeRowsTest, L1L2AndZeroRows) {
  auto l2 =
      FitCsv("a,b\n3,4\n0,0\n", R"({"steps": [{"op": "normalize_rows", "columns": "numeric"}]})");
  EXPECT_THAT(l2.features.values, ElementsAre(0.6f, 0.8f, 0, 0));
  auto l1 = FitCsv("a,b\n-1,3\n", R"({"steps": [{"op": "normalize_rows", "columns": "numeric",
                                                 "norm": "l1"}]})");
  EXPECT_THAT(l1.features.values, ElementsAre(-0.25, 0.75));
  EXPECT_THAT(FitError("a,b\n1,2\n,2\n", R"({"steps": [{"op": "normalize_rows",
                                                        "columns": "numeric"}]})"),
              HasSubstr("column 'a', row 2: missing value"));
}

TEST(Log1pTest, ValuesAndDomain) {
  auto fit = FitCsv("a\n0\n1\n", R"({"steps": [{"op": "log1p", "columns": "a"}]})");
  EXPECT_THAT(fit.features.values, ElementsAre(0, FloatEq(std::log(2.0))));
  EXPECT_THAT(FitError("a\n0\n-1\n", R"({"steps": [{"op": "log1p", "columns": "a"}]})"),
              HasSubstr("pipeline step 1 (log1p): column 'a', row 2: log1p of -1"));
}

TEST(OneHotTest, SortedCategoriesAndUnknownPolicies) {
  const char* spec_error = R"({"steps": [{"op": "one_hot", "columns": "color"}]})";
  auto fit = FitCsv("color,n\nred,1\nblue,2\nred,3\n", spec_error);
  EXPECT_THAT(fit.features.names, ElementsAre("color=blue", "color=red", "n"));
  EXPECT_THAT(fit.features.values, ElementsAre(0, 1, 1, 1, 0, 2, 0, 1, 3));
  auto unseen = fit.fitted.Transform(CsvTable("color,n\ngreen,1\n"), TransformMode::kInference);
  ASSERT_FALSE(unseen.ok());
  EXPECT_THAT(unseen.status().message(),
              HasSubstr("pipeline step 1 (one_hot): column 'color', row 1: category 'green' was "
                        "not seen in training"));

  auto ignore =
      FitCsv("color,n\nred,1\nblue,2\n",
             R"({"steps": [{"op": "one_hot", "columns": "color", "unknown": "ignore"}]})");
  auto zeros = ignore.fitted.Transform(CsvTable("color,n\ngreen,1\n"), TransformMode::kInference);
  ASSERT_TRUE(zeros.ok()) << zeros.status().ToString();
  EXPECT_THAT(zeros->values, ElementsAre(0, 0, 1));
  EXPECT_THAT(FitError("color\nred\nNA\n", spec_error), HasSubstr("row 2: missing value"));
}

TEST(OrdinalTest, SortedIndicesAndUnknownValue) {
  auto fit = FitCsv("size\nm\ns\nl\nNA\n", R"({"steps": [
    {"op": "ordinal", "columns": "size", "unknown_value": -1},
    {"op": "impute", "columns": "size", "strategy": "constant", "fill_value": 9}]})");
  EXPECT_THAT(fit.features.values, ElementsAre(1, 2, 0, 9));
  auto unseen = fit.fitted.Transform(CsvTable("size\nxl\n"), TransformMode::kInference);
  ASSERT_TRUE(unseen.ok()) << unseen.status().ToString();
  EXPECT_THAT(unseen->values, ElementsAre(-1));
}

TEST(PipelineTest, TargetIsNeverSelected) {
  auto fit =
      FitCsv("x,y\n1,10\n3,20\n", R"({"steps": [{"op": "standardize", "columns": "numeric"}]})",
             TargetSpec{"y", TargetKind::kRegression});
  EXPECT_THAT(fit.features.names, ElementsAre("x"));
  EXPECT_THAT(fit.features.target, ElementsAre(10, 20));
  EXPECT_THAT(FitError("x,y\n1,10\n", R"({"steps": [{"op": "log1p", "columns": ["x", "y"]}]})",
                       TargetSpec{"y", TargetKind::kRegression}),
              HasSubstr("column 'y' is the target, not a feature"));
}

TEST(PipelineTest, OutputMustBeNumericAndComplete) {
  EXPECT_THAT(FitError("c\na\n", R"({"steps": []})"),
              HasSubstr("column 'c' is still categorical at the end of the pipeline"));
  EXPECT_THAT(FitError("a\n1\nNA\n", R"({"steps": []})"),
              HasSubstr("feature 'a', row 2: missing value"));
  EXPECT_THAT(FitError("a\n1e300\n", R"({"steps": []})"),
              HasSubstr("feature 'a', row 1: 1e+300 does not fit a float"));
}

TEST(PipelineTest, EmptyTable) {
  auto empty = FitCsv("a,b\n", R"({"steps": [{"op": "drop_missing"}]})");
  EXPECT_EQ(empty.features.rows, 0u);
  EXPECT_THAT(empty.features.names, ElementsAre("a", "b"));
  EXPECT_THAT(FitError("a,b\n", R"({"steps": [{"op": "standardize", "columns": "numeric"}]})"),
              HasSubstr("column 'a' has no values to learn from"));
}

TEST(PipelineTest, ClassificationTargetsAreSortedLabels) {
  auto strings = FitCsv("x,y\n1,no\n2,yes\n3,no\n", R"({"steps": []})",
                        TargetSpec{"y", TargetKind::kClassification});
  EXPECT_THAT(strings.features.target, ElementsAre(0, 1, 0));
  EXPECT_THAT(strings.fitted.target()->labels, ElementsAre("no", "yes"));
  auto numbers = FitCsv("x,y\n1,5\n2,-1\n3,5\n", R"({"steps": []})",
                        TargetSpec{"y", TargetKind::kClassification});
  EXPECT_THAT(numbers.features.target, ElementsAre(1, 0, 1));
  EXPECT_THAT(numbers.fitted.target()->labels, ElementsAre("-1", "5"));
  auto unseen = strings.fitted.Transform(CsvTable("x,y\n1,maybe\n"), TransformMode::kTraining);
  ASSERT_FALSE(unseen.ok());
  EXPECT_THAT(unseen.status().message(),
              HasSubstr("target 'y', row 1: label 'maybe' was not seen in training"));
  EXPECT_THAT(
      FitError("x,y\n1,a\n2,\n", R"({"steps": []})", TargetSpec{"y", TargetKind::kClassification}),
      HasSubstr("target 'y', row 2: missing value"));
  EXPECT_THAT(FitError("x,y\n1,a\n", R"({"steps": []})", TargetSpec{"y", TargetKind::kRegression}),
              HasSubstr("regression needs numbers"));
  EXPECT_THAT(FitError("x\n1\n", R"({"steps": []})", TargetSpec{"y", TargetKind::kRegression}),
              HasSubstr("no target column 'y'"));
}

}  // namespace
}  // namespace modelhost::data
