#include "data/feature_matrix.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "data/huge_pages.h"

namespace modelhost::data {

namespace {

// Rows converted per block: the block's slice of the output (kBlockRows ×
// cols floats) stays in cache while every column writes into it.
constexpr size_t kBlockRows = 256;

core::Status BadValue(const FrameColumn& column, size_t row) {
  double value = column.values()[row];
  std::string place = "feature '" + column.name() + "', row " + std::to_string(row + 1);
  if (std::isnan(value)) {
    return core::InvalidArgument(place + ": missing value (impute it, or drop such rows)");
  }
  return core::InvalidArgument(place + ": " + FormatNumber(value, ColumnType::kFloat64) +
                               " does not fit a float");
}

}  // namespace

core::Result<std::vector<std::string>> FeatureNames(const Frame& frame) {
  std::vector<std::string> names;
  for (const FrameColumn& column : frame.columns()) {
    if (column.name() == frame.target()) continue;
    if (!column.is_numeric()) {
      return core::InvalidArgument("column '" + column.name() +
                                   "' is still categorical at the end of the pipeline (add a "
                                   "one_hot or ordinal step, or drop it)");
    }
    names.push_back(column.name());
  }
  return names;
}

core::Result<FeatureMatrix> ToFeatureMatrix(const Frame& frame, const TargetEncoding* target) {
  FeatureMatrix matrix;
  MODELHOST_ASSIGN_OR_RETURN(matrix.names, FeatureNames(frame));
  std::vector<const FrameColumn*> features;
  const FrameColumn* target_column = nullptr;
  for (const FrameColumn& column : frame.columns()) {
    if (column.name() == frame.target()) {
      target_column = &column;
    } else {
      features.push_back(&column);
    }
  }
  matrix.rows = frame.num_rows();
  matrix.cols = features.size();
  matrix.values.reserve(matrix.rows * matrix.cols);
  AdviseHugePages(matrix.values.data(), matrix.rows * matrix.cols * sizeof(float));
  matrix.values.resize(matrix.rows * matrix.cols);
  float* out = matrix.values.data();
  const size_t cols = matrix.cols;
  for (size_t begin = 0; begin < matrix.rows; begin += kBlockRows) {
    const size_t end = std::min(matrix.rows, begin + kBlockRows);
    for (size_t feature = 0; feature < cols; ++feature) {
      const double* values = features[feature]->values().data();
      bool all_fit = true;
      for (size_t row = begin; row < end; ++row) {
        float value = static_cast<float>(values[row]);
        out[row * cols + feature] = value;
        // False for NaN (missing) and for ±inf (overflow) alike.
        all_fit &= std::fabs(value) <= FLT_MAX;
      }
      if (!all_fit) {
        for (size_t row = begin; row < end; ++row) {
          if (!(std::fabs(static_cast<float>(values[row])) <= FLT_MAX)) {
            return BadValue(*features[feature], row);
          }
        }
      }
    }
  }
  if (target != nullptr) {
    if (target_column == nullptr) {
      return core::InvalidArgument("no target column '" + target->column + "'");
    }
    MODELHOST_ASSIGN_OR_RETURN(matrix.target, EncodeTarget(*target, *target_column));
  }
  return matrix;
}

}  // namespace modelhost::data
