// Loss: the training objective — a scalar that compares a network's output
// with the targets of a batch, and its gradient with respect to that output.
// Kinds and names follow keras.losses; every kind reduces like Keras's
// default "sum_over_batch_size": the per-sample losses (each already averaged
// over the output columns for the element-wise kinds, summed over classes for
// the cross-entropies), multiplied by the optional per-sample weights, summed
// and divided by the batch size (not by the sum of the weights).
//
// Fusing the final activation (why ComputeFromLogits exists).
// Computing binary cross-entropy from sigmoid outputs p loses precision as p
// approaches 0 or 1 (Keras clips p to [1e-7, 1 − 1e-7], which flattens the
// gradient), and the chain rule through the sigmoid multiplies two large
// factors. From the logits z the same loss is
//   max(z, 0) − z·y + log(1 + e^−|z|),   with gradient dL/dz = σ(z) − y,
// exact and cheap; softmax + categorical cross-entropy likewise gives
// dL/dz = softmax(z)·Σy − y (p − y for one-hot y). Keras's TensorFlow backend
// does the same silently when the output tensor comes from a sigmoid/softmax.
// A Sequential fuses as follows, where FusableActivation(kind) names the
// activation a loss can absorb:
//
//   Layer& last = *layers.back();               // forward pass done, training=true
//   if (!loss.options().from_logits &&
//       last.output_activation().kind == FusableActivation(loss.kind()) &&
//       FusableActivation(loss.kind()) != Activation::kLinear) {
//     value = loss.ComputeFromLogits(last.pre_activation(), y, w, &grad);
//     status = last.BackwardFromPreActivation(grad, &input_grads.back());
//   } else {
//     value = loss.Compute(outputs.back(), y, w, &grad);
//     status = last.Backward(grad, &input_grads.back());
//   }
//   // … earlier layers' Backward in reverse; total = value + Σ RegularizationLoss().
//
// The layer's output (probabilities) is still computed, for metrics and
// predictions; only the loss and its gradient bypass it.
//
// Thread-safety: a Loss is immutable after Create; Compute is const and
// reentrant (it writes only the caller's gradient matrix).

#ifndef MODELHOST_NN_LOSS_H_
#define MODELHOST_NN_LOSS_H_

#include <span>
#include <string_view>

#include "core/result.h"
#include "nn/activation.h"
#include "nn/matrix.h"

namespace modelhost::nn {

enum class LossKind {
  kBinaryCrossentropy,             // targets in [0, 1], same shape as the input
  kCategoricalCrossentropy,        // one-hot (or soft) targets, same shape
  kSparseCategoricalCrossentropy,  // targets [batch, 1] holding class indices as floats
  kMeanSquaredError,
  kMeanAbsoluteError,
  kHuber,  // ½e² for |e| ≤ δ, else δ(|e| − ½δ)
};

// The Keras function name: "binary_crossentropy", "categorical_crossentropy",
// "sparse_categorical_crossentropy", "mean_squared_error",
// "mean_absolute_error", "huber".
std::string_view ToString(LossKind kind);

// Parses a Keras loss name: the function name, the class name
// ("BinaryCrossentropy", "MeanSquaredError", "Huber", …) or an alias Keras
// accepts ("bce", "mse", "mae" and their upper-case forms;
// keras/src/losses/__init__.py).
// Unknown names give InvalidArgument listing the function names.
core::Result<LossKind> ParseLoss(std::string_view name);

// The activation whose output this loss can take as logits instead:
// sigmoid for binary_crossentropy, softmax for the categorical kinds, linear
// (nothing to fuse) for the rest.
Activation FusableActivation(LossKind kind);

struct LossOptions {
  LossKind kind = LossKind::kMeanSquaredError;
  // The input of Compute is logits rather than probabilities (Keras's
  // from_logits; only meaningful for the cross-entropies). Default false.
  bool from_logits = false;
  // δ of the Huber loss; must be > 0. Default 1.0 (Keras).
  float huber_delta = 1.0f;
};

// Probabilities are clipped to [kProbabilityEpsilon, 1 − kProbabilityEpsilon]
// before a logarithm, as Keras does with backend.epsilon() = 1e-7.
inline constexpr float kProbabilityEpsilon = 1e-7f;

class Loss {
 public:
  // Errors: InvalidArgument when huber_delta ≤ 0 or from_logits is set for a
  // kind that has no logits (mse, mae, huber).
  static core::Result<Loss> Create(LossOptions options);

  LossKind kind() const { return options_.kind; }
  const LossOptions& options() const { return options_; }

  // Returns the weighted mean loss over the batch and, when input_gradient is
  // not null, writes dLoss/d(input) into it (resized to input's shape).
  // input is [batch, outputs]: probabilities or regression values, or logits
  // when options().from_logits. sample_weights is empty (all 1) or holds one
  // weight per row. Does not allocate once input_gradient has capacity.
  // Errors (InvalidArgument, message starting with the loss's name): an empty
  // batch; targets of the wrong shape ([batch, outputs], or [batch, 1] for
  // sparse_categorical_crossentropy); a sparse target that is not an integer
  // in [0, outputs); sample_weights of the wrong length.
  core::Result<float> Compute(const Matrix& input, const Matrix& targets,
                              std::span<const float> sample_weights, Matrix* input_gradient) const;

  // Compute with `logits` being the values before FusableActivation(kind()),
  // whatever options().from_logits says; the gradient is with respect to the
  // logits. Same errors as Compute, plus FailedPrecondition when kind() has no
  // fusable activation.
  core::Result<float> ComputeFromLogits(const Matrix& logits, const Matrix& targets,
                                        std::span<const float> sample_weights,
                                        Matrix* logits_gradient) const;

 private:
  explicit Loss(LossOptions options) : options_(options) {}

  core::Status Validate(const Matrix& input, const Matrix& targets,
                        std::span<const float> sample_weights) const;
  core::Result<float> Reduce(const Matrix& input, const Matrix& targets,
                             std::span<const float> sample_weights, bool from_logits,
                             Matrix* input_gradient) const;

  LossOptions options_;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_LOSS_H_
