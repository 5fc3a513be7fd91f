#include "nn/metric_regression.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <string>

namespace modelhost::nn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

MeanError::MeanError(MetricKind kind) : kind_(kind) {
  assert(kind == MetricKind::kMeanSquaredError || kind == MetricKind::kMeanAbsoluteError);
}

core::Status MeanError::Update(const Matrix& predictions, const Matrix& targets) {
  MODELHOST_RETURN_IF_ERROR(RequireSameShape(predictions, targets));
  const float* prediction = predictions.data();
  const float* target = targets.data();
  double sum = 0.0;
  if (kind_ == MetricKind::kMeanSquaredError) {
    for (size_t k = 0; k < predictions.size(); ++k) {
      const double error = static_cast<double>(prediction[k]) - target[k];
      sum += error * error;
    }
  } else {
    for (size_t k = 0; k < predictions.size(); ++k) {
      sum += std::abs(static_cast<double>(prediction[k]) - target[k]);
    }
  }
  sum_ += sum;
  count_ += static_cast<int64_t>(predictions.size());
  return core::OkStatus();
}

double MeanError::Result() const { return count_ == 0 ? kNaN : sum_ / static_cast<double>(count_); }

core::Status R2Score::Update(const Matrix& predictions, const Matrix& targets) {
  MODELHOST_RETURN_IF_ERROR(RequireSameShape(predictions, targets));
  if (count_ > 0 && predictions.cols() != columns_.size()) {
    return core::InvalidArgument("r2_score: batch has " + std::to_string(predictions.cols()) +
                                 " columns, earlier batches had " +
                                 std::to_string(columns_.size()));
  }
  if (predictions.rows() == 0) return core::OkStatus();
  if (count_ == 0) columns_.assign(predictions.cols(), Column());
  const double batch_count = static_cast<double>(predictions.rows());
  const double total = static_cast<double>(count_) + batch_count;
  for (size_t column = 0; column < columns_.size(); ++column) {
    double batch_mean = 0.0;
    for (size_t row = 0; row < targets.rows(); ++row) batch_mean += targets(row, column);
    batch_mean /= batch_count;
    double batch_deviations = 0.0;
    double residuals = 0.0;
    for (size_t row = 0; row < targets.rows(); ++row) {
      const double deviation = targets(row, column) - batch_mean;
      const double residual = static_cast<double>(targets(row, column)) - predictions(row, column);
      batch_deviations += deviation * deviation;
      residuals += residual * residual;
    }
    // Chan et al.'s pairwise merge of (count, mean, M2).
    Column& state = columns_[column];
    const double delta = batch_mean - state.mean;
    state.squared_deviations +=
        batch_deviations + delta * delta * static_cast<double>(count_) * batch_count / total;
    state.mean += delta * batch_count / total;
    state.squared_residuals += residuals;
  }
  count_ += static_cast<int64_t>(predictions.rows());
  return core::OkStatus();
}

double R2Score::Result() const {
  if (count_ == 0 || columns_.empty()) return kNaN;
  double sum = 0.0;
  for (const Column& column : columns_) {
    if (column.squared_deviations == 0.0) {
      sum += column.squared_residuals == 0.0 ? 1.0 : 0.0;
    } else {
      sum += 1.0 - column.squared_residuals / column.squared_deviations;
    }
  }
  return sum / static_cast<double>(columns_.size());
}

void R2Score::Reset() {
  count_ = 0;
  columns_.clear();
}

}  // namespace modelhost::nn
