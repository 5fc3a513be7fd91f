#include "model/model_inputs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace modelhost::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

InputSchema Schema(std::vector<std::string> features, std::string target) {
  InputSchema schema;
  for (std::string& name : features)
    schema.features.push_back({std::move(name), data::ColumnType::kFloat64});
  schema.target.name = std::move(target);
  return schema;
}

data::TargetEncoding Target(std::string column) {
  data::TargetEncoding target;
  target.column = std::move(column);
  target.kind = data::TargetKind::kRegression;
  return target;
}

TEST(RecordFeaturesTest, ThePipelinesTargetFieldIsIgnored) {
  const data::FittedPipeline pipeline({{"a", data::ColumnType::kFloat64}}, Target("y"), {}, {"a"});
  auto features = RecordFeatures({{{"a", 2.0}, {"y", 7.0}}}, Schema({"a"}, "y"), &pipeline);
  ASSERT_TRUE(features.ok()) << features.status().ToString();
  EXPECT_THAT(std::vector<float>(features->data(), features->data() + 1), ElementsAre(2.0f));
}

TEST(RecordFeaturesTest, ATargetThatIsAlsoAnInputIsStillTakenOut) {
  // A hand-written pipeline.json may list its target among its inputs: the
  // record's value for it is ignored, as always, so the feature is missing.
  const data::FittedPipeline pipeline(
      {{"a", data::ColumnType::kFloat64}, {"y", data::ColumnType::kFloat64}}, Target("y"), {},
      {"a", "y"});
  auto features = RecordFeatures({{{"a", 2.0}, {"y", 5.0}}}, Schema({"a", "y"}, "y"), &pipeline);
  ASSERT_FALSE(features.ok());
  EXPECT_THAT(features.status().message(), HasSubstr("instance 0: "));
  EXPECT_THAT(features.status().message(), HasSubstr("feature 'y'"));
}

TEST(RecordFeaturesTest, AModelTargetNamedOtherwiseIsTakenOut) {
  const data::FittedPipeline pipeline({{"a", data::ColumnType::kFloat64}}, std::nullopt, {}, {"a"});
  auto features = RecordFeatures({{{"a", 2.0}, {"label", 1.0}}}, Schema({"a"}, "label"), &pipeline);
  ASSERT_TRUE(features.ok()) << features.status().ToString();
  EXPECT_EQ(features->rows(), 1u);
}

}  // namespace
}  // namespace modelhost::model
