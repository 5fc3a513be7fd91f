#include "nn/metric_auc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace modelhost::nn {

core::Status Auc::Update(const Matrix& predictions, const Matrix& targets) {
  MODELHOST_RETURN_IF_ERROR(RequireSameShape(predictions, targets));
  const float* score = predictions.data();
  for (size_t k = 0; k < predictions.size(); ++k) {
    // A NaN would break the strict weak ordering the sort needs.
    if (std::isnan(score[k])) {
      return core::InvalidArgument("auc: row " + std::to_string(k / predictions.cols()) +
                                   ": prediction is NaN");
    }
  }
  const float* target = targets.data();
  for (size_t k = 0; k < predictions.size(); ++k) {
    pairs_.push_back({score[k], target[k] > 0.5f});
  }
  return core::OkStatus();
}

double Auc::Result() const {
  std::vector<ScoredLabel> sorted = pairs_;
  std::sort(sorted.begin(), sorted.end(),
            [](const ScoredLabel& a, const ScoredLabel& b) { return a.score < b.score; });
  double positive_rank_sum = 0.0;
  double positives = 0.0;
  // Walk groups of equal scores; ranks are 1-based, a group spanning sorted
  // positions [begin, end) shares the rank (begin + 1 + end) / 2.
  for (size_t begin = 0; begin < sorted.size();) {
    size_t end = begin;
    double group_positives = 0.0;
    while (end < sorted.size() && sorted[end].score == sorted[begin].score) {
      group_positives += sorted[end].positive;
      ++end;
    }
    positive_rank_sum += group_positives * (static_cast<double>(begin + 1 + end) / 2.0);
    positives += group_positives;
    begin = end;
  }
  const double negatives = static_cast<double>(sorted.size()) - positives;
  if (positives == 0.0 || negatives == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return (positive_rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

}  // namespace modelhost::nn
