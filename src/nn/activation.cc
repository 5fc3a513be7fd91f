#include "nn/activation.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <string>

namespace modelhost::nn {
namespace {

constexpr std::array<Activation, 8> kAllActivations = {
    Activation::kLinear, Activation::kRelu,    Activation::kLeakyRelu, Activation::kElu,
    Activation::kGelu,   Activation::kSigmoid, Activation::kTanh,      Activation::kSoftmax,
};

constexpr float kInvSqrt2 = 0.70710678118654752440f;
constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

void SoftmaxRows(const Matrix& input, Matrix* output) {
  const size_t cols = input.cols();
  for (size_t row = 0; row < input.rows(); ++row) {
    const float* in = input.data() + row * cols;
    float* out = output->data() + row * cols;
    float max_value = cols > 0 ? in[0] : 0.0f;
    for (size_t j = 1; j < cols; ++j) max_value = std::max(max_value, in[j]);
    float sum = 0.0f;
    for (size_t j = 0; j < cols; ++j) {
      out[j] = std::exp(in[j] - max_value);
      sum += out[j];
    }
    // sum ≥ 1: the maximum contributes e⁰.
    const float inv_sum = 1.0f / sum;
    for (size_t j = 0; j < cols; ++j) out[j] *= inv_sum;
  }
}

void SoftmaxBackwardRows(const Matrix& output, const Matrix& output_gradient,
                         Matrix* input_gradient) {
  const size_t cols = output.cols();
  for (size_t row = 0; row < output.rows(); ++row) {
    const float* y = output.data() + row * cols;
    const float* g = output_gradient.data() + row * cols;
    float* dx = input_gradient->data() + row * cols;
    float dot = 0.0f;
    for (size_t j = 0; j < cols; ++j) dot += g[j] * y[j];
    // dot is complete before dx is written, so dx may alias g.
    for (size_t j = 0; j < cols; ++j) dx[j] = y[j] * (g[j] - dot);
  }
}

}  // namespace

std::string_view ToString(Activation activation) {
  switch (activation) {
    case Activation::kLinear: return "linear";
    case Activation::kRelu: return "relu";
    case Activation::kLeakyRelu: return "leaky_relu";
    case Activation::kElu: return "elu";
    case Activation::kGelu: return "gelu";
    case Activation::kSigmoid: return "sigmoid";
    case Activation::kTanh: return "tanh";
    case Activation::kSoftmax: return "softmax";
  }
  return "unknown";
}

core::Result<Activation> ParseActivation(std::string_view name) {
  if (name.empty()) return Activation::kLinear;
  for (Activation activation : kAllActivations) {
    if (ToString(activation) == name) return activation;
  }
  std::string supported;
  for (Activation activation : kAllActivations) {
    if (!supported.empty()) supported += ", ";
    supported += ToString(activation);
  }
  return core::InvalidArgument("unknown activation \"" + std::string(name) +
                               "\" (supported: " + supported + ")");
}

float DefaultAlpha(Activation activation) {
  switch (activation) {
    case Activation::kLeakyRelu: return 0.2f;
    case Activation::kElu: return 1.0f;
    default: return 0.0f;
  }
}

float StableSigmoid(float x) {
  // For x < 0, e⁻ˣ overflows; the algebraically equal eˣ/(1 + eˣ) does not.
  if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

void ActivationFunction::Forward(const Matrix& input, Matrix* output) const {
  output->Resize(input.rows(), input.cols());
  const size_t n = input.size();
  const float* x = input.data();
  float* y = output->data();
  const float a = alpha;
  switch (kind) {
    case Activation::kLinear:
      if (output != &input) std::copy_n(x, n, y);
      return;
    case Activation::kRelu:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      return;
    case Activation::kLeakyRelu:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] >= 0.0f ? x[i] : a * x[i];
      return;
    case Activation::kElu:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : a * std::expm1(x[i]);
      return;
    case Activation::kGelu:
      for (size_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * kInvSqrt2));
      return;
    case Activation::kSigmoid:
      for (size_t i = 0; i < n; ++i) y[i] = StableSigmoid(x[i]);
      return;
    case Activation::kTanh:
      for (size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      return;
    case Activation::kSoftmax: SoftmaxRows(input, output); return;
  }
}

void ActivationFunction::Backward(const Matrix& input, const Matrix& output,
                                  const Matrix& output_gradient, Matrix* input_gradient) const {
  assert(input.rows() == output.rows() && input.cols() == output.cols());
  assert(output.rows() == output_gradient.rows() && output.cols() == output_gradient.cols());
  input_gradient->Resize(output_gradient.rows(), output_gradient.cols());
  const size_t n = output_gradient.size();
  const float* x = input.data();
  const float* y = output.data();
  const float* g = output_gradient.data();
  float* dx = input_gradient->data();
  const float a = alpha;
  switch (kind) {
    case Activation::kLinear:
      if (input_gradient != &output_gradient) std::copy_n(g, n, dx);
      return;
    case Activation::kRelu:
      // g is loaded on every element, not only where x > 0: a load under a
      // condition cannot be if-converted, which left this a branchy scalar
      // loop mispredicting on random signs (bench/nn: 26 % of a seed-model step).
      for (size_t i = 0; i < n; ++i) {
        const float gradient = g[i];
        dx[i] = x[i] > 0.0f ? gradient : 0.0f;
      }
      return;
    case Activation::kLeakyRelu:
      for (size_t i = 0; i < n; ++i) dx[i] = x[i] >= 0.0f ? g[i] : a * g[i];
      return;
    case Activation::kElu:
      // For x ≤ 0, d/dx α(eˣ − 1) = αeˣ = y + α.
      for (size_t i = 0; i < n; ++i) {
        const float gradient = g[i];
        const float value = y[i];  // loaded unconditionally, as in relu above
        dx[i] = x[i] > 0.0f ? gradient : gradient * (value + a);
      }
      return;
    case Activation::kGelu:
      // d/dx xΦ(x) = Φ(x) + x·φ(x).
      for (size_t i = 0; i < n; ++i) {
        const float cdf = 0.5f * (1.0f + std::erf(x[i] * kInvSqrt2));
        const float pdf = kInvSqrt2Pi * std::exp(-0.5f * x[i] * x[i]);
        dx[i] = g[i] * (cdf + x[i] * pdf);
      }
      return;
    case Activation::kSigmoid:
      for (size_t i = 0; i < n; ++i) dx[i] = g[i] * y[i] * (1.0f - y[i]);
      return;
    case Activation::kTanh:
      for (size_t i = 0; i < n; ++i) dx[i] = g[i] * (1.0f - y[i] * y[i]);
      return;
    case Activation::kSoftmax: SoftmaxBackwardRows(output, output_gradient, input_gradient); return;
  }
}

}  // namespace modelhost::nn
