#include "data/columnwise_run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline_fixture.h"

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ColumnwiseRunTest, FitsColumnByColumnKeepingEachSelectorsOrder) {
  // impute → minmax over columns named out of frame order, then standardize
  // by type: each step must see what the steps before it did to the column.
  auto fit = FitCsv("a,b,c\n1,10,NA\n3,NA,4\nNA,30,8\n", R"({"steps": [
    {"op": "impute", "columns": ["c", "a"], "strategy": "constant", "fill_value": 0},
    {"op": "impute", "columns": "b", "strategy": "mean"},
    {"op": "minmax", "columns": ["b", "a"], "range": [0, 2]},
    {"op": "maxabs", "columns": "numeric"}]})");
  const auto& steps = fit.fitted.steps();
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_THAT(std::get<FittedImpute>(steps[0]).columns, ElementsAre("c", "a"));
  EXPECT_EQ(std::get<FittedImpute>(steps[1]).fill, std::vector<SpecValue>{20.0});
  const auto& minmax = std::get<FittedScale>(steps[2]);
  EXPECT_THAT(minmax.columns, ElementsAre("b", "a"));
  EXPECT_THAT(minmax.scale, ElementsAre(0.1, 2.0 / 3));  // b spans 10..30, a 0..3
  EXPECT_THAT(std::get<FittedScale>(steps[3]).columns, ElementsAre("a", "b", "c"));
  // a: 1, 3, 0 → minmax 2/3, 2, 0 → maxabs /2; b: 10, 20, 30 → 0, 1, 2 → /2; c: 0, 4, 8 → /8.
  EXPECT_THAT(FeatureColumn(fit.features, "a"), ElementsAre(1.0f / 3, 1, 0));
  EXPECT_THAT(FeatureColumn(fit.features, "b"), ElementsAre(0, 0.5, 1));
  EXPECT_THAT(FeatureColumn(fit.features, "c"), ElementsAre(0, 0.5, 1));
  // The transform path (also column by column) gives the same bits.
  auto again =
      fit.fitted.Transform(CsvTable("a,b,c\n1,10,NA\n3,NA,4\nNA,30,8\n"), TransformMode::kTraining);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->values, fit.features.values);
}

TEST(ColumnwiseRunTest, SliceByColumnKeepsOneColumnAndItsParameters) {
  auto fit = FitCsv("a,b,c\n1,10,NA\n3,NA,4\nNA,30,8\n", R"({"steps": [
    {"op": "impute", "columns": ["c", "a", "b"], "strategy": "median"},
    {"op": "minmax", "columns": ["b", "a"], "range": [0, 2]},
    {"op": "clip_outliers", "columns": "numeric", "method": "zscore", "k": 3}]})");
  const auto& steps = fit.fitted.steps();
  ASSERT_EQ(steps.size(), 3u);

  const std::vector<FittedStep> imputes = SliceByColumn(steps[0]);
  const auto& impute = std::get<FittedImpute>(steps[0]);
  ASSERT_EQ(imputes.size(), 3u);
  for (size_t k = 0; k < imputes.size(); ++k) {
    const auto& slice = std::get<FittedImpute>(imputes[k]);
    EXPECT_THAT(slice.columns, ElementsAre(impute.columns[k]));
    EXPECT_THAT(slice.fill, ElementsAre(impute.fill[k]));
  }

  const std::vector<FittedStep> minmaxes = SliceByColumn(steps[1]);
  const auto& minmax = std::get<FittedScale>(steps[1]);
  ASSERT_EQ(minmaxes.size(), 2u);
  for (size_t k = 0; k < minmaxes.size(); ++k) {
    const auto& slice = std::get<FittedScale>(minmaxes[k]);
    EXPECT_THAT(slice.columns, ElementsAre(minmax.columns[k]));
    EXPECT_TRUE(slice.center.empty());  // minmax has none
    EXPECT_THAT(slice.scale, ElementsAre(minmax.scale[k]));
    EXPECT_THAT(slice.offset, ElementsAre(minmax.offset[k]));
    EXPECT_EQ(slice.kind, minmax.kind);
  }

  const auto& clip = std::get<FittedOutliers>(steps[2]);
  const std::vector<FittedStep> clips = SliceByColumn(steps[2]);
  ASSERT_EQ(clips.size(), 3u);
  const auto& last = std::get<FittedOutliers>(clips[2]);
  EXPECT_THAT(last.columns, ElementsAre(clip.columns[2]));
  EXPECT_THAT(last.lower, ElementsAre(clip.lower[2]));
  EXPECT_THAT(last.upper, ElementsAre(clip.upper[2]));
  EXPECT_EQ(last.action, clip.action);
}

TEST(ColumnwiseRunTest, ErrorsNameTheirStep) {
  EXPECT_EQ(FitError("a,b\n1,NA\n2,NA\n", R"({"steps": [
    {"op": "standardize", "columns": "a"},
    {"op": "impute", "columns": ["b"], "strategy": "median"}]})"),
            "pipeline step 2 (impute): column 'b' has no values to learn from");
  EXPECT_THAT(FitError("a\n1\n", R"({"steps": [{"op": "log1p", "columns": "zz"}]})"),
              HasSubstr("pipeline step 1 (log1p): no column 'zz'"));
}

TEST(ColumnwiseRunTest, WhichOpsAreColumnwise) {
  auto spec = ParsePipelineSpec(R"({"steps": [
    {"op": "clip_outliers", "columns": "numeric"}, {"op": "drop_outliers", "columns": "numeric"},
    {"op": "cast", "columns": "a", "to": "string"}, {"op": "trim", "columns": "a"},
    {"op": "normalize_rows", "columns": "numeric"}, {"op": "robust_scale", "columns": "a"}]})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  std::vector<bool> columnwise;
  for (const StepSpec& step : spec->steps) columnwise.push_back(IsColumnwise(step));
  EXPECT_THAT(columnwise, ElementsAre(true, false, false, true, false, true));
}

}  // namespace
}  // namespace modelhost::data
