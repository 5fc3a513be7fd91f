// Auc: the exact area under the ROC curve of binary scores (see metric.h for
// the Metric interface). Every element of same-shape predictions and targets
// is one (score, label) pair, positive when target > 0.5 (Keras's AUC also
// flattens multi-column inputs). Unlike Keras's AUC, which interpolates over
// 200 thresholds, the value is exact: the Mann–Whitney statistic
//   AUC = (R₊ − P·(P + 1)/2) / (P·N)
// where R₊ is the sum of the ranks of the positives among all scores sorted
// ascending, tied scores sharing their averaged rank (so a tie between a
// positive and a negative counts one half), P and N the numbers of positives
// and negatives. With only one class present (P = 0 or N = 0) the AUC is
// undefined and Result() returns NaN (Keras returns 0; scikit-learn raises).
//
// Memory: keeps every pair since Reset (8 bytes each); Result() sorts a copy,
// O(n log n).
//
// Thread-safety: not thread-safe.

#ifndef MODELHOST_NN_METRIC_AUC_H_
#define MODELHOST_NN_METRIC_AUC_H_

#include <vector>

#include "nn/metric.h"

namespace modelhost::nn {

class Auc final : public Metric {
 public:
  MetricKind kind() const override { return MetricKind::kAuc; }
  // Also InvalidArgument naming the row when a prediction is NaN (it has no
  // rank).
  core::Status Update(const Matrix& predictions, const Matrix& targets) override;
  double Result() const override;
  void Reset() override { pairs_.clear(); }

 private:
  struct ScoredLabel {
    float score;
    bool positive;
  };
  std::vector<ScoredLabel> pairs_;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_METRIC_AUC_H_
