#include "nn/sequential.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>
#include <random>
#include <thread>

#include "pima_fixture.h"

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

double Accuracy(Sequential& model, const Matrix& x, const Matrix& y) {
  Matrix predictions;
  EXPECT_TRUE(model.Predict(x, &predictions).ok());
  return BinaryAccuracyOf(predictions, y);
}

// The training loop written out over TrainStep (Fit is tested in trainer_test).
TEST(SequentialTest, SeedExampleReaches74PercentOnPima) {
  PimaSplit pima = LoadPimaSplit();
  auto model = Sequential::Create(SeedExampleSpec(), 8, /*seed=*/1);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Train(**model, pima.x_train, pima.y_train, /*epochs=*/150, /*seed=*/2);
  double accuracy = Accuracy(**model, pima.x_test, pima.y_test);
  std::cout << "Pima seed example: test accuracy " << accuracy << "\n";
  EXPECT_GE(accuracy, 0.74) << "test accuracy " << accuracy;
}

TEST(SequentialTest, SameSeedSameDataGiveBitIdenticalWeights) {
  PimaSplit pima = LoadPimaSplit();
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

}  // namespace
}  // namespace modelhost::nn
