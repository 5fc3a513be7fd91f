#include "nn/sequential.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <thread>

#include "allocation_counter.h"
#include "dataset_fixture.h"
#include "nn/random_generator.h"

namespace modelhost::nn {
namespace {

using ::testing::HasSubstr;

Matrix SelectRows(const Matrix& source, const std::vector<size_t>& rows) {
  Matrix selected(rows.size(), source.cols());
  for (size_t row = 0; row < rows.size(); ++row) {
    std::copy(source.Row(rows[row]).begin(), source.Row(rows[row]).end(),
              selected.Row(row).begin());
  }
  return selected;
}

// Trains with mini-batches of 32 in a fixed order, as the seed example does.
void Train(Sequential& model, const Matrix& x, const Matrix& y, int epochs, uint64_t seed) {
  auto loss = Loss::Create({.kind = LossKind::kBinaryCrossentropy});
  auto optimizer = MakeOptimizer("adam");
  ASSERT_TRUE(loss.ok() && optimizer.ok());
  std::vector<size_t> order(x.rows());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 shuffler(seed);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), shuffler);
    for (size_t start = 0; start < order.size(); start += 32) {
      std::vector<size_t> batch(order.begin() + start,
                                order.begin() + std::min(order.size(), start + 32));
      auto step =
          model.TrainStep(SelectRows(x, batch), SelectRows(y, batch), {}, *loss, **optimizer);
      ASSERT_TRUE(step.ok()) << step.status().ToString();
      ASSERT_TRUE(step->finite);
    }
  }
}

TEST(SequentialTest, SameSeedSameDataGiveBitIdenticalWeights) {
  DatasetSplit pima = LoadPimaSplit();
  const Matrix& x = pima.x_train;
  auto first = Sequential::Create(SeedExampleSpec(), 8, 42);
  auto second = Sequential::Create(SeedExampleSpec(), 8, 42);
  auto other = Sequential::Create(SeedExampleSpec(), 8, 43);
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  Train(**first, x, pima.y_train, 3, 5);
  Train(**second, x, pima.y_train, 3, 5);
  Train(**other, x, pima.y_train, 3, 5);
  ASSERT_EQ((*first)->parameters().size(), (*second)->parameters().size());
  bool differs_from_other = false;
  for (size_t index = 0; index < (*first)->parameters().size(); ++index) {
    EXPECT_TRUE((*first)->parameters()[index]->value == (*second)->parameters()[index]->value)
        << (*first)->parameters()[index]->name;
    differs_from_other |=
        !((*first)->parameters()[index]->value == (*other)->parameters()[index]->value);
  }
  EXPECT_TRUE(differs_from_other);
}

TEST(SequentialTest, ParametersAreNamedByLayer) {
  auto model = Sequential::Create(SeedExampleSpec(), 8, 1);
  ASSERT_TRUE(model.ok());
  std::vector<std::string> names;
  for (const Parameter* parameter : (*model)->parameters()) names.push_back(parameter->name);
  EXPECT_THAT(names, ::testing::ElementsAre("dense/kernel", "dense/bias", "dense_1/kernel",
                                            "dense_1/bias", "dense_2/kernel", "dense_2/bias"));
  EXPECT_EQ((*model)->output_width(), 1u);
}

TEST(SequentialTest, BadSpecsAndShapesNameTheProblem) {
  auto wrong_width = Sequential::Create(SeedExampleSpec(), 7, 1);
  EXPECT_THAT(wrong_width.status().message(), HasSubstr("expects 8 input features"));

  auto spec = ParseNetworkSpec(R"({"layers": [{"dense": 2, "activation": "swishy"}]})");
  ASSERT_TRUE(spec.ok());
  auto unknown_activation = Sequential::Create(*spec, 3, 1);
  ASSERT_FALSE(unknown_activation.ok());
  EXPECT_THAT(unknown_activation.status().message(), HasSubstr("layer 0 ('dense')"));
  EXPECT_THAT(unknown_activation.status().message(), HasSubstr("swishy"));

  auto model = Sequential::Create(SeedExampleSpec(), 8, 1);
  ASSERT_TRUE(model.ok());
  Matrix too_narrow(4, 7), output;
  EXPECT_THAT((*model)->Predict(too_narrow, &output).message(), HasSubstr("expected 8 features"));
}

