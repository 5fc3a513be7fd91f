// End-to-end quality bars of the nn engine on real datasets (tests/data), as
// the neural-network issue states them: breast cancer ≥ 95 % test accuracy,
// and a regression R² held against an ordinary-least-squares baseline that
// the test computes itself.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <vector>

#include "dataset_fixture.h"
#include "nn/trainer.h"

namespace modelhost::nn {
namespace {

struct Model {
  std::unique_ptr<Sequential> network;
  Loss loss;
  std::unique_ptr<Optimizer> optimizer;
};

Model Build(const char* spec_json, size_t inputs, LossKind loss_kind, uint64_t seed,
            const OptimizerConfig& optimizer_config = {}) {
  auto spec = ParseNetworkSpec(spec_json);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  auto network = Sequential::Create(*spec, inputs, seed);
  auto loss = Loss::Create({.kind = loss_kind});
  auto optimizer = MakeOptimizer("adam", optimizer_config);
  EXPECT_TRUE(network.ok() && loss.ok() && optimizer.ok());
  return Model{std::move(*network), *loss, std::move(*optimizer)};
}

TEST(ReferenceDatasetsTest, BreastCancerReaches95PercentTestAccuracy) {
  DatasetSplit data = LoadSplit("breast_cancer_wdbc.csv", [](const std::string& diagnosis) {
    return diagnosis == "malignant" ? 1.0f : 0.0f;
  });
  ASSERT_EQ(data.x_train.cols(), 30u);
  std::vector<double> accuracies;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    Model model = Build(R"({"layers": [{"dense": 16, "activation": "relu"},
                                       {"dense": 1, "activation": "sigmoid"}]})",
                        30, LossKind::kBinaryCrossentropy, seed);
    FitOptions options;
    options.epochs = 50;
    options.seed = seed;
    ASSERT_TRUE(Fit(*model.network, model.loss, *model.optimizer, {},
                    {&data.x_train, &data.y_train}, options)
                    .ok());
    auto evaluation =
        Evaluate(*model.network, model.loss, {"accuracy"}, {&data.x_test, &data.y_test});
    ASSERT_TRUE(evaluation.ok()) << evaluation.status().ToString();
    accuracies.push_back(evaluation->at("accuracy"));
  }
  std::sort(accuracies.begin(), accuracies.end());
  std::cout << "breast cancer test accuracy, seeds 1-3: " << accuracies[0] << " " << accuracies[1]
            << " " << accuracies[2] << "\n";
  EXPECT_GE(accuracies[1], 0.95);
}

// Ordinary least squares with an intercept, by the normal equations in double
// (Gauss–Jordan with partial pivoting): the linear baseline.
std::vector<double> FitLeastSquares(const Matrix& x, const Matrix& y) {
  const size_t n = x.cols() + 1;  // + intercept
  std::vector<std::vector<double>> system(n, std::vector<double>(n + 1, 0.0));
  for (size_t row = 0; row < x.rows(); ++row) {
    std::vector<double> features(n, 1.0);
    for (size_t col = 0; col < x.cols(); ++col) features[col + 1] = x(row, col);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) system[i][j] += features[i] * features[j];
      system[i][n] += features[i] * y(row, 0);
    }
  }
  for (size_t pivot = 0; pivot < n; ++pivot) {
    size_t best = pivot;
    for (size_t i = pivot + 1; i < n; ++i) {
      if (std::abs(system[i][pivot]) > std::abs(system[best][pivot])) best = i;
    }
    std::swap(system[pivot], system[best]);
    for (size_t i = 0; i < n; ++i) {
      if (i == pivot) continue;
      double factor = system[i][pivot] / system[pivot][pivot];
      for (size_t j = pivot; j <= n; ++j) system[i][j] -= factor * system[pivot][j];
    }
  }
  std::vector<double> coefficients(n);
  for (size_t i = 0; i < n; ++i) coefficients[i] = system[i][n] / system[i][i];
  return coefficients;
}

double RSquared(const std::vector<double>& predictions, const Matrix& y) {
  double mean = 0.0;
  for (size_t row = 0; row < y.rows(); ++row) mean += y(row, 0);
  mean /= static_cast<double>(y.rows());
  double residual = 0.0, total = 0.0;
  for (size_t row = 0; row < y.rows(); ++row) {
    residual += (y(row, 0) - predictions[row]) * (y(row, 0) - predictions[row]);
    total += (y(row, 0) - mean) * (y(row, 0) - mean);
  }
  return 1.0 - residual / total;
}

// The diabetes progression data is close to linear in its features: scikit-
// learn's reference R² is 0.47 ± 0.13 (shared datasets README), which linear
// regression reaches. A small MLP trained with mse must match that baseline
// (within 0.05 on the same held-out rows): it has the capacity to, and doing
// clearly worse would mean the optimizer, loss or data path is off.
TEST(ReferenceDatasetsTest, DiabetesRegressionMatchesTheLinearBaseline) {
  DatasetSplit data = LoadSplit("diabetes_progression.csv");
  ASSERT_EQ(data.x_train.cols(), 10u);

  std::vector<double> coefficients = FitLeastSquares(data.x_train, data.y_train);
  std::vector<double> linear(data.x_test.rows());
  for (size_t row = 0; row < data.x_test.rows(); ++row) {
    linear[row] = coefficients[0];
    for (size_t col = 0; col < 10; ++col)
      linear[row] += coefficients[col + 1] * data.x_test(row, col);
  }
  double baseline = RSquared(linear, data.y_test);

  // The target is trained standardized (R² does not change under an affine map).
  double mean = 0.0, squares = 0.0;
  for (float value : data.y_train.values()) mean += value;
  mean /= static_cast<double>(data.y_train.rows());
  for (float value : data.y_train.values()) squares += (value - mean) * (value - mean);
  double scale = std::sqrt(squares / static_cast<double>(data.y_train.rows()));
  Matrix y_scaled = data.y_train;
  for (float& value : y_scaled.values()) value = static_cast<float>((value - mean) / scale);

  Model model = Build(R"({"layers": [{"dense": 16, "activation": "relu"}, {"dense": 1}]})", 10,
                      LossKind::kMeanSquaredError, 1, {{"learning_rate", 0.003}});
  FitOptions options;
  options.epochs = 100;
  options.seed = 1;
  ASSERT_TRUE(
      Fit(*model.network, model.loss, *model.optimizer, {}, {&data.x_train, &y_scaled}, options)
          .ok());
  Matrix outputs;
  ASSERT_TRUE(model.network->Predict(data.x_test, &outputs).ok());
  std::vector<double> mlp(outputs.rows());
  for (size_t row = 0; row < outputs.rows(); ++row) mlp[row] = outputs(row, 0) * scale + mean;
  double r_squared = RSquared(mlp, data.y_test);
  std::cout << "diabetes regression test R²: MLP " << r_squared << ", least squares " << baseline
            << "\n";
  EXPECT_GT(baseline, 0.3);  // the baseline itself is sane
  EXPECT_GE(r_squared, baseline - 0.05);
}

}  // namespace
}  // namespace modelhost::nn
