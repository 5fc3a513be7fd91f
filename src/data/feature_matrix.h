// FeatureMatrix: what a fitted pipeline hands a model — a dense row-major
// float32 matrix with one named column per output feature, and the encoded
// target of each row when there is one. A data-level value: the nn module
// copies it into its own Matrix; nothing here depends on nn.
//
// Thread-safety: a plain value.

#ifndef MODELHOST_DATA_FEATURE_MATRIX_H_
#define MODELHOST_DATA_FEATURE_MATRIX_H_

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "data/frame.h"
#include "data/target_encoder.h"

namespace modelhost::data {

struct FeatureMatrix {
  size_t rows = 0;
  size_t cols = 0;
  // rows × cols, row-major: feature f of row r is values[r * cols + f].
  std::vector<float> values;
  // One per column: the frame column's name ("age", "color=red").
  std::vector<std::string> names;
  // One per row when transformed for training with a target (class index or
  // number, target_encoder.h); empty otherwise.
  std::vector<float> target;
};

// The names of the features `frame` makes: every column but the target, in
// frame order. InvalidArgument when a column is still categorical (encode or
// drop it first).
core::Result<std::vector<std::string>> FeatureNames(const Frame& frame);

// Every column of `frame` but its target becomes a feature, in frame order;
// with `target`, the target column is encoded into FeatureMatrix::target.
// Errors (InvalidArgument): as FeatureNames; a missing value or one beyond float's range, naming
// the feature and row; as EncodeTarget.
core::Result<FeatureMatrix> ToFeatureMatrix(const Frame& frame, const TargetEncoding* target);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_FEATURE_MATRIX_H_
