// Dense: the fully connected layer, output = activation(input · kernel + bias)
// with kernel [input_width, units] and bias [1, units] — Keras's
// keras.layers.Dense, with the same defaults and parameter names
// ("<name>/kernel", "<name>/bias").
//
// One training step costs two GEMMs forward-and-back (three when the input
// gradient is wanted), all through BLAS, plus vectorized bias and activation
// loops; every intermediate lives in a member matrix that is reused.
//
// Thread-safety: none (see layer.h).

#ifndef MODELHOST_NN_DENSE_H_
#define MODELHOST_NN_DENSE_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "nn/activation.h"
#include "nn/initializer.h"
#include "nn/layer.h"
#include "nn/regularizer.h"

namespace modelhost::nn {

struct DenseOptions {
  // Width of the output. Must be in [1, kMaxLayerWidth], and
  // input_width × units (+ units for the bias) at most
  // kMaxLayerParameterValues (Build fails otherwise). Default 1.
  size_t units = 1;
  // Applied to input·kernel + bias. Default linear (Keras's activation=None).
  ActivationFunction activation;
  // Whether the layer has a bias. Default true.
  bool use_bias = true;
  // Default glorot_uniform, as in Keras.
  Initializer kernel_initializer = Initializer::kGlorotUniform;
  // Default zeros, as in Keras.
  Initializer bias_initializer = Initializer::kZeros;
  // Penalty on the kernel. Default none. Factors must be ≥ 0 (Build fails otherwise).
  Regularizer kernel_regularizer;
};

class Dense final : public Layer {
 public:
  explicit Dense(DenseOptions options);

  std::string_view class_name() const override { return "Dense"; }
  size_t output_width() const override { return options_.units; }
  ActivationFunction output_activation() const override { return options_.activation; }
  const Matrix& pre_activation() const override;
  // kernel, then bias when use_bias.
  std::vector<Parameter*> Parameters() override;
  float RegularizationLoss() const override;

  const DenseOptions& options() const { return options_; }
  // REQUIRES: built(). bias() REQUIRES options().use_bias.
  Parameter& kernel() { return kernel_; }
  Parameter& bias() { return bias_; }

 private:
  core::Status DoBuild(RandomGenerator* generator) override;
  core::Status DoForward(const Matrix& input, Matrix* output, bool training) override;
  void DoBackward(const Matrix& input, const Matrix& output, const Matrix& gradient,
                  bool gradient_is_pre_activation, Matrix* input_gradient) override;

  bool has_activation() const { return options_.activation.kind != Activation::kLinear; }

  DenseOptions options_;
  Parameter kernel_;
  Parameter bias_;
  // input·kernel + bias of the last Forward; unused when the activation is
  // linear (the output is written directly).
  Matrix pre_activation_;
  // dL/d(pre_activation) in Backward when the activation is not linear.
  Matrix pre_activation_gradient_;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_DENSE_H_
