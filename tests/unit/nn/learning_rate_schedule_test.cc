#include "nn/learning_rate_schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iterator>

namespace modelhost::nn {
namespace {

using ::testing::HasSubstr;

TEST(LearningRateScheduleTest, ConstantIsTheSameAtEveryStep) {
  const LearningRateSchedule constant = 0.01;
  EXPECT_DOUBLE_EQ(LearningRateAt(constant, 0), 0.01);
  EXPECT_DOUBLE_EQ(LearningRateAt(constant, 1'000'000), 0.01);
}

TEST(LearningRateScheduleTest, ExponentialDecaySmoothAndStaircase) {
  ExponentialDecay decay{.initial_learning_rate = 0.1, .decay_steps = 10, .decay_rate = 0.5};
  // 0.1 · 0.5^(5/10) = 0.1 · 0.7071068
  EXPECT_NEAR(LearningRateAt(decay, 5), 0.07071068, 1e-8);
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 10), 0.05);
  decay.staircase = true;
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 5), 0.1);     // floor(0.5) = 0
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 10), 0.05);   // floor(1) = 1
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 25), 0.025);  // floor(2.5) = 2
}

TEST(LearningRateScheduleTest, CosineDecayHalfwayAndFloor) {
  CosineDecay decay{.initial_learning_rate = 1.0, .decay_steps = 10};
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 0), 1.0);
  EXPECT_NEAR(LearningRateAt(decay, 5), 0.5, 1e-12);  // 0.5·(1 + cos(π/2))
  EXPECT_NEAR(LearningRateAt(decay, 10), 0.0, 1e-12);
  EXPECT_NEAR(LearningRateAt(decay, 50), 0.0, 1e-12);  // held after decay_steps
  decay.alpha = 0.1;
  EXPECT_NEAR(LearningRateAt(decay, 5), 0.55, 1e-12);  // 0.9·0.5 + 0.1
  EXPECT_NEAR(LearningRateAt(decay, 10), 0.1, 1e-12);
}

TEST(LearningRateScheduleTest, CosineDecayWithWarmup) {
  const CosineDecay decay{
      .initial_learning_rate = 0.0, .decay_steps = 10, .warmup_target = 1.0, .warmup_steps = 4};
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 0), 0.0);
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 2), 0.5);    // (1 − 0)·2/4 + 0
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 4), 1.0);    // cosine from the target, at 0
  EXPECT_NEAR(LearningRateAt(decay, 9), 0.5, 1e-12);  // cosine at 5 of 10
  EXPECT_NEAR(LearningRateAt(decay, 100), 0.0, 1e-12);
}

TEST(LearningRateScheduleTest, PiecewiseConstantBoundariesBelongToTheLeft) {
  const PiecewiseConstantDecay decay{.boundaries = {10, 20}, .values = {1.0, 0.5, 0.1}};
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 0), 1.0);
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 10), 1.0);
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 11), 0.5);
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 20), 0.5);
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 21), 0.1);
}

TEST(LearningRateScheduleTest, ValidateNamesTheField) {
  EXPECT_THAT(Validate(ExponentialDecay{.decay_steps = 0}).message(), HasSubstr("decay_steps"));
  EXPECT_THAT(Validate(CosineDecay{.alpha = 2}).message(), HasSubstr("alpha"));
  EXPECT_THAT(Validate(CosineDecay{.warmup_target = 1.0, .warmup_steps = -1}).message(),
              HasSubstr("warmup_steps"));
  EXPECT_THAT(Validate(PiecewiseConstantDecay{.boundaries = {1}, .values = {1}}).message(),
              HasSubstr("one more value"));
  EXPECT_THAT(Validate(PiecewiseConstantDecay{.boundaries = {2, 1}, .values = {1, 1, 1}}).message(),
              HasSubstr("increasing"));
  EXPECT_FALSE(Validate(LearningRateSchedule(-0.1)).ok());
  EXPECT_TRUE(Validate(LearningRateSchedule(0.1)).ok());
}

