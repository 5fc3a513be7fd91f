#include "nn/gradient_clipping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace modelhost::nn {
namespace {

using ::testing::HasSubstr;

Parameter WithGradient(Matrix gradient) {
  Parameter parameter;
  parameter.value = Matrix(gradient.rows(), gradient.cols());
  parameter.gradient = std::move(gradient);
  return parameter;
}

TEST(GradientClippingTest, ClipByNormScalesOnlyLongGradients) {
  Matrix gradient(1, 2, {3, 4});  // ‖g‖ = 5
  ClipByNorm(gradient, 10.0);
  EXPECT_EQ(gradient, Matrix(1, 2, {3, 4}));
  ClipByNorm(gradient, 1.0);  // g · 1/5
  EXPECT_FLOAT_EQ(gradient(0, 0), 0.6f);
  EXPECT_FLOAT_EQ(gradient(0, 1), 0.8f);
}

TEST(GradientClippingTest, ClipByValueIsElementwise) {
  Matrix gradient(1, 4, {-3, -0.5, 0.5, 3});
  ClipByValue(gradient, 1.0);
  EXPECT_EQ(gradient, Matrix(1, 4, {-1, -0.5, 0.5, 1}));
}

TEST(GradientClippingTest, GlobalNormSpansAllTrainableParameters) {
  Parameter first = WithGradient(Matrix(1, 1, {3}));
  Parameter second = WithGradient(Matrix(1, 1, {4}));
  Parameter frozen = WithGradient(Matrix(1, 1, {100}));
  frozen.trainable = false;
  std::vector<Parameter*> parameters = {&first, &second, &frozen};
  EXPECT_DOUBLE_EQ(GlobalNorm(parameters), 5.0);  // sqrt(9 + 16); the frozen one is ignored
  ClipByGlobalNorm(parameters, 2.5);              // scale 2.5/5 = 0.5
  EXPECT_FLOAT_EQ(first.gradient(0, 0), 1.5f);
  EXPECT_FLOAT_EQ(second.gradient(0, 0), 2.0f);
  EXPECT_FLOAT_EQ(frozen.gradient(0, 0), 100.0f);
}

TEST(GradientClippingTest, ClipnormIsPerParameterUnlikeGlobalClipnorm) {
  Parameter first = WithGradient(Matrix(1, 1, {3}));
  Parameter second = WithGradient(Matrix(1, 1, {4}));
  std::vector<Parameter*> parameters = {&first, &second};
  ClipGradients({.clipnorm = 3.5}, parameters);
  EXPECT_FLOAT_EQ(first.gradient(0, 0), 3.0f);  // ‖3‖ ≤ 3.5: untouched
  EXPECT_FLOAT_EQ(second.gradient(0, 0), 3.5f);
}

TEST(GradientClippingTest, NormTakesPrecedenceOverValueAsInKeras) {
  Parameter parameter = WithGradient(Matrix(1, 2, {3, 4}));
  std::vector<Parameter*> parameters = {&parameter};
  ClipGradients({.global_clipnorm = 10.0, .clipvalue = 1.0}, parameters);
  EXPECT_EQ(parameter.gradient, Matrix(1, 2, {3, 4}));
}

TEST(GradientClippingTest, NonFiniteNormsAreNotHidden) {
  Matrix gradient(1, 2, {INFINITY, 1});
  ClipByNorm(gradient, 1.0);  // factor 1/inf = 0: inf·0 = NaN, 1·0 = 0 (as Keras)
  EXPECT_TRUE(std::isnan(gradient(0, 0)));
  EXPECT_EQ(gradient(0, 1), 0.0f);

  Parameter first = WithGradient(Matrix(1, 1, {INFINITY}));
  Parameter second = WithGradient(Matrix(1, 1, {1}));
  std::vector<Parameter*> parameters = {&first, &second};
  ClipByGlobalNorm(parameters, 1.0);
  EXPECT_TRUE(std::isnan(first.gradient(0, 0)));
  EXPECT_TRUE(std::isnan(second.gradient(0, 0)));
}

TEST(GradientClippingTest, ValidateRejectsBadBounds) {
  EXPECT_TRUE(Validate(GradientClipping{}).ok());
  EXPECT_THAT(Validate(GradientClipping{.clipvalue = 0.0}).message(), HasSubstr("clipvalue"));
  EXPECT_THAT(Validate(GradientClipping{.clipnorm = 1.0, .global_clipnorm = 1.0}).message(),
              HasSubstr("only one"));
}

}  // namespace
}  // namespace modelhost::nn
