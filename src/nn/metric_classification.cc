#include "nn/metric_classification.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <span>
#include <string>

namespace modelhost::nn {
namespace {

std::string Shape(const Matrix& matrix) {
  return "[" + std::to_string(matrix.rows()) + ", " + std::to_string(matrix.cols()) + "]";
}

// numpy.argmax: the index of the first maximum, or of the first NaN if the
// row has one (numpy treats NaN as the maximum). A plain > comparison alone
// would let a NaN win only in column 0 and lose everywhere else.
size_t ArgMax(std::span<const float> row) {
  size_t best = 0;
  for (size_t column = 0; column < row.size(); ++column) {
    if (std::isnan(row[column])) return column;
    if (row[column] > row[best]) best = column;
  }
  return best;
}

double Ratio(int64_t numerator, int64_t denominator) {
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

core::Status BinaryAccuracy::Update(const Matrix& predictions, const Matrix& targets) {
  MODELHOST_RETURN_IF_ERROR(RequireSameShape(predictions, targets));
  const float* prediction = predictions.data();
  const float* target = targets.data();
  int64_t correct = 0;
  for (size_t k = 0; k < predictions.size(); ++k) {
    correct += (prediction[k] > options_.threshold) == (target[k] > 0.5f);
  }
  correct_ += correct;
  total_ += static_cast<int64_t>(predictions.size());
  return core::OkStatus();
}

double BinaryAccuracy::Result() const { return total_ == 0 ? kNaN : Ratio(correct_, total_); }

core::Status CategoricalAccuracy::Update(const Matrix& predictions, const Matrix& targets) {
  MODELHOST_RETURN_IF_ERROR(RequireSameShape(predictions, targets));
  if (predictions.cols() == 0) {
    return core::InvalidArgument("categorical_accuracy: predictions have no columns");
  }
  for (size_t row = 0; row < predictions.rows(); ++row) {
    correct_ += ArgMax(predictions.Row(row)) == ArgMax(targets.Row(row));
  }
  total_ += static_cast<int64_t>(predictions.rows());
  return core::OkStatus();
}

double CategoricalAccuracy::Result() const { return total_ == 0 ? kNaN : Ratio(correct_, total_); }

core::Status SparseCategoricalAccuracy::Update(const Matrix& predictions, const Matrix& targets) {
  if (targets.cols() != 1 || targets.rows() != predictions.rows() || predictions.cols() == 0) {
    return core::InvalidArgument(
        "sparse_categorical_accuracy: needs predictions [batch, classes] and targets [batch, 1] "
        "of class indices, got predictions " +
        Shape(predictions) + " and targets " + Shape(targets));
  }
  // Validate every label first so that a bad batch leaves the counts as they were.
  const float classes = static_cast<float>(predictions.cols());
  for (size_t row = 0; row < targets.rows(); ++row) {
    const float label = targets(row, 0);
    if (!(label >= 0 && label < classes && std::floor(label) == label)) {
      return core::InvalidArgument("sparse_categorical_accuracy: row " + std::to_string(row) +
                                   ": target " + std::to_string(label) +
                                   " is not a class index in [0, " +
                                   std::to_string(predictions.cols()) + ")");
    }
  }
  for (size_t row = 0; row < predictions.rows(); ++row) {
    correct_ += ArgMax(predictions.Row(row)) == static_cast<size_t>(targets(row, 0));
  }
  total_ += static_cast<int64_t>(predictions.rows());
  return core::OkStatus();
}

double SparseCategoricalAccuracy::Result() const {
  return total_ == 0 ? kNaN : Ratio(correct_, total_);
}

ConfusionMetric::ConfusionMetric(MetricKind kind, ThresholdOptions options)
    : kind_(kind), options_(options) {
  assert(kind == MetricKind::kPrecision || kind == MetricKind::kRecall ||
         kind == MetricKind::kBinaryF1);
}

core::Status ConfusionMetric::Update(const Matrix& predictions, const Matrix& targets) {
  MODELHOST_RETURN_IF_ERROR(RequireSameShape(predictions, targets));
  if (kind_ == MetricKind::kBinaryF1 && predictions.cols() != 1) {
    return core::InvalidArgument(
        "binary_f1_score: needs one prediction column (a sigmoid output), got " +
        Shape(predictions) + "; Keras's F1Score over several classes is not implemented");
  }
  const float* prediction = predictions.data();
  const float* target = targets.data();
  for (size_t k = 0; k < predictions.size(); ++k) {
    const bool predicted = prediction[k] > options_.threshold;
    const bool actual = target[k] > 0.5f;
    true_positives_ += predicted && actual;
    false_positives_ += predicted && !actual;
    false_negatives_ += !predicted && actual;
  }
  total_ += static_cast<int64_t>(predictions.size());
  return core::OkStatus();
}

double ConfusionMetric::Result() const {
  if (total_ == 0) return kNaN;
  int64_t denominator = 0;
  int64_t numerator = true_positives_;
  switch (kind_) {
    case MetricKind::kPrecision: denominator = true_positives_ + false_positives_; break;
    case MetricKind::kRecall: denominator = true_positives_ + false_negatives_; break;
    default:
      numerator = 2 * true_positives_;
      denominator = numerator + false_positives_ + false_negatives_;
      break;
  }
  return denominator == 0 ? 0.0 : Ratio(numerator, denominator);
}

}  // namespace modelhost::nn
