#include "nn/regularizer.h"

#include <cassert>
#include <cmath>

namespace modelhost::nn {

float Regularizer::Loss(const Matrix& weights) const {
  if (!active()) return 0.0f;
  double abs_sum = 0.0;
  double square_sum = 0.0;
  for (float w : weights.values()) {
    abs_sum += std::abs(w);
    square_sum += static_cast<double>(w) * w;
  }
  return static_cast<float>(l1 * abs_sum + l2 * square_sum);
}

void Regularizer::AddGradient(const Matrix& weights, Matrix* gradient) const {
  if (!active()) return;
  assert(weights.rows() == gradient->rows() && weights.cols() == gradient->cols());
  const size_t n = weights.size();
  const float* __restrict w = weights.data();
  float* __restrict g = gradient->data();
  const float two_l2 = 2.0f * l2;
  for (size_t i = 0; i < n; ++i) {
    const float sign = static_cast<float>((w[i] > 0.0f) - (w[i] < 0.0f));
    g[i] += l1 * sign + two_l2 * w[i];
  }
}

}  // namespace modelhost::nn
