#include "nn/sequential.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>
#include <thread>

namespace modelhost::nn {
namespace {

using ::testing::HasSubstr;

NetworkSpec SeedExampleSpec() {
  auto spec = ParseNetworkSpec(R"({"layers": [
      {"dense": 10, "activation": "relu", "input_dim": 8},
      {"dense": 10, "activation": "relu"},
      {"dense": 1, "activation": "sigmoid"}]})");
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return *spec;
}

// The Pima CSV (header, 8 numeric inputs, 0/1 target), read without the data
// module (nn must not depend on it).
struct Dataset {
  Matrix features;
  Matrix targets;
};

Dataset ReadPima() {
  std::ifstream file(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv");
  std::string line;
  std::getline(file, line);  // header
  std::vector<std::vector<float>> rows;
  while (std::getline(file, line)) {
    std::vector<float> row;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) row.push_back(std::stof(field));
    rows.push_back(row);
  }
  Dataset data{Matrix(rows.size(), 8), Matrix(rows.size(), 1)};
  for (size_t row = 0; row < rows.size(); ++row) {
    for (size_t col = 0; col < 8; ++col) data.features(row, col) = rows[row][col];
    data.targets(row, 0) = rows[row][8];
  }
  return data;
}

Matrix SelectRows(const Matrix& source, const std::vector<size_t>& rows) {
  Matrix selected(rows.size(), source.cols());
  for (size_t row = 0; row < rows.size(); ++row) {
    std::copy(source.Row(rows[row]).begin(), source.Row(rows[row]).end(),
              selected.Row(row).begin());
  }
  return selected;
}

// z-score each column with the training rows' mean and population std.
void Standardize(Matrix* train, Matrix* test) {
  for (size_t col = 0; col < train->cols(); ++col) {
    double sum = 0, squares = 0;
    for (size_t row = 0; row < train->rows(); ++row) sum += (*train)(row, col);
    double mean = sum / train->rows();
    for (size_t row = 0; row < train->rows(); ++row) {
      squares += ((*train)(row, col) - mean) * ((*train)(row, col) - mean);
    }
    double std = std::sqrt(squares / train->rows());
    for (Matrix* matrix : {train, test}) {
      for (size_t row = 0; row < matrix->rows(); ++row) {
        (*matrix)(row, col) = static_cast<float>(((*matrix)(row, col) - mean) / std);
      }
    }
  }
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
      auto value =
          model.TrainStep(SelectRows(x, batch), SelectRows(y, batch), {}, *loss, **optimizer);
      ASSERT_TRUE(value.ok()) << value.status().ToString();
      ASSERT_TRUE(std::isfinite(*value));
    }
  }
}

double Accuracy(Sequential& model, const Matrix& x, const Matrix& y) {
  Matrix predictions;
  EXPECT_TRUE(model.Predict(x, &predictions).ok());
  size_t correct = 0;
  for (size_t row = 0; row < x.rows(); ++row) {
    correct += (predictions(row, 0) >= 0.5f) == (y(row, 0) >= 0.5f);
  }
  return static_cast<double>(correct) / x.rows();
}

TEST(SequentialTest, SeedExampleReaches74PercentOnPima) {
  Dataset pima = ReadPima();
  ASSERT_EQ(pima.features.rows(), 768u);
  // Fixed 80/20 split: a seeded permutation, first 614 rows for training.
  std::vector<size_t> order(768);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
  std::vector<size_t> train_rows(order.begin(), order.begin() + 614);
  std::vector<size_t> test_rows(order.begin() + 614, order.end());
  Matrix x_train = SelectRows(pima.features, train_rows);
  Matrix x_test = SelectRows(pima.features, test_rows);
  Standardize(&x_train, &x_test);
  Matrix y_train = SelectRows(pima.targets, train_rows);
  Matrix y_test = SelectRows(pima.targets, test_rows);

  auto model = Sequential::Create(SeedExampleSpec(), 8, /*seed=*/1);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Train(**model, x_train, y_train, /*epochs=*/150, /*seed=*/2);
  double accuracy = Accuracy(**model, x_test, y_test);
  std::cout << "Pima seed example: test accuracy " << accuracy << "\n";
  EXPECT_GE(accuracy, 0.74) << "test accuracy " << accuracy;
}

TEST(SequentialTest, SameSeedSameDataGiveBitIdenticalWeights) {
  Dataset pima = ReadPima();
  Matrix x = pima.features, unused = pima.features;
  Standardize(&x, &unused);
  auto first = Sequential::Create(SeedExampleSpec(), 8, 42);
  auto second = Sequential::Create(SeedExampleSpec(), 8, 42);
  auto other = Sequential::Create(SeedExampleSpec(), 8, 43);
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  Train(**first, x, pima.targets, 3, 5);
  Train(**second, x, pima.targets, 3, 5);
  Train(**other, x, pima.targets, 3, 5);
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