TEST(SequentialTest, PredictIsConsistentAcrossConcurrentCallers) {
  auto model = Sequential::Create(SeedExampleSpec(), 8, 3);
  ASSERT_TRUE(model.ok());
  Matrix input(16, 8);
  for (size_t index = 0; index < input.size(); ++index) input.data()[index] = 0.01f * index;
  Matrix expected;
  ASSERT_TRUE((*model)->Predict(input, &expected).ok());
  std::vector<std::thread> callers;
  std::atomic<int> mismatches{0};
  for (int caller = 0; caller < 4; ++caller) {
    callers.emplace_back([&] {
      for (int call = 0; call < 200; ++call) {
        Matrix output;
        if (!(*model)->Predict(input, &output).ok() || !(output == expected)) ++mismatches;
      }
    });
  }
  for (auto& thread : callers) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Finite differences of the whole training loss (forward, fused or unfused
// loss, regularization) against the gradients TrainStep leaves in the
// parameters, for every parameter value of three small networks.
struct GradientCase {
  const char* spec;
  LossKind loss;
  size_t outputs;
};

class SequentialGradientTest : public ::testing::TestWithParam<GradientCase> {};

TEST_P(SequentialGradientTest, TrainStepGradientsMatchFiniteDifferences) {
  const GradientCase& c = GetParam();
  auto spec = ParseNetworkSpec(c.spec);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  auto model = Sequential::Create(*spec, 4, 17);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto loss = Loss::Create({.kind = c.loss});
  auto frozen = MakeOptimizer("sgd", {{"learning_rate", 0.0}});  // gradients only
  ASSERT_TRUE(loss.ok() && frozen.ok());

  RandomGenerator generator(3);
  Matrix features(6, 4), targets(6, c.outputs);
  for (float& value : features.values()) value = static_cast<float>(generator.NextNormal());
  for (size_t row = 0; row < 6; ++row) {
    if (c.loss == LossKind::kCategoricalCrossentropy) {
      targets(row, row % c.outputs) = 1.0f;
    } else if (c.loss == LossKind::kBinaryCrossentropy) {
      targets(row, 0) = static_cast<float>(row % 2);
    } else {
      for (size_t col = 0; col < c.outputs; ++col) {
        targets(row, col) = static_cast<float>(generator.NextNormal());
      }
    }
  }
  auto loss_at_current_weights = [&]() -> double {
    auto step = (*model)->TrainStep(features, targets, {}, *loss, **frozen);
    EXPECT_TRUE(step.ok() && step->finite);
    return step->loss;
  };
  loss_at_current_weights();
  std::vector<Matrix> analytic;
  for (const Parameter* parameter : (*model)->parameters()) analytic.push_back(parameter->gradient);

  constexpr float kStep = 1e-2f;
  for (size_t index = 0; index < (*model)->parameters().size(); ++index) {
    Parameter* parameter = (*model)->parameters()[index];
    if (!parameter->trainable) continue;
    for (size_t at = 0; at < parameter->value.size(); ++at) {
      float original = parameter->value.data()[at];
      parameter->value.data()[at] = original + kStep;
      double above = loss_at_current_weights();
      parameter->value.data()[at] = original - kStep;
      double below = loss_at_current_weights();
      parameter->value.data()[at] = original;
      double numeric = (above - below) / (2.0 * kStep);
      double expected = analytic[index].data()[at];
      EXPECT_NEAR(expected, numeric, 2e-3 + 2e-2 * std::abs(numeric))
          << parameter->name << "[" << at << "]";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Networks, SequentialGradientTest,
    ::testing::Values(
        // sigmoid fused into binary cross-entropy, with an L2 penalty
        GradientCase{R"({"layers": [{"dense": 5, "activation": "tanh", "kernel_l2": 0.05},
                                    {"dense": 1, "activation": "sigmoid"}]})",
                     LossKind::kBinaryCrossentropy, 1},
        // softmax fused into categorical cross-entropy, through BatchNormalization
        GradientCase{R"({"layers": [{"dense": 5, "activation": "elu"},
                                    {"batch_normalization": {}},
                                    {"dense": 3, "activation": "softmax"}]})",
                     LossKind::kCategoricalCrossentropy, 3},
        // no fusion: a standalone activation layer last and mean squared error
        GradientCase{R"({"layers": [{"dense": 4, "activation": "gelu", "kernel_l1": 0.01},
                                    {"dense": 2}, {"activation": "tanh"}]})",
                     LossKind::kMeanSquaredError, 2}));

TEST(SequentialTest, WarmTrainStepDoesNotAllocate) {
  DatasetSplit pima = LoadPimaSplit();
  auto model = Sequential::Create(SeedExampleSpec(), 8, 1);
  auto loss = Loss::Create({.kind = LossKind::kBinaryCrossentropy});
  auto optimizer = MakeOptimizer("adam");
  ASSERT_TRUE(model.ok() && loss.ok() && optimizer.ok());
  Matrix x(32, 8), y(32, 1);
  std::copy(pima.x_train.data(), pima.x_train.data() + 32 * 8, x.data());
  std::copy(pima.y_train.data(), pima.y_train.data() + 32, y.data());
  ASSERT_TRUE((*model)->TrainStep(x, y, {}, *loss, **optimizer).ok());  // warms every buffer
  AllocationCounter counter;
  for (int step = 0; step < 5; ++step) {
    ASSERT_TRUE((*model)->TrainStep(x, y, {}, *loss, **optimizer).ok());
  }
  EXPECT_EQ(counter.count(), 0);
}

TEST(SequentialTest, SeedingOneLayerLeavesTheOthersInitialWeights) {
  auto plain = ParseNetworkSpec(R"({"layers": [{"dense": 3}, {"dense": 2}, {"dense": 1}]})");
  auto seeded = ParseNetworkSpec(R"({"layers": [
      {"dense": 3, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": 9}}},
      {"dense": 2}, {"dense": 1}]})");
  ASSERT_TRUE(plain.ok() && seeded.ok());
  auto a = Sequential::Create(*plain, 4, 21);
  auto b = Sequential::Create(*seeded, 4, 21);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE((*a)->parameters()[0]->value == (*b)->parameters()[0]->value);  // the seeded kernel
  for (size_t index = 1; index < (*a)->parameters().size(); ++index) {
    EXPECT_TRUE((*a)->parameters()[index]->value == (*b)->parameters()[index]->value)
        << (*a)->parameters()[index]->name;
  }
}

TEST(SequentialTest, SpecWithoutLayersIsRefused) {
  auto model = Sequential::Create(NetworkSpec{}, 3, 1);
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("no layers"));
}

}  // namespace
}  // namespace modelhost::nn
