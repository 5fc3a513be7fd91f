#include "nn/dropout.h"

#include <algorithm>
#include <string>

#include "nn/kernels.h"

namespace modelhost::nn {

Dropout::Dropout(DropoutOptions options) : Layer("dropout"), options_(options) {}

core::Status Dropout::DoBuild(RandomGenerator* generator) {
  if (!(options_.rate >= 0.0f && options_.rate < 1.0f)) {
    return core::InvalidArgument("rate must be in [0, 1), got " + std::to_string(options_.rate));
  }
  // Draw from the model's generator even when seeded, so that adding a seed to
  // one Dropout does not shift the weights of the layers built after it.
  const uint64_t forked = generator->Fork();
  Reseed(options_.seed.value_or(forked));
  return core::OkStatus();
}

core::Status Dropout::DoForward(const Matrix& input, Matrix* output, bool training) {
  output->Resize(input.rows(), input.cols());
  if (!training || options_.rate == 0.0f) {
    std::copy_n(input.data(), input.size(), output->data());
    mask_.Resize(input.rows(), input.cols());
    mask_.Fill(1.0f);
    return core::OkStatus();
  }
  mask_.Resize(input.rows(), input.cols());
  const float rate = options_.rate;
  const float keep_scale = 1.0f / (1.0f - rate);
  for (float& value : mask_.values()) {
    value = generator_.NextUniformFloat() >= rate ? keep_scale : 0.0f;
  }
  Multiply(input, mask_, output);
  return core::OkStatus();
}

void Dropout::DoBackward(const Matrix& /*input*/, const Matrix& /*output*/, const Matrix& gradient,
                         bool /*gradient_is_pre_activation*/, Matrix* input_gradient) {
  if (input_gradient != nullptr) Multiply(gradient, mask_, input_gradient);
}

}  // namespace modelhost::nn
