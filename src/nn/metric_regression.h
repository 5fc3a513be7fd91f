// Regression metrics (see metric.h for the Metric interface), over
// same-shape predictions and targets [batch, outputs]:
//   MeanError (mse) — mean over every element of (prediction − target)²;
//   MeanError (mae) — mean over every element of |prediction − target|;
//   R2Score         — per output column j, R²ⱼ = 1 − SS_res,j / SS_tot,j with
//                     SS_res,j = Σ (target − prediction)², SS_tot,j =
//                     Σ (target − mean target)²; the result is the plain mean
//                     over columns (Keras's R2Score, class_aggregation=
//                     "uniform_average", num_regressors=0). A column whose
//                     targets are all equal (SS_tot = 0) scores 1 when its
//                     predictions are exact and 0 otherwise (scikit-learn's
//                     force_finite; Keras gives 0 and NaN respectively).
// Sums are kept in double; R2Score merges per-batch means and squared
// deviations (Chan et al.) so a large mean does not cancel the variance.
//
// Thread-safety: not thread-safe.

#ifndef MODELHOST_NN_METRIC_REGRESSION_H_
#define MODELHOST_NN_METRIC_REGRESSION_H_

#include <cstdint>
#include <vector>

#include "nn/metric.h"

namespace modelhost::nn {

class MeanError final : public Metric {
 public:
  // REQUIRES: kind is kMeanSquaredError or kMeanAbsoluteError.
  explicit MeanError(MetricKind kind);
  MetricKind kind() const override { return kind_; }
  core::Status Update(const Matrix& predictions, const Matrix& targets) override;
  double Result() const override;
  void Reset() override {
    sum_ = 0.0;
    count_ = 0;
  }

 private:
  MetricKind kind_;
  double sum_ = 0.0;
  int64_t count_ = 0;
};

class R2Score final : public Metric {
 public:
  MetricKind kind() const override { return MetricKind::kR2; }
  // Also InvalidArgument when the number of columns differs from the first
  // batch since Reset.
  core::Status Update(const Matrix& predictions, const Matrix& targets) override;
  double Result() const override;
  void Reset() override;

 private:
  struct Column {
    double mean = 0.0;                // of the targets
    double squared_deviations = 0.0;  // Σ (target − mean)², SS_tot
    double squared_residuals = 0.0;   // Σ (target − prediction)², SS_res
  };
  int64_t count_ = 0;
  std::vector<Column> columns_;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_METRIC_REGRESSION_H_
