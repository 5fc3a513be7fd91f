#include "nn/batch_normalization.h"

#include <gtest/gtest.h>

#include <cmath>

#include "allocation_counter.h"
#include "gradient_checker.h"

namespace modelhost::nn {
namespace {

std::unique_ptr<BatchNormalization> BuiltBatchNormalization(
    size_t width, BatchNormalizationOptions options = {}) {
  auto layer = std::make_unique<BatchNormalization>(options);
  RandomGenerator generator(1);
  EXPECT_TRUE(layer->Build(width, &generator).ok());
  return layer;
}

TEST(BatchNormalizationTest, KerasDefaultsAndParameters) {
  BatchNormalizationOptions defaults;
  EXPECT_FLOAT_EQ(defaults.momentum, 0.99f);
  EXPECT_FLOAT_EQ(defaults.epsilon, 1e-3f);
  EXPECT_TRUE(defaults.center);
  EXPECT_TRUE(defaults.scale);
  auto layer = BuiltBatchNormalization(3);
  EXPECT_EQ(layer->class_name(), "BatchNormalization");
  std::vector<Parameter*> parameters = layer->Parameters();
  ASSERT_EQ(parameters.size(), 4u);
  EXPECT_EQ(parameters[0]->name, "batch_normalization/gamma");
  EXPECT_EQ(parameters[1]->name, "batch_normalization/beta");
  EXPECT_EQ(parameters[2]->name, "batch_normalization/moving_mean");
  EXPECT_EQ(parameters[3]->name, "batch_normalization/moving_variance");
  EXPECT_TRUE(parameters[0]->trainable);
  EXPECT_TRUE(parameters[1]->trainable);
  EXPECT_FALSE(parameters[2]->trainable);
  EXPECT_FALSE(parameters[3]->trainable);
  EXPECT_EQ(parameters[0]->value, Matrix(1, 3, {1, 1, 1}));
  EXPECT_EQ(parameters[3]->value, Matrix(1, 3, {1, 1, 1}));

  BatchNormalizationOptions bare_options;
  bare_options.center = false;
  bare_options.scale = false;
  auto bare = BuiltBatchNormalization(3, bare_options);
  EXPECT_EQ(bare->Parameters().size(), 2u);
}

TEST(BatchNormalizationTest, TrainingNormalizesAndUpdatesMovingStatistics) {
  auto layer = BuiltBatchNormalization(2);
  // Column 0: mean 2, biased variance 2/3; column 1: mean 10, variance 8/3.
  const Matrix input(3, 2, {1, 8, 2, 10, 3, 12});
  Matrix output;
  ASSERT_TRUE(layer->Forward(input, &output, /*training=*/true).ok());
  const float scale0 = 1.0f / std::sqrt(2.0f / 3.0f + 1e-3f);
  EXPECT_NEAR(output(0, 0), -scale0, 1e-5f);
  EXPECT_NEAR(output(1, 0), 0.0f, 1e-5f);
  EXPECT_NEAR(output(2, 0), scale0, 1e-5f);
  EXPECT_NEAR(layer->moving_mean().value(0, 0), 0.01f * 2.0f, 1e-6f);
  EXPECT_NEAR(layer->moving_mean().value(0, 1), 0.01f * 10.0f, 1e-6f);
  EXPECT_NEAR(layer->moving_variance().value(0, 0), 0.99f + 0.01f * (2.0f / 3.0f), 1e-6f);
  EXPECT_NEAR(layer->moving_variance().value(0, 1), 0.99f + 0.01f * (8.0f / 3.0f), 1e-6f);
}

TEST(BatchNormalizationTest, InferenceUsesMovingStatistics) {
  auto layer = BuiltBatchNormalization(2);
  layer->moving_mean().value = Matrix(1, 2, {1, -2});
  layer->moving_variance().value = Matrix(1, 2, {4, 0.25f});
  layer->gamma().value = Matrix(1, 2, {2, 1});
  layer->beta().value = Matrix(1, 2, {0.5f, 0});
  Matrix output;
  ASSERT_TRUE(layer->Forward(Matrix(1, 2, {3, -1}), &output, /*training=*/false).ok());
  EXPECT_NEAR(output(0, 0), 2.0f * (3 - 1) / std::sqrt(4.001f) + 0.5f, 1e-5f);
  EXPECT_NEAR(output(0, 1), 1.0f * (-1 + 2) / std::sqrt(0.251f), 1e-5f);
  EXPECT_EQ(layer->moving_mean().value, Matrix(1, 2, {1, -2}));  // untouched at inference
}

TEST(BatchNormalizationTest, TrainingGradientsMatchFiniteDifferences) {
  auto layer = BuiltBatchNormalization(3);
  layer->gamma().value = Matrix(1, 3, {1.5f, -0.5f, 0.8f});
  layer->beta().value = Matrix(1, 3, {0.1f, 0.2f, -0.3f});
  ExpectLayerGradientsNear(layer.get(), RandomMatrix(6, 3, 8, -2.0f, 2.0f));
}

TEST(BatchNormalizationTest, GradientsWithoutCenterAndScale) {
  BatchNormalizationOptions options;
  options.center = false;
  options.scale = false;
  auto layer = BuiltBatchNormalization(3, options);
  ExpectLayerGradientsNear(layer.get(), RandomMatrix(5, 3, 9, -2.0f, 2.0f));
}

TEST(BatchNormalizationTest, InvalidOptionsAndEmptyBatch) {
  BatchNormalizationOptions options;
  options.epsilon = 0.0f;
  BatchNormalization bad_epsilon(options);
  RandomGenerator generator(1);
  const core::Status status = bad_epsilon.Build(2, &generator);
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("batch_normalization: epsilon", 0), 0u) << status.message();
  auto layer = BuiltBatchNormalization(2);
  Matrix output;
  EXPECT_EQ(layer->Forward(Matrix(0, 2), &output, true).code(), core::StatusCode::kInvalidArgument);
}

// The layer accepted momentum 1 (documented as [0, 1]) while the network spec
// parser rejects it ([0, 1)); both now use [0, 1).
TEST(BatchNormalizationTest, MomentumOneIsRejectedAsByTheSpecParser) {
  RandomGenerator generator(1);
  for (float momentum : {1.0f, -0.1f}) {
    BatchNormalizationOptions options;
    options.momentum = momentum;
    BatchNormalization layer(options);
    const core::Status status = layer.Build(2, &generator);
    EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument) << momentum;
    EXPECT_NE(status.message().find("momentum must be in [0, 1)"), std::string::npos)
        << status.message();
  }
  BatchNormalizationOptions options;
  options.momentum = 0.0f;
  BatchNormalization layer(options);
  EXPECT_TRUE(layer.Build(2, &generator).ok());
}

TEST(BatchNormalizationTest, NoAllocationAfterTheFirstStep) {
  auto layer = BuiltBatchNormalization(10);
  const Matrix input = RandomMatrix(32, 10, 2);
  Matrix output;
  Matrix input_gradient;
  ASSERT_TRUE(layer->Forward(input, &output, true).ok());
  ASSERT_TRUE(layer->Backward(input, &input_gradient).ok());
  ASSERT_TRUE(layer->Forward(input, &output, false).ok());
  const float* output_data = output.data();
  AllocationCounter counter;
  for (int step = 0; step < 3; ++step) {
    ASSERT_TRUE(layer->Forward(input, &output, true).ok());
    ASSERT_TRUE(layer->Backward(input, &input_gradient).ok());
    ASSERT_TRUE(layer->Forward(input, &output, false).ok());
  }
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(output.data(), output_data);
}

}  // namespace
}  // namespace modelhost::nn
