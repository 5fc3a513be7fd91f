#include "nn/dense.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "allocation_counter.h"
#include "gradient_checker.h"

namespace modelhost::nn {
namespace {

DenseOptions Options(size_t units, Activation activation = Activation::kLinear) {
  DenseOptions options;
  options.units = units;
  options.activation = ActivationFunction::Of(activation);
  return options;
}

TEST(DenseTest, ForwardComputesInputTimesKernelPlusBias) {
  Dense dense(Options(2, Activation::kRelu));
  RandomGenerator generator(1);
  ASSERT_TRUE(dense.Build(2, &generator).ok());
  dense.kernel().value = Matrix(2, 2, {1, 2, 3, 4});
  dense.bias().value = Matrix(1, 2, {0.5f, -20});
  Matrix output;
  ASSERT_TRUE(dense.Forward(Matrix(2, 2, {1, 1, 2, 0}), &output, false).ok());
  // [1,1]·K = [4, 6] → +b = [4.5, −14] → relu [4.5, 0]; [2,0]·K = [2, 4] → [2.5, 0].
  EXPECT_EQ(output, Matrix(2, 2, {4.5f, 0, 2.5f, 0}));
  EXPECT_EQ(dense.pre_activation(), Matrix(2, 2, {4.5f, -14, 2.5f, -16}));
}

TEST(DenseTest, DefaultsMatchKeras) {
  Dense dense(Options(10));
  EXPECT_EQ(dense.class_name(), "Dense");
  EXPECT_EQ(dense.name(), "dense");
  EXPECT_EQ(dense.options().kernel_initializer, Initializer::kGlorotUniform);
  EXPECT_EQ(dense.options().bias_initializer, Initializer::kZeros);
  EXPECT_TRUE(dense.options().use_bias);
  RandomGenerator generator(1);
  ASSERT_TRUE(dense.Build(8, &generator).ok());
  EXPECT_EQ(dense.output_width(), 10u);
  EXPECT_EQ(dense.kernel().value.rows(), 8u);
  EXPECT_EQ(dense.bias().value, Matrix(1, 10));
}

TEST(DenseTest, RenameUpdatesParameters) {
  Dense dense(Options(3));
  RandomGenerator generator(1);
  ASSERT_TRUE(dense.Build(2, &generator).ok());
  dense.set_name("dense_1");
  std::vector<Parameter*> parameters = dense.Parameters();
  ASSERT_EQ(parameters.size(), 2u);
  EXPECT_EQ(parameters[0]->name, "dense_1/kernel");
  EXPECT_EQ(parameters[1]->name, "dense_1/bias");
  DenseOptions no_bias_options = Options(3);
  no_bias_options.use_bias = false;
  Dense no_bias(no_bias_options);
  EXPECT_EQ(no_bias.Parameters().size(), 1u);
}

TEST(DenseTest, WrongInputWidthNamesTheLayer) {
  Dense dense(Options(10));
  dense.set_name("dense_1");
  RandomGenerator generator(1);
  ASSERT_TRUE(dense.Build(8, &generator).ok());
  Matrix output;
  const core::Status status = dense.Forward(Matrix(4, 7), &output, true);
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "dense_1: expected 8 input features, got 7");
}

TEST(DenseTest, MisuseGivesStatuses) {
  Dense dense(Options(2));
  Matrix output;
  EXPECT_EQ(dense.Forward(Matrix(1, 2), &output, true).code(),
            core::StatusCode::kFailedPrecondition);
  RandomGenerator generator(1);
  ASSERT_TRUE(dense.Build(2, &generator).ok());
  EXPECT_EQ(dense.Build(2, &generator).code(), core::StatusCode::kFailedPrecondition);
  Matrix gradient;
  EXPECT_EQ(dense.Backward(Matrix(1, 2), &gradient).code(), core::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(dense.Forward(Matrix(1, 2), &output, /*training=*/false).ok());
  EXPECT_EQ(dense.Backward(Matrix(1, 2), &gradient).code(), core::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(dense.Forward(Matrix(1, 2), &output, /*training=*/true).ok());
  const core::Status bad_shape = dense.Backward(Matrix(1, 3), &gradient);
  EXPECT_EQ(bad_shape.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_shape.message(), "dense: output gradient is 1x3, expected 1x2");

  Dense zero_units(Options(0));
  const core::Status build = zero_units.Build(3, &generator);
  EXPECT_EQ(build.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(build.message(), "dense: units must be in [1, 1048576], got 0");
  Dense empty_input(Options(1));
  EXPECT_EQ(empty_input.Build(0, &generator).code(), core::StatusCode::kInvalidArgument);
}

// Regression: a width from a network spec or a caller went straight into
// Matrix::Resize, where an absurd size threw bad_alloc through the API.
TEST(DenseTest, BuildRejectsWidthsAndParameterCountsBeyondTheLimits) {
  RandomGenerator generator(1);
  Dense too_many_units(Options(kMaxLayerWidth + 1));
  const core::Status units = too_many_units.Build(2, &generator);
  EXPECT_EQ(units.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(units.message(), "dense: units must be in [1, 1048576], got 1048577");
  EXPECT_FALSE(too_many_units.built());

  Dense too_wide_input(Options(1));
  const core::Status input = too_wide_input.Build(kMaxLayerWidth + 1, &generator);
  EXPECT_EQ(input.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(input.message(), "dense: input width must be in [1, 1048576], got 1048577");

  // 2²⁰ × 2⁹ = 2²⁹ kernel values > 2²⁸: refused before allocating 2 GiB.
  Dense too_many_parameters(Options(kMaxLayerWidth));
  const core::Status parameters = too_many_parameters.Build(512, &generator);
  EXPECT_EQ(too_many_parameters.kernel().value.data(), nullptr);
  EXPECT_EQ(parameters.code(), core::StatusCode::kResourceExhausted);
  EXPECT_THAT(parameters.message(), ::testing::HasSubstr("more than the limit of 268435456"));
  EXPECT_FALSE(too_many_parameters.built());
}

TEST(DenseTest, SameSeedSameWeightsOtherSeedOtherWeights) {
  const auto kernel = [](uint64_t seed) {
    Dense dense(Options(10));
    RandomGenerator generator(seed);
    EXPECT_TRUE(dense.Build(8, &generator).ok());
    return dense.kernel().value;
  };
  EXPECT_EQ(kernel(7), kernel(7));
  EXPECT_FALSE(kernel(7) == kernel(8));
}

// A Dense of 3 inputs → 4 units built from `seed`, with an input whose
// pre-activations all lie at least 0.02 from 0 (no relu kink inside a finite
// difference). Tries seeds from `seed` on until one qualifies.
Matrix BuildAwayFromKinks(Dense* dense, uint64_t seed) {
  RandomGenerator generator(seed);
  EXPECT_TRUE(dense->Build(3, &generator).ok());
  for (uint64_t attempt = 0; attempt < 100; ++attempt) {
    Matrix input = RandomMatrix(5, 3, seed * 1000 + attempt);
    dense->bias().value = RandomMatrix(1, 4, seed * 1000 + attempt + 500, -0.5f, 0.5f);
    Matrix output;
    EXPECT_TRUE(dense->Forward(input, &output, true).ok());
    bool clear = true;
    for (float value : dense->pre_activation().values()) clear = clear && std::abs(value) > 0.02f;
    if (clear) return input;
  }
  ADD_FAILURE() << "no input away from kinks";
  return Matrix();
}

class DenseGradientTest : public ::testing::TestWithParam<Activation> {};

TEST_P(DenseGradientTest, BackwardMatchesFiniteDifferences) {
  Dense dense(Options(4, GetParam()));
  Matrix input = BuildAwayFromKinks(&dense, 21);
  ExpectLayerGradientsNear(&dense, input);
}

TEST_P(DenseGradientTest, BackwardFromPreActivationMatchesFiniteDifferences) {
  Dense dense(Options(4, GetParam()));
  Matrix input = BuildAwayFromKinks(&dense, 22);
  ExpectLayerGradientsNear(&dense, input, {}, /*from_pre_activation=*/true);
}

INSTANTIATE_TEST_SUITE_P(AllActivations, DenseGradientTest,
                         ::testing::Values(Activation::kLinear, Activation::kRelu,
                                           Activation::kLeakyRelu, Activation::kElu,
                                           Activation::kGelu, Activation::kSigmoid,
                                           Activation::kTanh, Activation::kSoftmax),
                         [](const ::testing::TestParamInfo<Activation>& info) {
                           return std::string(ToString(info.param));
                         });

TEST(DenseTest, RegularizerAddsLossAndGradient) {
  DenseOptions options = Options(2, Activation::kTanh);
  options.kernel_regularizer.l1 = 0.1f;
  options.kernel_regularizer.l2 = 0.2f;
  Dense dense(options);
  RandomGenerator generator(3);
  ASSERT_TRUE(dense.Build(2, &generator).ok());
  dense.kernel().value = Matrix(2, 2, {0.5f, -1.0f, 0.25f, 2.0f});
  // 0.1·(0.5 + 1 + 0.25 + 2) + 0.2·(0.25 + 1 + 0.0625 + 4) = 0.375 + 1.0625.
  EXPECT_FLOAT_EQ(dense.RegularizationLoss(), 1.4375f);
  ExpectLayerGradientsNear(&dense, RandomMatrix(3, 2, 4));
}

TEST(DenseTest, GradientWithoutBiasAndWithoutInputGradient) {
  DenseOptions options = Options(3, Activation::kSigmoid);
  options.use_bias = false;
  Dense dense(options);
  RandomGenerator generator(5);
  ASSERT_TRUE(dense.Build(4, &generator).ok());
  ExpectLayerGradientsNear(&dense, RandomMatrix(2, 4, 6));
  const Matrix input = RandomMatrix(2, 4, 6);  // must outlive the Backward below
  Matrix output;
  ASSERT_TRUE(dense.Forward(input, &output, true).ok());
  EXPECT_TRUE(dense.Backward(Matrix(2, 3), nullptr).ok());
}

TEST(DenseTest, NoAllocationAfterTheFirstStep) {
  Dense dense(Options(10, Activation::kRelu));
  RandomGenerator generator(1);
  ASSERT_TRUE(dense.Build(8, &generator).ok());
  const Matrix input = RandomMatrix(32, 8, 2);
  const Matrix output_gradient = RandomMatrix(32, 10, 3);
  Matrix output;
  Matrix input_gradient;
  ASSERT_TRUE(dense.Forward(input, &output, true).ok());
  ASSERT_TRUE(dense.Backward(output_gradient, &input_gradient).ok());
  const float* output_data = output.data();
  const float* input_gradient_data = input_gradient.data();
  const float* kernel_gradient_data = dense.kernel().gradient.data();
  const float* pre_activation_data = dense.pre_activation().data();
  AllocationCounter counter;
  for (int step = 0; step < 3; ++step) {
    ASSERT_TRUE(dense.Forward(input, &output, true).ok());
    ASSERT_TRUE(dense.Backward(output_gradient, &input_gradient).ok());
    ASSERT_TRUE(dense.Forward(input, &output, false).ok());
  }
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(output.data(), output_data);
  EXPECT_EQ(input_gradient.data(), input_gradient_data);
  EXPECT_EQ(dense.kernel().gradient.data(), kernel_gradient_data);
  EXPECT_EQ(dense.pre_activation().data(), pre_activation_data);
}

TEST(AllocationCounterTest, SeesAnAllocation) {
  AllocationCounter counter;
  Matrix matrix(3, 3);
  EXPECT_GE(counter.count(), 1);
}

}  // namespace
}  // namespace modelhost::nn
