#include "nn/activation_layer.h"

namespace modelhost::nn {

ActivationLayer::ActivationLayer(ActivationFunction activation)
    : Layer("activation"), activation_(activation) {}

core::Status ActivationLayer::DoBuild(RandomGenerator* /*generator*/) { return core::OkStatus(); }

core::Status ActivationLayer::DoForward(const Matrix& input, Matrix* output, bool /*training*/) {
  activation_.Forward(input, output);
  return core::OkStatus();
}

void ActivationLayer::DoBackward(const Matrix& input, const Matrix& output, const Matrix& gradient,
                                 bool gradient_is_pre_activation, Matrix* input_gradient) {
  if (input_gradient == nullptr) return;
  if (gradient_is_pre_activation) {
    *input_gradient = gradient;  // Copy assignment reuses the buffer.
  } else {
    activation_.Backward(input, output, gradient, input_gradient);
  }
}

}  // namespace modelhost::nn
