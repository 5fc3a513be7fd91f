// Small real datasets from tests/data as nn matrices, read without the data
// module (nn must not depend on it): header row, numeric feature columns, the
// target last; a seeded 80/20 split with the features standardized by the
// training rows' mean and population std.

#ifndef MODELHOST_TESTS_UNIT_NN_DATASET_FIXTURE_H_
#define MODELHOST_TESTS_UNIT_NN_DATASET_FIXTURE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "nn/matrix.h"
#include "nn/network_spec.h"

namespace modelhost::nn {

struct DatasetSplit {
  Matrix x_train, y_train;  // the first 80 % of a seeded permutation (rounded down)
  Matrix x_test, y_test;
};

// Reads tests/data/`file`; `target` turns the last field into a number
// (default: parse it as one). Fails the current test if the file is missing.
DatasetSplit LoadSplit(const std::string& file,
                       const std::function<float(const std::string&)>& target = {},
                       uint64_t split_seed = 7);

// pima_indians_diabetes.csv: 614 training and 154 test rows, 8 features, 0/1 target.
DatasetSplit LoadPimaSplit();

// Dense(10, relu, input_dim=8) → Dense(10, relu) → Dense(1, sigmoid).
NetworkSpec SeedExampleSpec();

// Share of rows where (prediction > 0.5) equals the 0/1 target (Keras's rule).
double BinaryAccuracyOf(const Matrix& predictions, const Matrix& targets);

}  // namespace modelhost::nn

#endif  // MODELHOST_TESTS_UNIT_NN_DATASET_FIXTURE_H_
