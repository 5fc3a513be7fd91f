// Gradient clipping: bounding gradients before an optimizer applies them, the
// three kinds Keras optimizers accept, with Keras's semantics:
//   clipnorm        — per parameter: g ← g · c / max(‖g‖₂, c), ‖g‖₂ over that
//                     one tensor (Keras's `clipnorm` is per variable);
//   global_clipnorm — over all parameters together: with
//                     N = sqrt(Σ_params ‖g‖₂²), every g ← g · c / max(N, c)
//                     (tf.clip_by_global_norm; keeps the update's direction);
//   clipvalue       — elementwise: g ← min(max(g, −c), c).
// At most one applies, in Keras's precedence: clipnorm, else global_clipnorm,
// else clipvalue (Keras rejects clipnorm together with global_clipnorm, and so
// does Validate; a clipvalue next to a norm is accepted and ignored, as in
// Keras). Gradients are modified in place; nothing is allocated. Non-finite
// gradients are not hidden, as in Keras: a NaN or infinite global norm makes
// every gradient NaN; per-parameter, the factor c / max(‖g‖, c) is NaN for a
// NaN norm and 0 for an infinite one (so ±inf elements become NaN).
//
// Thread-safety: value type; the functions are reentrant.

#ifndef MODELHOST_NN_GRADIENT_CLIPPING_H_
#define MODELHOST_NN_GRADIENT_CLIPPING_H_

#include <optional>
#include <span>

#include "core/status.h"
#include "nn/matrix.h"
#include "nn/parameter.h"

namespace modelhost::nn {

struct GradientClipping {
  // Per-parameter L2 norm bound. Default: unset (no clipping). REQUIRES: > 0.
  std::optional<double> clipnorm = std::nullopt;
  // Bound on the L2 norm of all gradients together. Default: unset. REQUIRES: > 0.
  std::optional<double> global_clipnorm = std::nullopt;
  // Elementwise bound on |g|. Default: unset. REQUIRES: > 0.
  std::optional<double> clipvalue = std::nullopt;

  bool enabled() const {
    return clipnorm.has_value() || global_clipnorm.has_value() || clipvalue.has_value();
  }
};

// InvalidArgument naming the field when a bound is set but not finite and > 0,
// or when both clipnorm and global_clipnorm are set.
core::Status Validate(const GradientClipping& clipping);

// g ← g · max_norm / max(‖g‖₂, max_norm). REQUIRES: max_norm > 0.
void ClipByNorm(Matrix& gradient, double max_norm);

// g ← min(max(g, −max_value), max_value). REQUIRES: max_value > 0.
void ClipByValue(Matrix& gradient, double max_value);

// The L2 norm of the gradients of the trainable parameters taken together
// (accumulated in double).
double GlobalNorm(std::span<Parameter* const> parameters);

// Scales the gradients of the trainable parameters by
// max_norm / max(GlobalNorm, max_norm). REQUIRES: max_norm > 0.
void ClipByGlobalNorm(std::span<Parameter* const> parameters, double max_norm);

// Applies `clipping` (precedence above) to the trainable parameters' gradients.
// REQUIRES: Validate(clipping).ok().
void ClipGradients(const GradientClipping& clipping, std::span<Parameter* const> parameters);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_GRADIENT_CLIPPING_H_
