// Regularizer: Keras's L1L2 weight penalty, λ₁·Σ|w| + λ₂·Σw², added to the
// training loss (not divided by the batch size, as in Keras) and its gradient
// λ₁·sign(w) + 2λ₂·w added to the weights' gradient. Keras's "l1" / "l2"
// strings mean factor 0.01; the network-config reader fills that in.
//
// Thread-safety: an immutable value; methods are const and reentrant.

#ifndef MODELHOST_NN_REGULARIZER_H_
#define MODELHOST_NN_REGULARIZER_H_

#include "nn/matrix.h"

namespace modelhost::nn {

struct Regularizer {
  float l1 = 0.0f;  // λ₁ ≥ 0
  float l2 = 0.0f;  // λ₂ ≥ 0

  bool active() const { return l1 != 0.0f || l2 != 0.0f; }

  // λ₁·Σ|w| + λ₂·Σw², accumulated in double.
  float Loss(const Matrix& weights) const;

  // *gradient += λ₁·sign(w) + 2λ₂·w (sign(0) = 0, as Keras's abs gradient).
  // REQUIRES: gradient has weights' shape.
  void AddGradient(const Matrix& weights, Matrix* gradient) const;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_REGULARIZER_H_
