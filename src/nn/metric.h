// Metric: a number that summarizes how well predictions match targets over a
// whole epoch (Keras's `metrics=[...]`), accumulated batch by batch:
//
//   metric->Reset();
//   for (batch : epoch) MODELHOST_RETURN_IF_ERROR(metric->Update(predictions, targets));
//   double value = metric->Result();
//
// Every metric streams in O(1) memory (O(columns) for R²) except AUC, which
// keeps each (score, label) pair of the epoch, since the exact ROC AUC needs
// all of them sorted. Predictions and targets are [batch, columns] matrices;
// the layouts each metric expects are in metric_classification.h,
// metric_auc.h and metric_regression.h.
//
// Names: ParseMetricName accepts Keras's metric strings. Keras turns
// "accuracy"/"acc" into one of three accuracies from the shapes of targets
// and predictions (keras/src/trainers/compile_utils.py; not from the loss,
// though in practice the loss decides the shapes):
//   predictions with 1 column                        → binary_accuracy
//   else targets with 1 column (class indices)       → sparse_categorical_accuracy
//   else (one-hot targets, one column per class)     → categorical_accuracy
// ResolveAccuracy implements that rule; ResolveAccuracyForLoss gives the same
// answer from the loss name alone, for checking a request before data exists.
//
// Thread-safety: a Metric is not thread-safe; the free functions are.

#ifndef MODELHOST_NN_METRIC_H_
#define MODELHOST_NN_METRIC_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "core/result.h"
#include "core/status.h"
#include "nn/matrix.h"

namespace modelhost::nn {

enum class MetricKind {
  kBinaryAccuracy,
  kCategoricalAccuracy,
  kSparseCategoricalAccuracy,
  kPrecision,
  kRecall,
  kBinaryF1,  // F1 of one sigmoid output at threshold 0.5 (metric_classification.h)
  kAuc,
  kMeanSquaredError,
  kMeanAbsoluteError,
  kR2,
};

// The canonical Keras-style name: "binary_accuracy", "categorical_accuracy",
// "sparse_categorical_accuracy", "precision", "recall", "binary_f1_score",
// "auc", "mse", "mae", "r2_score". ParseMetricName(ToString(kind)) == kind.
// (kBinaryF1 is not "f1_score": it is not keras.metrics.F1Score's default.)
std::string_view ToString(MetricKind kind);

class Metric {
 public:
  virtual ~Metric() = default;

  virtual MetricKind kind() const = 0;
  std::string_view name() const { return ToString(kind()); }

  // Adds one batch. InvalidArgument naming the metric (and the row where one
  // is at fault) when the shapes do not fit the metric's layout or a target is
  // not a valid label; the metric's state is then unchanged.
  virtual core::Status Update(const Matrix& predictions, const Matrix& targets) = 0;

  // The metric over every row since the last Reset. NaN when no rows were
  // added, and where a metric's own comment says so (AUC with one class).
  virtual double Result() const = 0;

  // Forgets every row added.
  virtual void Reset() = 0;

 protected:
  // For Update implementations: InvalidArgument naming the metric and both
  // shapes unless predictions and targets have the same shape.
  core::Status RequireSameShape(const Matrix& predictions, const Matrix& targets) const;
};

// The column counts Keras's "accuracy" rule looks at.
struct MetricShape {
  size_t target_columns = 1;
  size_t prediction_columns = 1;
};

// Keras's rule for "accuracy" (see the top of this file).
MetricKind ResolveAccuracy(MetricShape shape);

// "accuracy" from the loss name: binary_crossentropy (and hinge losses,
// whose models have one output) → binary; sparse_categorical_crossentropy →
// sparse categorical; categorical_crossentropy → categorical. InvalidArgument
// for any other loss (a regression loss: then only shapes can decide).
core::Result<MetricKind> ResolveAccuracyForLoss(std::string_view loss_name);

// Parses a Keras metric name (case and underscores ignored, so Keras's class
// names and snake_case names both work):
// "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
// "precision"/"Precision", "recall"/"Recall",
// "f1"/"f1_score"/"F1Score"/"binary_f1_score" (→ kBinaryF1),
// "auc"/"AUC", "mse"/"mean_squared_error"/"MeanSquaredError",
// "mae"/"mean_absolute_error"/"MeanAbsoluteError", "r2"/"r2_score"/"R2Score";
// "accuracy"/"acc" resolve through ResolveAccuracy(shape).
// InvalidArgument naming the metric for anything else, and for an F1 name
// when shape has more than one target or prediction column: kBinaryF1 is
// defined for one sigmoid output only, and for several columns Keras's
// F1Score computes something else (per-class scores by argmax).
core::Result<MetricKind> ParseMetricName(std::string_view name, MetricShape shape = {});

// A fresh metric of `kind` with its default options (threshold 0.5 for the
// thresholded ones).
std::unique_ptr<Metric> MakeMetric(MetricKind kind);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_METRIC_H_