// Regression: these only had to be finite, so a negative rate (gradient
// ascent) passed validation.
TEST(LearningRateScheduleTest, NegativeLearningRatesAreRejected) {
  const LearningRateSchedule negative[] = {
      CosineDecay{.initial_learning_rate = -0.1},
      CosineDecay{.initial_learning_rate = 0.0, .warmup_target = -1.0, .warmup_steps = 4},
      PiecewiseConstantDecay{.boundaries = {10}, .values = {0.1, -0.1}},
  };
  const char* fields[] = {"initial_learning_rate", "warmup_target", "values"};
  for (size_t index = 0; index < std::size(negative); ++index) {
    const core::Status status = Validate(negative[index]);
    EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument) << fields[index];
    EXPECT_THAT(status.message(), HasSubstr(fields[index]));
    EXPECT_THAT(status.message(), HasSubstr(">= 0"));
  }
  EXPECT_FALSE(MakeLearningRateSchedule("CosineDecay", {{"initial_learning_rate", -1.0}}).ok());
  EXPECT_FALSE(MakeLearningRateSchedule(
                   "PiecewiseConstantDecay",
                   {{"boundaries", std::vector<double>{5}}, {"values", std::vector<double>{-1, 2}}})
                   .ok());
  // Zero stays valid (a frozen phase), as for a constant.
  EXPECT_TRUE(Validate(PiecewiseConstantDecay{.boundaries = {10}, .values = {0.1, 0.0}}).ok());
  EXPECT_TRUE(Validate(CosineDecay{.initial_learning_rate = 0.0}).ok());
}

// Keras accepts warmup_target with warmup_steps = 0: no ramp, the cosine
// decays from warmup_target from step 0. We used to reject it.
TEST(LearningRateScheduleTest, CosineDecayWarmupTargetWithoutWarmupStepsDecaysFromTheTarget) {
  const CosineDecay decay{
      .initial_learning_rate = 0.1, .decay_steps = 10, .warmup_target = 1.0, .warmup_steps = 0};
  ASSERT_TRUE(Validate(decay).ok()) << Validate(decay).ToString();
  EXPECT_DOUBLE_EQ(LearningRateAt(decay, 0), 1.0);
  EXPECT_NEAR(LearningRateAt(decay, 5), 0.5, 1e-12);
  EXPECT_NEAR(LearningRateAt(decay, 10), 0.0, 1e-12);
  auto made = MakeLearningRateSchedule("CosineDecay", {{"initial_learning_rate", 0.1},
                                                       {"decay_steps", 10.0},
                                                       {"warmup_target", 1.0},
                                                       {"warmup_steps", 0.0}});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_DOUBLE_EQ(LearningRateAt(*made, 0), 1.0);
}

TEST(LearningRateScheduleTest, MakeFromKerasConfig) {
  auto schedule =
      MakeLearningRateSchedule("ExponentialDecay", {{"initial_learning_rate", 0.1},
                                                    {"decay_steps", 10.0},
                                                    {"decay_rate", 0.5},
                                                    {"staircase", true},
                                                    {"name", std::string("ExponentialDecay")}});
  ASSERT_TRUE(schedule.ok()) << schedule.status().ToString();
  EXPECT_DOUBLE_EQ(LearningRateAt(*schedule, 25), 0.025);

  auto cosine = MakeLearningRateSchedule(
      "cosine_decay", {{"initial_learning_rate", 1.0}, {"decay_steps", 10.0}, {"alpha", 0.1}});
  ASSERT_TRUE(cosine.ok());
  EXPECT_NEAR(LearningRateAt(*cosine, 5), 0.55, 1e-12);

  auto piecewise = MakeLearningRateSchedule(
      "PiecewiseConstantDecay",
      {{"boundaries", std::vector<double>{5}}, {"values", std::vector<double>{1, 2}}});
  ASSERT_TRUE(piecewise.ok());
  EXPECT_DOUBLE_EQ(LearningRateAt(*piecewise, 6), 2.0);
}

TEST(LearningRateScheduleTest, MakeRejectsUnknownsAndBadValues) {
  EXPECT_THAT(MakeLearningRateSchedule("PolynomialDecay", {}).status().message(),
              HasSubstr("PolynomialDecay"));
  EXPECT_THAT(MakeLearningRateSchedule("ExponentialDecay", {{"power", 1.0}}).status().message(),
              HasSubstr("power"));
  EXPECT_THAT(MakeLearningRateSchedule("ExponentialDecay", {{"staircase", 1.0}}).status().message(),
              HasSubstr("staircase"));
  EXPECT_THAT(
      MakeLearningRateSchedule("ExponentialDecay", {{"decay_rate", -1.0}}).status().message(),
      HasSubstr("decay_rate"));
}

}  // namespace
}  // namespace modelhost::nn
