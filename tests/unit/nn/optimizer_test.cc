// One step of each optimizer against values worked out by hand (the
// arithmetic is in the comments), several Adam steps against a double
// reference, and Step's contract (state by position, errors, non-trainable).
//
// Every case starts from p = [1, −2] with gradient g = [0.5, −1].

#include "nn/optimizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "nn/adagrad.h"
#include "nn/adam.h"
#include "nn/rmsprop.h"
#include "nn/sgd.h"

namespace modelhost::nn {
namespace {

using ::testing::HasSubstr;

constexpr float kTolerance = 1e-6f;

Parameter MakeParameter(std::vector<float> value, std::vector<float> gradient) {
  Parameter parameter;
  parameter.name = "dense/kernel";
  parameter.value = Matrix(1, value.size());
  parameter.gradient = Matrix(1, gradient.size());
  for (size_t k = 0; k < value.size(); ++k) parameter.value(0, k) = value[k];
  for (size_t k = 0; k < gradient.size(); ++k) parameter.gradient(0, k) = gradient[k];
  return parameter;
}

Parameter Standard() { return MakeParameter({1.0f, -2.0f}, {0.5f, -1.0f}); }

// Runs `steps` steps of `optimizer` on `parameter` with its fixed gradient.
void RunSteps(Optimizer& optimizer, Parameter& parameter, int steps) {
  std::vector<Parameter*> list = {&parameter};
  for (int step = 0; step < steps; ++step) ASSERT_TRUE(optimizer.Step(list).ok());
}

void ExpectValues(const Parameter& parameter, float first, float second) {
  EXPECT_NEAR(parameter.value(0, 0), first, kTolerance);
  EXPECT_NEAR(parameter.value(0, 1), second, kTolerance);
}

TEST(SgdTest, OneStepIsLearningRateTimesGradient) {
  // Keras default lr 0.01: p − 0.01·g = [1 − 0.005, −2 + 0.01] = [0.995, −1.99].
  auto sgd = Sgd::Create();
  ASSERT_TRUE(sgd.ok());
  Parameter parameter = Standard();
  RunSteps(**sgd, parameter, 1);
  ExpectValues(parameter, 0.995f, -1.99f);
}

TEST(SgdTest, MomentumAccumulatesVelocity) {
  // lr 0.1, momentum 0.9, two steps with the same g:
  //   m₁ = −0.1·g = [−0.05, 0.1];              p₁ = [0.95, −1.9]
  //   m₂ = 0.9·m₁ − 0.1·g = [−0.095, 0.19];     p₂ = [0.855, −1.71]
  auto sgd = Sgd::Create({.learning_rate = 0.1, .momentum = 0.9});
  ASSERT_TRUE(sgd.ok());
  Parameter parameter = Standard();
  RunSteps(**sgd, parameter, 1);
  ExpectValues(parameter, 0.95f, -1.9f);
  RunSteps(**sgd, parameter, 1);
  ExpectValues(parameter, 0.855f, -1.71f);
}

TEST(SgdTest, NesterovLooksAhead) {
  // lr 0.1, momentum 0.9, nesterov:
  //   m₁ = [−0.05, 0.1]; p₁ = p + 0.9·m₁ − 0.1·g = [1 − 0.045 − 0.05, −2 + 0.09 + 0.1]
  //      = [0.905, −1.81]
  //   m₂ = 0.9·m₁ − 0.1·g = [−0.095, 0.19];
  //   p₂ = p₁ + 0.9·m₂ − 0.1·g = [0.905 − 0.0855 − 0.05, −1.81 + 0.171 + 0.1] = [0.7695, −1.539]
  auto sgd = Sgd::Create({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
  ASSERT_TRUE(sgd.ok());
  Parameter parameter = Standard();
  RunSteps(**sgd, parameter, 1);
  ExpectValues(parameter, 0.905f, -1.81f);
  RunSteps(**sgd, parameter, 1);
  ExpectValues(parameter, 0.7695f, -1.539f);
}

TEST(SgdTest, RejectsMomentumOutOfRange) {
  auto sgd = Sgd::Create({.momentum = 1.5});
  ASSERT_FALSE(sgd.ok());
  EXPECT_THAT(sgd.status().message(), HasSubstr("momentum"));
}

TEST(AdagradTest, OneStepWithEpsilonInsideTheRoot) {
  // lr 0.1, initial accumulator 0.1, ε 1e-7: a = 0.1 + g² = [0.35, 1.1];
  //   p = p − 0.1·g / sqrt(a + ε) = [1 − 0.05/0.5916080, −2 + 0.1/1.0488089]
  //     = [0.9154846, −1.9046537]
  auto adagrad = Adagrad::Create({.learning_rate = 0.1});
  ASSERT_TRUE(adagrad.ok());
  EXPECT_EQ((*adagrad)->options().initial_accumulator_value, 0.1);
  Parameter parameter = Standard();
  RunSteps(**adagrad, parameter, 1);
  ExpectValues(parameter, 0.9154846f, -1.9046537f);
}

TEST(RmspropTest, OneStep) {
  // lr 0.1, ρ 0.9: v = 0.1·g² = [0.025, 0.1];
  //   p = p − 0.1·g / sqrt(v + 1e-7) = [1 − 0.05/0.1581142, −2 + 0.1/0.3162279]
  //     = [0.6837729, −1.6837724]
  auto rmsprop = Rmsprop::Create({.learning_rate = 0.1});
  ASSERT_TRUE(rmsprop.ok());
  Parameter parameter = Standard();
  RunSteps(**rmsprop, parameter, 1);
  ExpectValues(parameter, 0.6837729f, -1.6837724f);
}

TEST(RmspropTest, CenteredSubtractsTheSquaredMeanGradient) {
  // v = [0.025, 0.1], ḡ = 0.1·g = [0.05, −0.1]; d = v − ḡ² + ε = [0.0225, 0.09] (+1e-7);
  //   p = p − 0.1·g / sqrt(d) = [1 − 0.05/0.15, −2 + 0.1/0.3] = [0.6666674, −1.6666669]
  auto rmsprop = Rmsprop::Create({.learning_rate = 0.1, .centered = true});
  ASSERT_TRUE(rmsprop.ok());
  Parameter parameter = Standard();
  RunSteps(**rmsprop, parameter, 1);
  ExpectValues(parameter, 0.6666674f, -1.6666669f);
}

TEST(RmspropTest, MomentumAddsThePreviousIncrement) {
  // momentum 0.5. Step 1 as OneStep: Δ₁ = [0.3162271, −0.3162276] = m₁.
  // Step 2: v = 0.9·v + 0.1·g² = [0.0475, 0.19]; Δ₂ = 0.1·g/sqrt(v + ε)
  //   = [0.05/0.2179451, −0.1/0.4358900] = [0.2294155, −0.2294157];
  //   m₂ = 0.5·m₁ + Δ₂ = [0.3875291, −0.3875295]; p₂ = p₁ − m₂ = [0.2962438, −1.2962429]
  auto rmsprop = Rmsprop::Create({.learning_rate = 0.1, .momentum = 0.5});
  ASSERT_TRUE(rmsprop.ok());
  Parameter parameter = Standard();
  RunSteps(**rmsprop, parameter, 2);
  ExpectValues(parameter, 0.2962438f, -1.2962429f);
}

TEST(AdamTest, OneStep) {
  // lr 0.1, β₁ 0.9, β₂ 0.999, ε 1e-7, t = 1:
  //   m = 0.1·g = [0.05, −0.1]; v = 0.001·g² = [0.00025, 0.001];
  //   α = 0.1·sqrt(1 − 0.999)/(1 − 0.9) = 0.0316228;
  //   p = p − α·m/(sqrt(v) + ε) = [1 − 0.00158114/0.01581149, −2 + 0.00316228/0.03162288]
  //     = [0.9000006, −1.9000003]
  auto adam = Adam::Create({.learning_rate = 0.1});
  ASSERT_TRUE(adam.ok());
  Parameter parameter = Standard();
  RunSteps(**adam, parameter, 1);
  ExpectValues(parameter, 0.9000006f, -1.9000003f);
}

TEST(AdamTest, EpsilonIsAddedToTheUncorrectedRoot) {
  // ε = 0.01 makes the placement visible. Keras: p − α·m/(sqrt(v) + ε)
  //   = [1 − 0.00158114/(0.01581139 + 0.01), −2 + 0.00316228/(0.03162278 + 0.01)]
  //   = [0.9387426, −1.9240253];
  // PyTorch's placement, m̂/(sqrt(v̂) + ε), would give [0.9019608, −1.9009901].
  auto adam = Adam::Create({.learning_rate = 0.1, .epsilon = 0.01});
  ASSERT_TRUE(adam.ok());
  Parameter parameter = Standard();
  RunSteps(**adam, parameter, 1);
  ExpectValues(parameter, 0.9387426f, -1.9240253f);
}

TEST(AdamTest, AdamWDecaysTheWeightsBeforeTheUpdate) {
  // wd 0.004 (Keras default), lr 0.1: p ← p − 0.1·0.004·p = [0.9996, −1.9992], then the
  // Adam step of OneStep (−0.0999994, +0.0999997): [0.8996006, −1.8992003].
  auto adamw = Adam::CreateAdamW([] {
    AdamOptions options = AdamWOptions();
    options.learning_rate = 0.1;
    return options;
  }());
  ASSERT_TRUE(adamw.ok());
  EXPECT_EQ((*adamw)->kind(), OptimizerKind::kAdamW);
  Parameter parameter = Standard();
  RunSteps(**adamw, parameter, 1);
  ExpectValues(parameter, 0.8996006f, -1.8992003f);
}

TEST(AdamTest, ManyStepsMatchADoubleReference) {
  // Gradients that change every step, 50 steps, amsgrad off and on.
  for (bool amsgrad : {false, true}) {
    auto adam = Adam::Create({.learning_rate = 0.01, .amsgrad = amsgrad});
    ASSERT_TRUE(adam.ok());
    Parameter parameter = MakeParameter({0.3f, -0.7f, 1.5f}, {0, 0, 0});
    std::vector<Parameter*> list = {&parameter};
    double p[3] = {0.3, -0.7, 1.5}, m[3] = {}, v[3] = {}, v_hat[3] = {};
    for (int step = 1; step <= 50; ++step) {
      for (int k = 0; k < 3; ++k) {
        const float gradient = static_cast<float>(std::sin(step * (k + 1)) * (k + 0.5));
        parameter.gradient(0, k) = gradient;
        m[k] = 0.9 * m[k] + 0.1 * gradient;
        v[k] = 0.999 * v[k] + 0.001 * double{gradient} * gradient;
        v_hat[k] = std::max(v_hat[k], v[k]);
        const double alpha =
            0.01 * std::sqrt(1 - std::pow(0.999, step)) / (1 - std::pow(0.9, step));
        p[k] -= alpha * m[k] / (std::sqrt(amsgrad ? v_hat[k] : v[k]) + 1e-7);
      }
      ASSERT_TRUE((*adam)->Step(list).ok());
    }
    EXPECT_EQ((*adam)->iterations(), 50);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(parameter.value(0, k), p[k], 1e-5) << k;
  }
}

// Records the hook calls Step makes.
class RecordingOptimizer final : public Optimizer {
 public:
  explicit RecordingOptimizer(LearningRateSchedule schedule)
      : Optimizer({.learning_rate = std::move(schedule)}) {}
  OptimizerKind kind() const override { return OptimizerKind::kSgd; }
  std::vector<std::string> calls;

 protected:
  void ResizeState(size_t) override {}
  void CreateSlot(size_t, const Matrix&) override {}
  std::vector<std::pair<std::string_view, std::vector<Matrix>*>> StateSlots() override {
    return {};
  }
  void BeginStep(double learning_rate) override {
    calls.push_back("begin " + std::to_string(learning_rate));
  }
  void Update(size_t slot, Matrix&, const Matrix&, float) override {
    calls.push_back("update " + std::to_string(slot));
  }
};

// Work shared by all parameters (Adam's two std::pow calls) is done once per
// step in BeginStep, not once per parameter in Update.
TEST(OptimizerTest, BeginStepRunsOncePerStepBeforeTheUpdates) {
  RecordingOptimizer optimizer(PiecewiseConstantDecay{.boundaries = {0}, .values = {0.5, 0.25}});
  Parameter first = Standard();
  Parameter second = Standard();
  std::vector<Parameter*> list = {&first, &second};
  ASSERT_TRUE(optimizer.Step(list).ok());
  ASSERT_TRUE(optimizer.Step(list).ok());
  EXPECT_THAT(optimizer.calls, ::testing::ElementsAre("begin 0.500000", "update 0", "update 1",
                                                      "begin 0.250000", "update 0", "update 1"));
}

// Adam's per-step α follows the schedule at every step: with the rate 0 from
// the second step on, the second step moves nothing.
TEST(AdamTest, BiasCorrectedRateIsRecomputedEachStep) {
  auto adam = Adam::Create(
      {.learning_rate = PiecewiseConstantDecay{.boundaries = {0}, .values = {0.1, 0.0}}});
  ASSERT_TRUE(adam.ok());
  Parameter first = Standard();
  Parameter second = Standard();
  std::vector<Parameter*> list = {&first, &second};
  ASSERT_TRUE((*adam)->Step(list).ok());
  // The first step of AdamTest.OneStep, on both parameters.
  ExpectValues(first, 0.9000006f, -1.9000003f);
  ExpectValues(second, 0.9000006f, -1.9000003f);
  ASSERT_TRUE((*adam)->Step(list).ok());
  ExpectValues(first, 0.9000006f, -1.9000003f);
  ExpectValues(second, 0.9000006f, -1.9000003f);
}

TEST(OptimizerTest, SkipsNonTrainableParametersButKeepsTheirPosition) {
  auto sgd = Sgd::Create({.learning_rate = 0.1, .momentum = 0.9});
  ASSERT_TRUE(sgd.ok());
  Parameter frozen = Standard();
  frozen.name = "batch_normalization/moving_mean";
  frozen.trainable = false;
  Parameter trained = Standard();
  std::vector<Parameter*> list = {&frozen, &trained};
  ASSERT_TRUE((*sgd)->Step(list).ok());
  ExpectValues(frozen, 1.0f, -2.0f);
  ExpectValues(trained, 0.95f, -1.9f);
}

TEST(OptimizerTest, RejectsAChangedParameterListWithoutModifyingIt) {
  auto adam = Adam::Create();
  ASSERT_TRUE(adam.ok());
  Parameter first = Standard();
  Parameter second = Standard();
  std::vector<Parameter*> one = {&first};
  ASSERT_TRUE((*adam)->Step(one).ok());
  const Matrix before = first.value;

  std::vector<Parameter*> two = {&first, &second};
  core::Status status = (*adam)->Step(two);
  EXPECT_EQ(status.code(), core::StatusCode::kFailedPrecondition);

  Parameter wider = MakeParameter({1, 2, 3}, {1, 1, 1});
  std::vector<Parameter*> reshaped = {&wider};
  status = (*adam)->Step(reshaped);
  EXPECT_EQ(status.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("dense/kernel"));
  EXPECT_EQ(first.value, before);
  EXPECT_EQ((*adam)->iterations(), 1);
}

TEST(OptimizerTest, RejectsAGradientOfTheWrongShape) {
  auto sgd = Sgd::Create();
  ASSERT_TRUE(sgd.ok());
  Parameter parameter = MakeParameter({1, 2}, {1, 2, 3});
  std::vector<Parameter*> list = {&parameter};
  const core::Status status = (*sgd)->Step(list);
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  ExpectValues(parameter, 1.0f, 2.0f);
}

TEST(OptimizerTest, ScheduleIsEvaluatedAtTheStepBeforeIncrementing) {
  // Staircase decay by 0.5 every 2 steps from lr 0.1; g = 1:
  //   steps 0, 1 use 0.1; steps 2, 3 use 0.05 → p = 0 − 2·0.1 − 2·0.05 = −0.3.
  auto sgd = Sgd::Create(
      {.learning_rate = ExponentialDecay{
           .initial_learning_rate = 0.1, .decay_steps = 2, .decay_rate = 0.5, .staircase = true}});
  ASSERT_TRUE(sgd.ok());
  Parameter parameter = MakeParameter({0}, {1});
  EXPECT_DOUBLE_EQ((*sgd)->current_learning_rate(), 0.1);
  RunSteps(**sgd, parameter, 4);
  EXPECT_NEAR(parameter.value(0, 0), -0.3f, kTolerance);
  EXPECT_DOUBLE_EQ((*sgd)->current_learning_rate(), 0.025);
}

TEST(OptimizerTest, ClippingHappensBeforeTheUpdate) {
  // global_clipnorm 0.5: ‖g‖ = sqrt(0.25 + 1) = 1.1180340 → g·0.5/1.1180340 = [0.2236068,
  // −0.4472136]; SGD lr 1: p = [0.7763932, −1.5527864].
  auto sgd = Sgd::Create({.learning_rate = 1.0, .clipping = {.global_clipnorm = 0.5}});
  ASSERT_TRUE(sgd.ok());
  Parameter parameter = Standard();
  RunSteps(**sgd, parameter, 1);
  ExpectValues(parameter, 0.7763932f, -1.5527864f);
}

TEST(OptimizerTest, ResetForgetsStateAndIterations) {
  auto sgd = Sgd::Create({.learning_rate = 0.1, .momentum = 0.9});
  ASSERT_TRUE(sgd.ok());
  Parameter parameter = Standard();
  RunSteps(**sgd, parameter, 3);
  (*sgd)->Reset();
  EXPECT_EQ((*sgd)->iterations(), 0);
  Parameter fresh = Standard();
  RunSteps(**sgd, fresh, 1);  // no leftover velocity: one plain momentum step
  ExpectValues(fresh, 0.95f, -1.9f);
}

TEST(MakeOptimizerTest, KerasNamesWithDefaults) {
  auto adam = MakeOptimizer("Adam");
  ASSERT_TRUE(adam.ok());
  EXPECT_EQ((*adam)->kind(), OptimizerKind::kAdam);
  EXPECT_DOUBLE_EQ((*adam)->current_learning_rate(), 0.001);
  const auto& options = static_cast<const Adam&>(**adam).options();
  EXPECT_EQ(options.beta_1, 0.9);
  EXPECT_EQ(options.beta_2, 0.999);
  EXPECT_EQ(options.epsilon, 1e-7);

  auto sgd = MakeOptimizer("sgd");
  ASSERT_TRUE(sgd.ok());
  EXPECT_DOUBLE_EQ((*sgd)->current_learning_rate(), 0.01);
  auto gd = MakeOptimizer("gd");
  ASSERT_TRUE(gd.ok());
  EXPECT_EQ((*gd)->kind(), OptimizerKind::kSgd);

  auto adamw = MakeOptimizer("AdamW");
  ASSERT_TRUE(adamw.ok());
  EXPECT_EQ((*adamw)->common_options().weight_decay, 0.004);

  auto rmsprop = MakeOptimizer("RMSprop");
  ASSERT_TRUE(rmsprop.ok());
  EXPECT_EQ(static_cast<const Rmsprop&>(**rmsprop).options().rho, 0.9);

  auto nesterov = MakeOptimizer("nesterov");
  ASSERT_TRUE(nesterov.ok());
  EXPECT_TRUE(static_cast<const Sgd&>(**nesterov).options().nesterov);
  EXPECT_EQ(static_cast<const Sgd&>(**nesterov).options().momentum, 0.9);
}

TEST(MakeOptimizerTest, KerasConfigKeys) {
  const OptimizerConfig config = {
      {"name", std::string("adam")}, {"learning_rate", 0.01}, {"amsgrad", true}, {"use_ema", false},
      {"jit_compile", true},         {"clipnorm", 1.0}};
  auto adam = MakeOptimizer("adam", config);
  ASSERT_TRUE(adam.ok()) << adam.status().ToString();
  EXPECT_DOUBLE_EQ((*adam)->current_learning_rate(), 0.01);
  EXPECT_TRUE(static_cast<const Adam&>(**adam).options().amsgrad);
  EXPECT_EQ((*adam)->common_options().clipping.clipnorm, 1.0);

  auto scheduled = MakeOptimizer(
      "sgd",
      {{"learning_rate", LearningRateSchedule(ExponentialDecay{.initial_learning_rate = 0.2})}});
  ASSERT_TRUE(scheduled.ok());
  EXPECT_DOUBLE_EQ((*scheduled)->current_learning_rate(), 0.2);
}

TEST(MakeOptimizerTest, ErrorsNameTheCulprit) {
  auto unknown = MakeOptimizer("adamax");
  EXPECT_EQ(unknown.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("adamax"));

  auto bad_key = MakeOptimizer("sgd", {{"beta_1", 0.9}});
  EXPECT_EQ(bad_key.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_key.status().message(), HasSubstr("beta_1"));

  auto bad_type = MakeOptimizer("sgd", {{"nesterov", 1.0}});
  EXPECT_THAT(bad_type.status().message(), HasSubstr("nesterov"));

  auto ema = MakeOptimizer("adam", {{"use_ema", true}});
  EXPECT_THAT(ema.status().message(), HasSubstr("use_ema"));

  auto both = MakeOptimizer("adam", {{"clipnorm", 1.0}, {"global_clipnorm", 1.0}});
  EXPECT_THAT(both.status().message(), HasSubstr("global_clipnorm"));

  auto negative = MakeOptimizer("adam", {{"learning_rate", -1.0}});
  EXPECT_THAT(negative.status().message(), HasSubstr("learning_rate"));
}

TEST(OptimizerKindTest, ToStringIsTheKerasClassName) {
  EXPECT_EQ(ToString(OptimizerKind::kSgd), "SGD");
  EXPECT_EQ(ToString(OptimizerKind::kRmsprop), "RMSprop");
  EXPECT_EQ(ToString(OptimizerKind::kAdamW), "AdamW");
}

}  // namespace
}  // namespace modelhost::nn
