// Activation: the element-wise (or, for softmax, row-wise) non-linearities a
// layer applies to its pre-activation values, named as Keras names them so a
// Keras Sequential config's "activation": "relu" parses directly.
//
// ActivationFunction pairs a kind with its one parameter (the slope of
// leaky_relu, the alpha of elu) and computes the forward value and the
// backward vector-Jacobian product on whole [batch, features] matrices.
// Neither allocates once the output matrices have capacity.
//
// Thread-safety: ActivationFunction is an immutable value; Forward/Backward
// are const and reentrant.

#ifndef MODELHOST_NN_ACTIVATION_H_
#define MODELHOST_NN_ACTIVATION_H_

#include <string_view>

#include "core/result.h"
#include "nn/matrix.h"

namespace modelhost::nn {

enum class Activation {
  kLinear,     // f(x) = x
  kRelu,       // max(x, 0)
  kLeakyRelu,  // x ≥ 0 ? x : alpha·x
  kElu,        // x > 0 ? x : alpha·(eˣ − 1)
  kGelu,       // exact form x·Φ(x) = ½x(1 + erf(x/√2)) (Keras's default approximate=False)
  kSigmoid,    // 1 / (1 + e⁻ˣ), evaluated without overflow for either sign
  kTanh,       // tanh(x)
  kSoftmax,    // row-wise e^(x−max) / Σ e^(x−max)
};

// The Keras name: "linear", "relu", "leaky_relu", "elu", "gelu", "sigmoid",
// "tanh", "softmax".
std::string_view ToString(Activation activation);

// Parses a Keras activation name. "linear" and "" (Keras's None) are kLinear.
// Unknown names give InvalidArgument listing the supported ones.
core::Result<Activation> ParseActivation(std::string_view name);

// Keras's default for a kind's parameter when named by string:
//  - leaky_relu 0.2: keras.activations.leaky_relu(x, negative_slope=0.2)
//    (keras/src/activations/activations.py), which is what
//    Dense(activation="leaky_relu") and Activation("leaky_relu") use. (The
//    *layer* keras.layers.LeakyReLU defaults to 0.3, but network specs do
//    not accept that layer class; see activation_layer.h.)
//  - elu 1.0: keras.activations.elu(x, alpha=1.0).
//  - 0 for the kinds that have no parameter.
float DefaultAlpha(Activation activation);

// An activation kind with its parameter.
struct ActivationFunction {
  Activation kind = Activation::kLinear;
  // Negative slope for kLeakyRelu, alpha for kElu; ignored by the others.
  float alpha = 0.0f;

  // `kind` with DefaultAlpha(kind).
  static ActivationFunction Of(Activation kind) { return {kind, DefaultAlpha(kind)}; }

  // *output = f(input); resizes *output to input's shape. output may be &input
  // (in place). Softmax works per row and subtracts the row maximum first, so
  // large logits do not overflow.
  void Forward(const Matrix& input, Matrix* output) const;

  // *input_gradient = (∂f/∂input)ᵀ · output_gradient: element-wise f'(x)·g for
  // the element-wise kinds; for softmax the Jacobian-vector product per row,
  // y ⊙ (g − ⟨g, y⟩). `input` and `output` are the pre- and post-activation
  // matrices of the Forward call being differentiated (each kind reads the
  // one its derivative is cheapest from). Resizes *input_gradient; it may be
  // &output_gradient (in place).
  // REQUIRES: input, output and output_gradient have the same shape.
  void Backward(const Matrix& input, const Matrix& output, const Matrix& output_gradient,
                Matrix* input_gradient) const;
};

// The numerically stable logistic function of one value (shared by losses).
float StableSigmoid(float x);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_ACTIVATION_H_
