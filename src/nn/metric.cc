#include "nn/metric.h"

#include <string>

#include "nn/keras_name.h"
#include "nn/metric_auc.h"
#include "nn/metric_classification.h"
#include "nn/metric_regression.h"

namespace modelhost::nn {

std::string_view ToString(MetricKind kind) {
  switch (kind) {
    case MetricKind::kBinaryAccuracy: return "binary_accuracy";
    case MetricKind::kCategoricalAccuracy: return "categorical_accuracy";
    case MetricKind::kSparseCategoricalAccuracy: return "sparse_categorical_accuracy";
    case MetricKind::kPrecision: return "precision";
    case MetricKind::kRecall: return "recall";
    case MetricKind::kBinaryF1: return "binary_f1_score";
    case MetricKind::kAuc: return "auc";
    case MetricKind::kMeanSquaredError: return "mse";
    case MetricKind::kMeanAbsoluteError: return "mae";
    case MetricKind::kR2: return "r2_score";
  }
  return "unknown";
}

core::Status Metric::RequireSameShape(const Matrix& predictions, const Matrix& targets) const {
  if (predictions.rows() == targets.rows() && predictions.cols() == targets.cols()) {
    return core::OkStatus();
  }
  return core::InvalidArgument(
      std::string(name()) + ": predictions and targets must have the same shape, got [" +
      std::to_string(predictions.rows()) + ", " + std::to_string(predictions.cols()) + "] and [" +
      std::to_string(targets.rows()) + ", " + std::to_string(targets.cols()) + "]");
}

MetricKind ResolveAccuracy(MetricShape shape) {
  if (shape.prediction_columns == 1) return MetricKind::kBinaryAccuracy;
  if (shape.target_columns == 1) return MetricKind::kSparseCategoricalAccuracy;
  return MetricKind::kCategoricalAccuracy;
}

core::Result<MetricKind> ResolveAccuracyForLoss(std::string_view loss_name) {
  const std::string loss = KerasNameKey(loss_name);
  if (loss == "binarycrossentropy" || loss == "bce" || loss == "binaryfocalcrossentropy" ||
      loss == "hinge" || loss == "squaredhinge") {
    return MetricKind::kBinaryAccuracy;
  }
  if (loss == "sparsecategoricalcrossentropy") return MetricKind::kSparseCategoricalAccuracy;
  if (loss == "categoricalcrossentropy" || loss == "categoricalfocalcrossentropy" ||
      loss == "categoricalhinge") {
    return MetricKind::kCategoricalAccuracy;
  }
  return core::InvalidArgument("\"accuracy\" cannot be resolved from the loss \"" +
                               std::string(loss_name) +
                               "\" alone: it depends on the shapes of targets and predictions");
}

core::Result<MetricKind> ParseMetricName(std::string_view name, MetricShape shape) {
  const std::string metric = KerasNameKey(name);
  if (metric == "accuracy" || metric == "acc") return ResolveAccuracy(shape);
  if (metric == "binaryaccuracy") return MetricKind::kBinaryAccuracy;
  if (metric == "categoricalaccuracy") return MetricKind::kCategoricalAccuracy;
  if (metric == "sparsecategoricalaccuracy") return MetricKind::kSparseCategoricalAccuracy;
  if (metric == "precision") return MetricKind::kPrecision;
  if (metric == "recall") return MetricKind::kRecall;
  if (metric == "f1" || metric == "f1score" || metric == "binaryf1score") {
    if (shape.prediction_columns != 1 || shape.target_columns != 1) {
      return core::InvalidArgument(
          "metric \"" + std::string(name) +
          "\" is computed only for one output column (binary "
          "classification), got " +
          std::to_string(shape.prediction_columns) + " prediction and " +
          std::to_string(shape.target_columns) +
          " target columns; for several classes keras.metrics.F1Score gives per-class scores "
          "from the argmax, which is not implemented");
    }
    return MetricKind::kBinaryF1;
  }
  if (metric == "auc") return MetricKind::kAuc;
  if (metric == "mse" || metric == "meansquarederror") return MetricKind::kMeanSquaredError;
  if (metric == "mae" || metric == "meanabsoluteerror") return MetricKind::kMeanAbsoluteError;
  if (metric == "r2" || metric == "r2score") return MetricKind::kR2;
  return core::InvalidArgument(
      "unknown metric \"" + std::string(name) +
      "\" (known: accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, "
      "precision, recall, f1_score (binary), auc, mse, mae, r2_score)");
}

std::unique_ptr<Metric> MakeMetric(MetricKind kind) {
  switch (kind) {
    case MetricKind::kBinaryAccuracy: return std::make_unique<BinaryAccuracy>();
    case MetricKind::kCategoricalAccuracy: return std::make_unique<CategoricalAccuracy>();
    case MetricKind::kSparseCategoricalAccuracy:
      return std::make_unique<SparseCategoricalAccuracy>();
    case MetricKind::kPrecision:
    case MetricKind::kRecall:
    case MetricKind::kBinaryF1: return std::make_unique<ConfusionMetric>(kind);
    case MetricKind::kAuc: return std::make_unique<Auc>();
    case MetricKind::kMeanSquaredError:
    case MetricKind::kMeanAbsoluteError: return std::make_unique<MeanError>(kind);
    case MetricKind::kR2: return std::make_unique<R2Score>();
  }
  return nullptr;
}

}  // namespace modelhost::nn
