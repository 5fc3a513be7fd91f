#include "data/pipeline_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace modelhost::data {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

std::string ParseError(std::string_view json) {
  auto spec = ParsePipelineSpec(json);
  EXPECT_FALSE(spec.ok());
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), core::StatusCode::kInvalidArgument);
  return spec.status().message();
}

TEST(PipelineSpecTest, ParsesTheIssueExample) {
  auto spec = ParsePipelineSpec(R"({"steps": [
    {"op": "mark_missing", "columns": ["glucose", "insulin"], "values": [0]},
    {"op": "impute", "columns": "numeric", "strategy": "median"},
    {"op": "standardize", "columns": "numeric"},
    {"op": "one_hot", "columns": "categorical", "unknown": "ignore"}]})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_EQ(spec->steps.size(), 4u);
  const auto& mark = std::get<MarkMissingStep>(spec->steps[0]);
  EXPECT_EQ(mark.columns.kind, ColumnSelector::Kind::kNames);
  EXPECT_EQ(mark.columns.names, (std::vector<std::string>{"glucose", "insulin"}));
  EXPECT_EQ(mark.values, std::vector<SpecValue>{0.0});
  EXPECT_EQ(std::get<ImputeStep>(spec->steps[1]).strategy, ImputeStrategy::kMedian);
  EXPECT_EQ(std::get<ImputeStep>(spec->steps[1]).columns.kind, ColumnSelector::Kind::kNumeric);
  EXPECT_EQ(std::get<ScaleStep>(spec->steps[2]).kind, ScaleKind::kStandardize);
  EXPECT_EQ(std::get<OneHotStep>(spec->steps[3]).unknown, UnknownCategory::kIgnore);
  EXPECT_EQ(OpName(spec->steps[3]), "one_hot");
}

TEST(PipelineSpecTest, UnknownParameterNamesStepAndOp) {
  EXPECT_EQ(ParseError(R"({"steps": [{"op": "standardize", "columns": "numeric"},
                                     {"op": "impute", "columns": "numeric", "stratgy": "mean"}]})"),
            "pipeline step 2 (impute): unknown parameter 'stratgy'");
}

TEST(PipelineSpecTest, UnknownOpNamesIt) {
  EXPECT_EQ(ParseError(R"({"steps": [{"op": "scale", "columns": "numeric"}]})"),
            "pipeline step 1 (scale): unknown op 'scale'");
  EXPECT_THAT(ParseError(R"({"steps": [{"columns": "numeric"}]})"),
              HasSubstr("pipeline step 1: missing \"op\""));
}

TEST(PipelineSpecTest, SelectorForms) {
  auto spec = ParsePipelineSpec(R"({"steps": [
    {"op": "log1p", "columns": "income"},
    {"op": "log1p", "columns": ["numeric"]},
    {"op": "drop_columns", "columns": {"all_except": ["a", "b"]}},
    {"op": "one_hot", "columns": "categorical"},
    {"op": "drop_missing"}]})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  const auto& name = std::get<Log1pStep>(spec->steps[0]).columns;
  EXPECT_EQ(name, (ColumnSelector{ColumnSelector::Kind::kNames, {"income"}}));
  // The list form names a column called "numeric".
  EXPECT_EQ(std::get<Log1pStep>(spec->steps[1]).columns,
            (ColumnSelector{ColumnSelector::Kind::kNames, {"numeric"}}));
  EXPECT_EQ(std::get<DropColumnsStep>(spec->steps[2]).columns,
            (ColumnSelector{ColumnSelector::Kind::kAllExcept, {"a", "b"}}));
  EXPECT_EQ(std::get<OneHotStep>(spec->steps[3]).columns.kind, ColumnSelector::Kind::kCategorical);
  // Default: every column but the target.
  EXPECT_EQ(std::get<DropMissingStep>(spec->steps[4]).columns,
            (ColumnSelector{ColumnSelector::Kind::kAllExcept, {}}));
}

TEST(PipelineSpecTest, RejectsBadSelectors) {
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "standardize"}]})"),
              HasSubstr("pipeline step 1 (standardize): missing parameter 'columns'"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "log1p", "columns": []}]})"),
              HasSubstr("lists no column"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "log1p", "columns": ["a", "a"]}]})"),
              HasSubstr("column 'a' is listed twice"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "log1p", "columns": {"only": ["a"]}}]})"),
              HasSubstr("all_except"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "log1p", "columns": 3}]})"),
              HasSubstr("'columns' must be"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "log1p", "columns": [""]}]})"),
              HasSubstr("non-empty"));
}

