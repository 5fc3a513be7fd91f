// The Pima Indians Diabetes data (tests/data) as nn matrices, read without
// the data module (nn must not depend on it): a fixed 80/20 split with the
// features standardized by the training rows' mean and population std.

#ifndef MODELHOST_TESTS_UNIT_NN_PIMA_FIXTURE_H_
#define MODELHOST_TESTS_UNIT_NN_PIMA_FIXTURE_H_

#include <cstdint>

#include "nn/matrix.h"
#include "nn/network_spec.h"

namespace modelhost::nn {

struct PimaSplit {
  Matrix x_train, y_train;  // 614 rows
  Matrix x_test, y_test;    // 154 rows
};

// REQUIRES: the CSV is present (the test fails otherwise).
PimaSplit LoadPimaSplit(uint64_t split_seed = 7);

// Dense(10, relu, input_dim=8) → Dense(10, relu) → Dense(1, sigmoid).
NetworkSpec SeedExampleSpec();

// Share of rows where (prediction ≥ 0.5) equals the 0/1 target.
double BinaryAccuracyOf(const Matrix& predictions, const Matrix& targets);

}  // namespace modelhost::nn

#endif  // MODELHOST_TESTS_UNIT_NN_PIMA_FIXTURE_H_
