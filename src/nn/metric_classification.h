// Classification metrics (see metric.h for the Metric interface), Keras's
// definitions:
//   BinaryAccuracy  — predictions and targets of the same shape; an element is
//                     right when (prediction > threshold) equals
//                     (target > 0.5); the fraction of right elements.
//   CategoricalAccuracy — same shape [batch, classes], one-hot (or
//                     probability) targets; a row is right when the argmax of
//                     its prediction equals the argmax of its target (first
//                     maximum on ties, and the first NaN if a row has one,
//                     as numpy.argmax).
//   SparseCategoricalAccuracy — predictions [batch, classes], targets
//                     [batch, 1] holding class indices 0..classes−1; a row is
//                     right when the argmax of its prediction is its index.
//   ConfusionMetric — precision TP/(TP+FP), recall TP/(TP+FN) and F1
//                     2TP/(2TP+FP+FN), counting every element of same-shape
//                     predictions and targets: predicted positive when
//                     prediction > threshold, actually positive when
//                     target > 0.5. A zero denominator gives 0 (Keras's
//                     divide_no_nan) once rows were added, NaN before.
//                     Precision and recall are keras.metrics.Precision and
//                     Recall (default thresholds=0.5) for any shape.
//
// How kBinaryF1 ("binary_f1_score"; also parsed from "f1", "f1_score",
// "F1Score") differs from keras.metrics.F1Score: it takes one prediction
// column (a sigmoid output) and one target column, and counts a prediction
// > 0.5 as positive. That equals keras.metrics.F1Score(threshold=0.5) on
// one column (Keras returns it as a 1-element vector; we return the scalar),
// and F1Score(average="micro", threshold=0.5). It is NOT Keras's default
// F1Score(), whose threshold=None marks each row's argmax column positive:
// with one column that marks every row positive, so Keras's default scores
// 2P/(2P+N) whatever the model predicts. Several columns are refused
// (InvalidArgument from ParseMetricName and from Update), since there
// Keras's default gives one score per class, which is not implemented.
//
// Thread-safety: not thread-safe (one training loop owns a metric).

#ifndef MODELHOST_NN_METRIC_CLASSIFICATION_H_
#define MODELHOST_NN_METRIC_CLASSIFICATION_H_

#include <cstdint>

#include "nn/metric.h"

namespace modelhost::nn {

struct ThresholdOptions {
  // A prediction above this counts as positive. Keras default 0.5.
  float threshold = 0.5f;
};

class BinaryAccuracy final : public Metric {
 public:
  explicit BinaryAccuracy(ThresholdOptions options = {}) : options_(options) {}
  MetricKind kind() const override { return MetricKind::kBinaryAccuracy; }
  core::Status Update(const Matrix& predictions, const Matrix& targets) override;
  double Result() const override;
  void Reset() override { correct_ = total_ = 0; }

 private:
  ThresholdOptions options_;
  int64_t correct_ = 0;
  int64_t total_ = 0;
};

class CategoricalAccuracy final : public Metric {
 public:
  MetricKind kind() const override { return MetricKind::kCategoricalAccuracy; }
  core::Status Update(const Matrix& predictions, const Matrix& targets) override;
  double Result() const override;
  void Reset() override { correct_ = total_ = 0; }

 private:
  int64_t correct_ = 0;
  int64_t total_ = 0;
};

class SparseCategoricalAccuracy final : public Metric {
 public:
  MetricKind kind() const override { return MetricKind::kSparseCategoricalAccuracy; }
  // Also InvalidArgument naming the row when a target is not an integer
  // class index in [0, classes).
  core::Status Update(const Matrix& predictions, const Matrix& targets) override;
  double Result() const override;
  void Reset() override { correct_ = total_ = 0; }

 private:
  int64_t correct_ = 0;
  int64_t total_ = 0;
};

class ConfusionMetric final : public Metric {
 public:
  // REQUIRES: kind is kPrecision, kRecall or kBinaryF1.
  explicit ConfusionMetric(MetricKind kind, ThresholdOptions options = {});
  MetricKind kind() const override { return kind_; }
  // Also InvalidArgument for kBinaryF1 when predictions have more than one
  // column (see the top of this file).
  core::Status Update(const Matrix& predictions, const Matrix& targets) override;
  double Result() const override;
  void Reset() override { true_positives_ = false_positives_ = false_negatives_ = total_ = 0; }

 private:
  MetricKind kind_;
  ThresholdOptions options_;
  int64_t true_positives_ = 0;
  int64_t false_positives_ = 0;
  int64_t false_negatives_ = 0;
  int64_t total_ = 0;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_METRIC_CLASSIFICATION_H_
