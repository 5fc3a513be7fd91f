#include "nn/dense.h"

#include <string>

#include "nn/kernels.h"

namespace modelhost::nn {

Dense::Dense(DenseOptions options) : Layer("dense"), options_(options) {
  kernel_.name = name() + "/kernel";
  bias_.name = name() + "/bias";
}

core::Status Dense::DoBuild(RandomGenerator* generator) {
  if (options_.units == 0 || options_.units > kMaxLayerWidth) {
    return core::InvalidArgument("units must be in [1, " + std::to_string(kMaxLayerWidth) +
                                 "], got " + std::to_string(options_.units));
  }
  if (options_.kernel_regularizer.l1 < 0.0f || options_.kernel_regularizer.l2 < 0.0f) {
    return core::InvalidArgument("kernel regularizer factors must be non-negative");
  }
  const size_t in = input_width();
  const size_t out = options_.units;
  // Both factors are at most 2²⁰, so the product cannot overflow.
  const size_t values = in * out + (options_.use_bias ? out : 0);
  if (values > kMaxLayerParameterValues) {
    return core::ResourceExhausted(std::to_string(in) + " inputs × " + std::to_string(out) +
                                   " units need " + std::to_string(values) +
                                   " parameter values, more than the limit of " +
                                   std::to_string(kMaxLayerParameterValues));
  }
  kernel_.value.Resize(in, out);
  kernel_.gradient = Matrix(in, out);
  Initialize(options_.kernel_initializer, in, out, generator, &kernel_.value);
  if (options_.use_bias) {
    bias_.value.Resize(1, out);
    bias_.gradient = Matrix(1, out);
    // Keras computes a 1-D shape's fans as (n, n).
    Initialize(options_.bias_initializer, out, out, generator, &bias_.value);
  }
  return core::OkStatus();
}

core::Status Dense::DoForward(const Matrix& input, Matrix* output, bool /*training*/) {
  Matrix* linear = has_activation() ? &pre_activation_ : output;
  Gemm(Transpose::kNo, Transpose::kNo, 1.0f, input, kernel_.value, 0.0f, linear);
  if (options_.use_bias) AddRowVector(bias_.value, linear);
  if (has_activation()) options_.activation.Forward(pre_activation_, output);
  return core::OkStatus();
}

void Dense::DoBackward(const Matrix& input, const Matrix& output, const Matrix& gradient,
                       bool gradient_is_pre_activation, Matrix* input_gradient) {
  const Matrix* linear_gradient = &gradient;
  if (has_activation() && !gradient_is_pre_activation) {
    options_.activation.Backward(pre_activation_, output, gradient, &pre_activation_gradient_);
    linear_gradient = &pre_activation_gradient_;
  }
  // dW = Xᵀ·dZ, db = Σ_rows dZ, dX = dZ·Wᵀ.
  Gemm(Transpose::kYes, Transpose::kNo, 1.0f, input, *linear_gradient, 0.0f, &kernel_.gradient);
  options_.kernel_regularizer.AddGradient(kernel_.value, &kernel_.gradient);
  if (options_.use_bias) ColumnSums(*linear_gradient, &bias_.gradient);
  if (input_gradient != nullptr) {
    Gemm(Transpose::kNo, Transpose::kYes, 1.0f, *linear_gradient, kernel_.value, 0.0f,
         input_gradient);
  }
}

const Matrix& Dense::pre_activation() const {
  return has_activation() ? pre_activation_ : *last_output();
}

std::vector<Parameter*> Dense::Parameters() {
  std::vector<Parameter*> parameters = {&kernel_};
  if (options_.use_bias) parameters.push_back(&bias_);
  return parameters;
}

float Dense::RegularizationLoss() const { return options_.kernel_regularizer.Loss(kernel_.value); }

}  // namespace modelhost::nn
