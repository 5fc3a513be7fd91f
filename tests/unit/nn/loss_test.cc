#include "nn/loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "allocation_counter.h"
#include "gradient_checker.h"

namespace modelhost::nn {
namespace {

Loss MakeLoss(LossKind kind, bool from_logits = false) {
  LossOptions options;
  options.kind = kind;
  options.from_logits = from_logits;
  core::Result<Loss> loss = Loss::Create(options);
  EXPECT_TRUE(loss.ok()) << loss.status().ToString();
  return *loss;
}

float Value(const Loss& loss, const Matrix& input, const Matrix& targets,
            std::vector<float> weights = {}) {
  core::Result<float> value = loss.Compute(input, targets, weights, nullptr);
  EXPECT_TRUE(value.ok()) << value.status().ToString();
  return value.ok() ? *value : NAN;
}

TEST(LossTest, ParsesKerasNamesClassNamesAndAliases) {
  struct Case {
    const char* name;
    LossKind kind;
  };
  for (const Case& c :
       {Case{"binary_crossentropy", LossKind::kBinaryCrossentropy},
        Case{"BinaryCrossentropy", LossKind::kBinaryCrossentropy},
        Case{"bce", LossKind::kBinaryCrossentropy}, Case{"BCE", LossKind::kBinaryCrossentropy},
        Case{"categorical_crossentropy", LossKind::kCategoricalCrossentropy},
        Case{"sparse_categorical_crossentropy", LossKind::kSparseCategoricalCrossentropy},
        Case{"mse", LossKind::kMeanSquaredError}, Case{"MSE", LossKind::kMeanSquaredError},
        Case{"MeanSquaredError", LossKind::kMeanSquaredError},
        Case{"mae", LossKind::kMeanAbsoluteError},
        Case{"mean_absolute_error", LossKind::kMeanAbsoluteError}, Case{"huber", LossKind::kHuber},
        Case{"Huber", LossKind::kHuber}}) {
    core::Result<LossKind> parsed = ParseLoss(c.name);
    ASSERT_TRUE(parsed.ok()) << c.name;
    EXPECT_EQ(*parsed, c.kind) << c.name;
  }
  EXPECT_EQ(ToString(LossKind::kMeanSquaredError), "mean_squared_error");
  EXPECT_FALSE(ParseLoss("Mse").ok());
  EXPECT_FALSE(ParseLoss("hinge").ok());
}

TEST(LossTest, FusableActivations) {
  EXPECT_EQ(FusableActivation(LossKind::kBinaryCrossentropy), Activation::kSigmoid);
  EXPECT_EQ(FusableActivation(LossKind::kCategoricalCrossentropy), Activation::kSoftmax);
  EXPECT_EQ(FusableActivation(LossKind::kSparseCategoricalCrossentropy), Activation::kSoftmax);
  EXPECT_EQ(FusableActivation(LossKind::kHuber), Activation::kLinear);
}

TEST(LossTest, BinaryCrossentropyMatchesTheTextbookFormula) {
  const Matrix p(2, 1, {0.9f, 0.2f});
  const Matrix y(2, 1, {1, 0});
  const double expected = -(std::log(0.9) + std::log(0.8)) / 2.0;
  EXPECT_NEAR(Value(MakeLoss(LossKind::kBinaryCrossentropy), p, y), expected, 1e-6);
  // From logits z: the same formula with p = σ(z).
  const Matrix z(2, 1, {2.0f, -1.0f});
  const double sigmoid_2 = 1.0 / (1.0 + std::exp(-2.0));
  const double sigmoid_m1 = 1.0 / (1.0 + std::exp(1.0));
  const double from_logits = -(std::log(sigmoid_2) + std::log(1.0 - sigmoid_m1)) / 2.0;
  EXPECT_NEAR(Value(MakeLoss(LossKind::kBinaryCrossentropy, true), z, y), from_logits, 1e-6);
}

TEST(LossTest, BinaryCrossentropyFromLogitsStaysExactWhereProbabilitiesSaturate) {
  const Loss loss = MakeLoss(LossKind::kBinaryCrossentropy);
  Matrix gradient;
  core::Result<float> value =
      loss.ComputeFromLogits(Matrix(1, 1, {100.0f}), Matrix(1, 1, {0.0f}), {}, &gradient);
  ASSERT_TRUE(value.ok());
  EXPECT_FLOAT_EQ(*value, 100.0f);
  EXPECT_FLOAT_EQ(gradient(0, 0), 1.0f);  // σ(100) − 0
  // From the saturated probability, Keras-style clipping caps the loss at
  // −log(1 − (1 − 1e-7)), with 1 − 1e-7 rounded to float32 as Keras does.
  const double clipped = 1.0f - kProbabilityEpsilon;
  EXPECT_NEAR(Value(loss, Matrix(1, 1, {1.0f}), Matrix(1, 1, {0.0f})), -std::log(1.0 - clipped),
              1e-4);
}

TEST(LossTest, CategoricalAndSparseAgreeOnAKnownRow) {
  const Matrix logits(1, 3, {1, 2, 3});
  const double expected = -std::log(0.66524096);
  EXPECT_NEAR(
      Value(MakeLoss(LossKind::kCategoricalCrossentropy, true), logits, Matrix(1, 3, {0, 0, 1})),
      expected, 1e-6);
  EXPECT_NEAR(
      Value(MakeLoss(LossKind::kSparseCategoricalCrossentropy, true), logits, Matrix(1, 1, {2})),
      expected, 1e-6);
  const Matrix probabilities(1, 3, {0.09003057f, 0.24472847f, 0.66524096f});
  EXPECT_NEAR(
      Value(MakeLoss(LossKind::kCategoricalCrossentropy), probabilities, Matrix(1, 3, {0, 0, 1})),
      expected, 1e-6);
  EXPECT_NEAR(
      Value(MakeLoss(LossKind::kSparseCategoricalCrossentropy), probabilities, Matrix(1, 1, {2})),
      expected, 1e-6);
}

TEST(LossTest, RegressionLossesOnKnownValues) {
  const Matrix prediction(1, 2, {1.5f, -2.0f});
  const Matrix target(1, 2, {1.0f, 0.0f});  // errors 0.5 and −2
  EXPECT_FLOAT_EQ(Value(MakeLoss(LossKind::kMeanSquaredError), prediction, target),
                  (0.25f + 4.0f) / 2);
  EXPECT_FLOAT_EQ(Value(MakeLoss(LossKind::kMeanAbsoluteError), prediction, target),
                  (0.5f + 2.0f) / 2);
  // Huber δ = 1: ½·0.25 and 1·(2 − ½).
  EXPECT_FLOAT_EQ(Value(MakeLoss(LossKind::kHuber), prediction, target), (0.125f + 1.5f) / 2);
}

TEST(LossTest, SampleWeightsScaleEachSampleAndTheMeanIsOverTheBatch) {
  const Loss loss = MakeLoss(LossKind::kMeanSquaredError);
  const Matrix prediction(2, 1, {1, 3});
  const Matrix target(2, 1, {0, 0});
  EXPECT_FLOAT_EQ(Value(loss, prediction, target), 5.0f);
  // Keras sum_over_batch_size: (2·1 + 0·9) / 2, not / Σweights.
  EXPECT_FLOAT_EQ(Value(loss, prediction, target, {2.0f, 0.0f}), 1.0f);
}

TEST(LossTest, FusedPathAgreesWithTheUnfusedOne) {
  const Matrix logits = RandomMatrix(4, 3, 31, -3.0f, 3.0f);
  Matrix probabilities;
  ActivationFunction::Of(Activation::kSoftmax).Forward(logits, &probabilities);
  const Matrix targets(4, 1, {0, 2, 1, 2});
  const Loss loss = MakeLoss(LossKind::kSparseCategoricalCrossentropy);
  core::Result<float> fused = loss.ComputeFromLogits(logits, targets, {}, nullptr);
  ASSERT_TRUE(fused.ok());
  EXPECT_NEAR(*fused, Value(loss, probabilities, targets), 1e-5);

  ActivationFunction::Of(Activation::kSigmoid).Forward(logits, &probabilities);
  const Matrix binary_targets = RandomMatrix(4, 3, 32, 0.0f, 1.0f);
  const Loss bce = MakeLoss(LossKind::kBinaryCrossentropy);
  core::Result<float> fused_bce = bce.ComputeFromLogits(logits, binary_targets, {}, nullptr);
  ASSERT_TRUE(fused_bce.ok());
  EXPECT_NEAR(*fused_bce, Value(bce, probabilities, binary_targets), 1e-5);
}

struct GradientCase {
  LossKind kind;
  bool from_logits;
  bool weighted;
};

std::string CaseName(const ::testing::TestParamInfo<GradientCase>& info) {
  return std::string(ToString(info.param.kind)) + (info.param.from_logits ? "_logits" : "") +
         (info.param.weighted ? "_weighted" : "");
}

class LossGradientTest : public ::testing::TestWithParam<GradientCase> {};

TEST_P(LossGradientTest, GradientMatchesFiniteDifferences) {
  const GradientCase c = GetParam();
  const Loss loss = MakeLoss(c.kind, c.from_logits);
  const size_t batch = 4;
  const size_t cols = 3;
  Matrix input;
  Matrix targets;
  switch (c.kind) {
    case LossKind::kBinaryCrossentropy:
      input = c.from_logits ? RandomMatrix(batch, cols, 41, -3.0f, 3.0f)
                            : RandomMatrix(batch, cols, 41, 0.1f, 0.9f);
      targets = RandomMatrix(batch, cols, 42, 0.0f, 1.0f);
      break;
    case LossKind::kCategoricalCrossentropy:
      input = c.from_logits ? RandomMatrix(batch, cols, 43, -3.0f, 3.0f)
                            : RandomMatrix(batch, cols, 43, 0.2f, 1.0f);
      targets = RandomMatrix(batch, cols, 44, 0.0f, 1.0f);  // soft labels
      break;
    case LossKind::kSparseCategoricalCrossentropy:
      input = c.from_logits ? RandomMatrix(batch, cols, 45, -3.0f, 3.0f)
                            : RandomMatrix(batch, cols, 45, 0.2f, 1.0f);
      targets = Matrix(batch, 1, {0, 2, 1, 2});
      break;
    default:
      // Errors kept ≥ 0.05 away from 0 and from the Huber δ = 1 (the kinks).
      targets = RandomMatrix(batch, cols, 46, -1.0f, 1.0f);
      input = targets;
      const Matrix offsets(
          batch, cols,
          {0.3f, -0.2f, 1.5f, -1.7f, 0.6f, -0.5f, 2.0f, 0.1f, -0.8f, 1.2f, -0.3f, 0.7f});
      for (size_t k = 0; k < input.size(); ++k) input.data()[k] += offsets.data()[k];
      break;
  }
  const std::vector<float> weights =
      c.weighted ? std::vector<float>{0.5f, 2.0f, 0.0f, 1.5f} : std::vector<float>{};
  Matrix gradient;
  ASSERT_TRUE(loss.Compute(input, targets, weights, &gradient).ok());
  const auto objective = [&] {
    core::Result<float> value = loss.Compute(input, targets, weights, nullptr);
    EXPECT_TRUE(value.ok());
    return static_cast<double>(*value);
  };
  ExpectGradientNear(objective, &input, gradient, CaseName({c, 0}),
                     GradientTolerance{.step = 2e-3, .absolute = 2e-4, .relative = 1e-2});
}

TEST(LossTest, FusedGradientIsProbabilityMinusTarget) {
  for (LossKind kind : {LossKind::kBinaryCrossentropy, LossKind::kCategoricalCrossentropy,
                        LossKind::kSparseCategoricalCrossentropy}) {
    SCOPED_TRACE(ToString(kind));
    const Loss loss = MakeLoss(kind);
    const Matrix logits = RandomMatrix(2, 3, 51, -2.0f, 2.0f);
    const bool sparse = kind == LossKind::kSparseCategoricalCrossentropy;
    const Matrix targets = sparse ? Matrix(2, 1, {1, 0}) : Matrix(2, 3, {0, 1, 0, 1, 0, 0});
    Matrix gradient;
    ASSERT_TRUE(loss.ComputeFromLogits(logits, targets, {}, &gradient).ok());
    Matrix probabilities;
    ActivationFunction::Of(FusableActivation(kind)).Forward(logits, &probabilities);
    const Matrix one_hot(2, 3, {0, 1, 0, 1, 0, 0});
    // Binary cross-entropy averages over the 3 outputs; all kinds over the batch of 2.
    const float per_element = kind == LossKind::kBinaryCrossentropy ? 1.0f / 3.0f : 1.0f;
    for (size_t index = 0; index < 6; ++index) {
      const float expected =
          (probabilities.data()[index] - one_hot.data()[index]) * per_element / 2.0f;
      EXPECT_NEAR(gradient.data()[index], expected, 1e-6f) << index;
    }
  }
}

std::vector<GradientCase> AllGradientCases() {
  std::vector<GradientCase> cases;
  for (LossKind kind : {LossKind::kBinaryCrossentropy, LossKind::kCategoricalCrossentropy,
                        LossKind::kSparseCategoricalCrossentropy, LossKind::kMeanSquaredError,
                        LossKind::kMeanAbsoluteError, LossKind::kHuber}) {
    for (bool weighted : {false, true}) {
      cases.push_back({kind, false, weighted});
      if (FusableActivation(kind) != Activation::kLinear) cases.push_back({kind, true, weighted});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllLosses, LossGradientTest, ::testing::ValuesIn(AllGradientCases()),
                         CaseName);

TEST(LossTest, BadInputsNameTheLoss) {
  const Loss mse = MakeLoss(LossKind::kMeanSquaredError);
  core::Result<float> shape = mse.Compute(Matrix(2, 3), Matrix(2, 2), {}, nullptr);
  EXPECT_EQ(shape.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(shape.status().message(), "mean_squared_error: targets are 2x2, expected 2x3");
  const std::vector<float> weights = {1.0f};
  EXPECT_EQ(mse.Compute(Matrix(2, 3), Matrix(2, 3), weights, nullptr).status().message(),
            "mean_squared_error: 1 sample weights for a batch of 2");
  EXPECT_FALSE(mse.Compute(Matrix(0, 3), Matrix(0, 3), {}, nullptr).ok());
  EXPECT_EQ(mse.ComputeFromLogits(Matrix(2, 3), Matrix(2, 3), {}, nullptr).status().code(),
            core::StatusCode::kFailedPrecondition);

  const Loss sparse = MakeLoss(LossKind::kSparseCategoricalCrossentropy);
  for (float bad : {3.0f, -1.0f, 1.5f, NAN}) {
    core::Result<float> value = sparse.Compute(Matrix(1, 3), Matrix(1, 1, {bad}), {}, nullptr);
    EXPECT_EQ(value.status().code(), core::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(value.status().message().rfind("sparse_categorical_crossentropy: target", 0), 0u)
        << value.status().message();
  }
  LossOptions zero_delta;
  zero_delta.kind = LossKind::kHuber;
  zero_delta.huber_delta = 0.0f;
  EXPECT_FALSE(Loss::Create(zero_delta).ok());
  LossOptions mse_from_logits;
  mse_from_logits.from_logits = true;
  EXPECT_FALSE(Loss::Create(mse_from_logits).ok());
}

TEST(LossTest, NoAllocationAfterTheFirstCall) {
  const Loss loss = MakeLoss(LossKind::kBinaryCrossentropy);
  const Matrix logits = RandomMatrix(32, 1, 61);
  const Matrix targets = RandomMatrix(32, 1, 62, 0.0f, 1.0f);
  Matrix gradient;
  ASSERT_TRUE(loss.ComputeFromLogits(logits, targets, {}, &gradient).ok());
  const float* gradient_data = gradient.data();
  AllocationCounter counter;
  for (int step = 0; step < 3; ++step) {
    ASSERT_TRUE(loss.ComputeFromLogits(logits, targets, {}, &gradient).ok());
  }
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(gradient.data(), gradient_data);
}

}  // namespace
}  // namespace modelhost::nn
