#include "nn/activation_layer.h"

#include <gtest/gtest.h>

#include "gradient_checker.h"

namespace modelhost::nn {
namespace {

TEST(ActivationLayerTest, AppliesItsActivationAndExposesTheInputAsPreActivation) {
  ActivationLayer layer(ActivationFunction::Of(Activation::kSigmoid));
  EXPECT_EQ(layer.class_name(), "Activation");
  EXPECT_EQ(layer.name(), "activation");
  RandomGenerator generator(1);
  ASSERT_TRUE(layer.Build(2, &generator).ok());
  EXPECT_EQ(layer.output_width(), 2u);
  EXPECT_EQ(layer.output_activation().kind, Activation::kSigmoid);
  const Matrix input(1, 2, {0, 100});
  Matrix output;
  ASSERT_TRUE(layer.Forward(input, &output, true).ok());
  EXPECT_EQ(output, Matrix(1, 2, {0.5f, 1.0f}));
  EXPECT_EQ(&layer.pre_activation(), &input);
}

TEST(ActivationLayerTest, GradientsMatchFiniteDifferences) {
  for (Activation kind : {Activation::kTanh, Activation::kSoftmax, Activation::kElu}) {
    SCOPED_TRACE(ToString(kind));
    ActivationLayer layer(ActivationFunction::Of(kind));
    RandomGenerator generator(1);
    ASSERT_TRUE(layer.Build(4, &generator).ok());
    Matrix input = RandomMatrix(3, 4, 5, -2.0f, 2.0f);
    PushAwayFromZero(0.05f, &input);
    ExpectLayerGradientsNear(&layer, input);
    ExpectLayerGradientsNear(&layer, input, {}, /*from_pre_activation=*/true);
  }
}

TEST(ActivationLayerTest, LeakyReluUsesTheGivenSlope) {
  ActivationLayer layer({Activation::kLeakyRelu, 0.3f});
  RandomGenerator generator(1);
  ASSERT_TRUE(layer.Build(2, &generator).ok());
  Matrix output;
  ASSERT_TRUE(layer.Forward(Matrix(1, 2, {-1, 2}), &output, false).ok());
  EXPECT_EQ(output, Matrix(1, 2, {-0.3f, 2}));
}

TEST(ActivationLayerTest, WrongWidthNamesTheLayer) {
  ActivationLayer layer(ActivationFunction::Of(Activation::kRelu));
  layer.set_name("activation_2");
  RandomGenerator generator(1);
  ASSERT_TRUE(layer.Build(3, &generator).ok());
  Matrix output;
  EXPECT_EQ(layer.Forward(Matrix(1, 2), &output, false).message(),
            "activation_2: expected 3 input features, got 2");
}

}  // namespace
}  // namespace modelhost::nn
