#include "nn/activation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "gradient_checker.h"

namespace modelhost::nn {
namespace {

Matrix Apply(Activation kind, const Matrix& input) {
  Matrix output;
  ActivationFunction::Of(kind).Forward(input, &output);
  return output;
}

TEST(ActivationTest, NamesRoundTrip) {
  for (Activation kind :
       {Activation::kLinear, Activation::kRelu, Activation::kLeakyRelu, Activation::kElu,
        Activation::kGelu, Activation::kSigmoid, Activation::kTanh, Activation::kSoftmax}) {
    core::Result<Activation> parsed = ParseActivation(ToString(kind));
    ASSERT_TRUE(parsed.ok()) << ToString(kind);
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(*ParseActivation(""), Activation::kLinear);
  core::Result<Activation> unknown = ParseActivation("swish2");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("swish2"), std::string::npos);
}

TEST(ActivationTest, KerasDefaultParameters) {
  EXPECT_FLOAT_EQ(DefaultAlpha(Activation::kLeakyRelu), 0.2f);
  EXPECT_FLOAT_EQ(DefaultAlpha(Activation::kElu), 1.0f);
}

TEST(ActivationTest, HandCheckedValues) {
  const Matrix input(1, 3, {-1.0f, 0.0f, 1.0f});
  EXPECT_EQ(Apply(Activation::kLinear, input), input);
  EXPECT_EQ(Apply(Activation::kRelu, input), Matrix(1, 3, {0, 0, 1}));
  EXPECT_EQ(Apply(Activation::kLeakyRelu, input), Matrix(1, 3, {-0.2f, 0, 1}));
  const Matrix elu = Apply(Activation::kElu, input);
  EXPECT_FLOAT_EQ(elu(0, 0), -0.63212056f);
  EXPECT_FLOAT_EQ(elu(0, 2), 1.0f);
  const Matrix gelu = Apply(Activation::kGelu, input);
  EXPECT_NEAR(gelu(0, 0), -0.15865525f, 1e-6f);  // exact erf form, not the tanh approximation
  EXPECT_FLOAT_EQ(gelu(0, 1), 0.0f);
  EXPECT_NEAR(gelu(0, 2), 0.84134475f, 1e-6f);
  const Matrix sigmoid = Apply(Activation::kSigmoid, input);
  EXPECT_EQ(sigmoid(0, 1), 0.5f);
  EXPECT_FLOAT_EQ(sigmoid(0, 2), 0.7310586f);
  EXPECT_FLOAT_EQ(Apply(Activation::kTanh, input)(0, 2), 0.7615942f);
}

TEST(ActivationTest, SigmoidIsStableForLargeInputs) {
  const Matrix sigmoid = Apply(Activation::kSigmoid, Matrix(1, 2, {-200.0f, 200.0f}));
  EXPECT_EQ(sigmoid(0, 0), 0.0f);
  EXPECT_EQ(sigmoid(0, 1), 1.0f);
  EXPECT_FALSE(std::isnan(StableSigmoid(-1e30f)));
}

TEST(ActivationTest, SoftmaxOfAKnownRowAndItsShiftInvariance) {
  const Matrix softmax = Apply(Activation::kSoftmax, Matrix(2, 3, {1, 2, 3, 1001, 1002, 1003}));
  const float expected[3] = {0.09003057f, 0.24472847f, 0.66524096f};
  for (size_t row = 0; row < 2; ++row) {
    for (size_t col = 0; col < 3; ++col) {
      EXPECT_NEAR(softmax(row, col), expected[col], 1e-6f) << row << "," << col;
    }
  }
}

TEST(ActivationTest, ForwardInPlace) {
  Matrix matrix(1, 3, {1, 2, 3});
  ActivationFunction::Of(Activation::kSoftmax).Forward(matrix, &matrix);
  EXPECT_NEAR(matrix(0, 2), 0.66524096f, 1e-6f);
}

class ActivationGradientTest : public ::testing::TestWithParam<Activation> {};

TEST_P(ActivationGradientTest, BackwardMatchesFiniteDifferences) {
  const ActivationFunction function = ActivationFunction::Of(GetParam());
  Matrix input = RandomMatrix(4, 5, 11, -3.0f, 3.0f);
  PushAwayFromZero(0.05f, &input);  // relu / leaky_relu / elu kinks
  const Matrix projection = RandomMatrix(4, 5, 12);
  Matrix output;
  const auto objective = [&] {
    function.Forward(input, &output);
    return Dot(output, projection);
  };
  function.Forward(input, &output);
  Matrix gradient;
  function.Backward(input, output, projection, &gradient);
  ExpectGradientNear(objective, &input, gradient, ToString(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ActivationGradientTest,
                         ::testing::Values(Activation::kLinear, Activation::kRelu,
                                           Activation::kLeakyRelu, Activation::kElu,
                                           Activation::kGelu, Activation::kSigmoid,
                                           Activation::kTanh, Activation::kSoftmax),
                         [](const ::testing::TestParamInfo<Activation>& info) {
                           return std::string(ToString(info.param));
                         });

TEST(ActivationTest, SoftmaxBackwardIsTheJacobianVectorProduct) {
  // For y = softmax(x), J = diag(y) − y yᵀ; check J·g by hand for one row.
  const Matrix input(1, 3, {0.5f, -1.0f, 2.0f});
  const ActivationFunction softmax = ActivationFunction::Of(Activation::kSoftmax);
  Matrix y;
  softmax.Forward(input, &y);
  const Matrix g(1, 3, {1.0f, 2.0f, -1.0f});
  Matrix dx;
  softmax.Backward(input, y, g, &dx);
  for (size_t i = 0; i < 3; ++i) {
    double expected = 0.0;
    for (size_t j = 0; j < 3; ++j) {
      const double jacobian = (i == j ? y(0, i) : 0.0) - static_cast<double>(y(0, i)) * y(0, j);
      expected += jacobian * g(0, j);
    }
    EXPECT_NEAR(dx(0, i), expected, 1e-6) << i;
  }
}

}  // namespace
}  // namespace modelhost::nn
