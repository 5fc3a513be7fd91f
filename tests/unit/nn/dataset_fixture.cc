#include "dataset_fixture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>
#include <vector>

namespace modelhost::nn {
namespace {

Matrix SelectRows(const Matrix& source, const std::vector<size_t>& rows) {
  Matrix selected(rows.size(), source.cols());
  for (size_t row = 0; row < rows.size(); ++row) {
    std::copy(source.Row(rows[row]).begin(), source.Row(rows[row]).end(),
              selected.Row(row).begin());
  }
  return selected;
}

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

}  // namespace

DatasetSplit LoadSplit(const std::string& file,
                       const std::function<float(const std::string&)>& target,
                       uint64_t split_seed) {
  std::ifstream stream(std::string(MODELHOST_TEST_DATA) + "/" + file);
  EXPECT_TRUE(stream.good()) << "tests/data/" << file << " is missing";
  std::string line;
  std::getline(stream, line);  // header
  std::vector<std::vector<float>> rows;
  while (std::getline(stream, line)) {
    std::vector<std::string> fields;
    std::stringstream splitter(line);
    std::string field;
    while (std::getline(splitter, field, ',')) fields.push_back(field);
    std::vector<float> row;
    for (size_t col = 0; col + 1 < fields.size(); ++col) row.push_back(std::stof(fields[col]));
    row.push_back(target ? target(fields.back()) : std::stof(fields.back()));
    rows.push_back(row);
  }
  EXPECT_FALSE(rows.empty()) << file;
  const size_t feature_count = rows.empty() ? 0 : rows[0].size() - 1;
  Matrix features(rows.size(), feature_count), targets(rows.size(), 1);
  for (size_t row = 0; row < rows.size(); ++row) {
    for (size_t col = 0; col < feature_count; ++col) features(row, col) = rows[row][col];
    targets(row, 0) = rows[row][feature_count];
  }
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(split_seed));
  size_t train_count = rows.size() * 4 / 5;
  std::vector<size_t> train_rows(order.begin(), order.begin() + train_count);
  std::vector<size_t> test_rows(order.begin() + train_count, order.end());
  DatasetSplit split{SelectRows(features, train_rows), SelectRows(targets, train_rows),
                     SelectRows(features, test_rows), SelectRows(targets, test_rows)};
  Standardize(&split.x_train, &split.x_test);
  return split;
}

DatasetSplit LoadPimaSplit() {
  DatasetSplit split = LoadSplit("pima_indians_diabetes.csv");
  EXPECT_EQ(split.x_train.rows(), 614u);
  return split;
}

NetworkSpec SeedExampleSpec() {
  auto spec = ParseNetworkSpec(R"({"layers": [
      {"dense": 10, "activation": "relu", "input_dim": 8},
      {"dense": 10, "activation": "relu"},
      {"dense": 1, "activation": "sigmoid"}]})");
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return *spec;
}

double BinaryAccuracyOf(const Matrix& predictions, const Matrix& targets) {
  size_t correct = 0;
  for (size_t row = 0; row < targets.rows(); ++row) {
    correct += (predictions(row, 0) > 0.5f) == (targets(row, 0) > 0.5f);
  }
  return static_cast<double>(correct) / static_cast<double>(targets.rows());
}

}  // namespace modelhost::nn