TEST(PipelineSpecTest, RejectsBadParameters) {
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "impute", "columns": "x", "strategy": "avg"}]})"),
              HasSubstr("'strategy' must be one of 'mean', 'median', 'most_frequent', 'constant'"));
  EXPECT_THAT(
      ParseError(R"({"steps": [{"op": "impute", "columns": "x", "strategy": "constant"}]})"),
      HasSubstr("'fill_value' is required"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "impute", "columns": "x", "fill_value": 1}]})"),
              HasSubstr("'fill_value'"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "minmax", "columns": "x", "range": [1, 1]}]})"),
              EndsWith("'range' must have low < high"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "robust_scale", "columns": "x",
                                        "quantile_range": [10, 101]}]})"),
              HasSubstr("within [0"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "clip_outliers", "columns": "x", "k": -1}]})"),
              HasSubstr("'k' must be positive"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "clip_outliers", "columns": "x",
                                        "method": "percentile", "k": 2}]})"),
              HasSubstr("'k' applies to methods iqr and zscore"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "clip_outliers", "columns": "x",
                                        "method": "percentile", "lower": 50, "upper": 50}]})"),
              HasSubstr("0 <= lower < upper <= 100"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "mark_missing", "columns": "x", "values": []}]})"),
              HasSubstr("'values' must be a non-empty list"));
  EXPECT_THAT(
      ParseError(R"({"steps": [{"op": "mark_missing", "columns": "x", "values": [null]}]})"),
      HasSubstr("numbers or strings"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "cast", "columns": "x", "to": "text"}]})"),
              HasSubstr("pipeline step 1 (cast): unknown column type 'text'"));
  EXPECT_THAT(ParseError(R"({"steps": [{"op": "minmax", "columns": "x", "range": [0, 1e999]}]})"),
              HasSubstr("not valid JSON"));
}

TEST(PipelineSpecTest, RejectsBadDocuments) {
  EXPECT_THAT(ParseError("{"), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseError("[]"), HasSubstr("expected {\"steps\": [...]}"));
  EXPECT_THAT(ParseError(R"({"steps": [], "extra": 1})"), HasSubstr("unknown key 'extra'"));
  EXPECT_THAT(ParseError(R"({"steps": [3]})"), HasSubstr("pipeline step 1: must be an object"));
}

TEST(PipelineSpecTest, CanonicalJsonRoundTrips) {
  auto spec = ParsePipelineSpec(R"({"steps": [
    {"op": "drop_missing", "columns": ["y"], "how": "all"},
    {"op": "drop_columns", "columns": "id"},
    {"op": "drop_duplicates"},
    {"op": "mark_missing", "columns": ["a", "b"], "values": [0, "?", -1.5]},
    {"op": "impute", "columns": "categorical", "strategy": "constant", "fill_value": "none"},
    {"op": "impute", "columns": "numeric", "strategy": "most_frequent"},
    {"op": "clip_outliers", "columns": "numeric", "method": "zscore"},
    {"op": "drop_outliers", "columns": "numeric", "method": "percentile", "lower": 5},
    {"op": "cast", "columns": "zip", "to": "string"},
    {"op": "trim", "columns": "categorical"},
    {"op": "lowercase", "columns": "categorical"},
    {"op": "robust_scale", "columns": "numeric", "quantile_range": [10, 90]},
    {"op": "minmax", "columns": "numeric", "range": [-1, 0.1]},
    {"op": "maxabs", "columns": "numeric"},
    {"op": "normalize_rows", "columns": "numeric", "norm": "l1"},
    {"op": "log1p", "columns": ["a"]},
    {"op": "one_hot", "columns": "categorical"},
    {"op": "ordinal", "columns": "c", "unknown_value": -1},
    {"op": "standardize", "columns": {"all_except": ["x"]}}]})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  std::string canonical = PipelineSpecToJson(*spec);
  auto again = ParsePipelineSpec(canonical);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << canonical;
  EXPECT_EQ(*again, *spec);
  EXPECT_EQ(PipelineSpecToJson(*again), canonical);
  EXPECT_EQ(std::get<OutlierStep>(spec->steps[6]).k, 3.0);  // zscore's default
  EXPECT_EQ(std::get<CastStep>(spec->steps[8]).to, ColumnType::kCategorical);
}

}  // namespace
}  // namespace modelhost::data
