#include "nn/dropout.h"

#include <gtest/gtest.h>

#include "allocation_counter.h"
#include "gradient_checker.h"

namespace modelhost::nn {
namespace {

std::unique_ptr<Dropout> BuiltDropout(float rate, std::optional<uint64_t> seed, size_t width) {
  auto dropout = std::make_unique<Dropout>(DropoutOptions{.rate = rate, .seed = seed});
  RandomGenerator generator(1);
  EXPECT_TRUE(dropout->Build(width, &generator).ok());
  return dropout;
}

TEST(DropoutTest, InferenceIsTheIdentity) {
  auto dropout = BuiltDropout(0.5f, 3, 4);
  const Matrix input = RandomMatrix(8, 4, 1);
  Matrix output;
  ASSERT_TRUE(dropout->Forward(input, &output, /*training=*/false).ok());
  EXPECT_EQ(output, input);
  EXPECT_EQ(dropout->class_name(), "Dropout");
  EXPECT_EQ(dropout->name(), "dropout");
  EXPECT_TRUE(dropout->Parameters().empty());
}

TEST(DropoutTest, TrainingDropsAboutRateAndScalesTheRest) {
  auto dropout = BuiltDropout(0.3f, 3, 100);
  const Matrix input = RandomMatrix(100, 100, 2, 0.5f, 1.0f);
  Matrix output;
  ASSERT_TRUE(dropout->Forward(input, &output, /*training=*/true).ok());
  int dropped = 0;
  for (size_t index = 0; index < input.size(); ++index) {
    if (output.data()[index] == 0.0f) {
      ++dropped;
    } else {
      EXPECT_FLOAT_EQ(output.data()[index], input.data()[index] / 0.7f);
    }
  }
  EXPECT_NEAR(dropped / 10000.0, 0.3, 0.02);
}

TEST(DropoutTest, MasksAreDeterminedBySeed) {
  const auto mask = [](std::optional<uint64_t> seed, uint64_t build_seed) {
    Dropout dropout({.rate = 0.5f, .seed = seed});
    RandomGenerator generator(build_seed);
    EXPECT_TRUE(dropout.Build(6, &generator).ok());
    Matrix output;
    EXPECT_TRUE(dropout.Forward(Matrix(4, 6), &output, true).ok());
    return dropout.mask();
  };
  EXPECT_EQ(mask(5, 1), mask(5, 2));  // an explicit seed wins
  EXPECT_FALSE(mask(5, 1) == mask(6, 1));
  EXPECT_EQ(mask(std::nullopt, 1), mask(std::nullopt, 1));  // else the model seed decides
  EXPECT_FALSE(mask(std::nullopt, 1) == mask(std::nullopt, 2));

  auto dropout = BuiltDropout(0.5f, 9, 6);
  Matrix output;
  ASSERT_TRUE(dropout->Forward(Matrix(4, 6), &output, true).ok());
  const Matrix first = dropout->mask();
  ASSERT_TRUE(dropout->Forward(Matrix(4, 6), &output, true).ok());
  EXPECT_FALSE(dropout->mask() == first);  // a fresh mask per step
  dropout->Reseed(9);
  ASSERT_TRUE(dropout->Forward(Matrix(4, 6), &output, true).ok());
  EXPECT_EQ(dropout->mask(), first);
}

TEST(DropoutTest, GradientWithAFixedMask) {
  auto dropout = BuiltDropout(0.4f, 17, 5);
  Dropout* layer = dropout.get();
  ExpectLayerGradientsNear(layer, RandomMatrix(6, 5, 3), [layer] { layer->Reseed(17); });
}

TEST(DropoutTest, InvalidRateNamesTheLayer) {
  for (float rate : {1.0f, -0.1f}) {
    Dropout dropout(DropoutOptions{.rate = rate, .seed = std::nullopt});
    RandomGenerator generator(1);
    const core::Status status = dropout.Build(3, &generator);
    EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message().rfind("dropout: rate must be in [0, 1)", 0), 0u) << status.message();
  }
}

TEST(DropoutTest, NoAllocationAfterTheFirstStep) {
  auto dropout = BuiltDropout(0.5f, 1, 10);
  const Matrix input = RandomMatrix(32, 10, 2);
  Matrix output;
  Matrix input_gradient;
  ASSERT_TRUE(dropout->Forward(input, &output, true).ok());
  ASSERT_TRUE(dropout->Backward(input, &input_gradient).ok());
  const float* output_data = output.data();
  AllocationCounter counter;
  for (int step = 0; step < 3; ++step) {
    ASSERT_TRUE(dropout->Forward(input, &output, true).ok());
    ASSERT_TRUE(dropout->Backward(input, &input_gradient).ok());
  }
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(output.data(), output_data);
}

}  // namespace
}  // namespace modelhost::nn
