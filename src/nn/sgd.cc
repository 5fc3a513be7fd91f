#include "nn/sgd.h"

#include <string>
#include <utility>

namespace modelhost::nn {

core::Result<std::unique_ptr<Sgd>> Sgd::Create(SgdOptions options) {
  if (!(options.momentum >= 0.0 && options.momentum <= 1.0)) {
    return core::InvalidArgument("SGD: momentum must be in [0, 1], got " +
                                 std::to_string(options.momentum));
  }
  MODELHOST_RETURN_IF_ERROR(Validate(OptimizerCommonOptions{options.learning_rate,
                                                            options.weight_decay, options.clipping})
                                .WithContext("SGD"));
  return std::make_unique<Sgd>(PrivateTag{}, std::move(options));
}

Sgd::Sgd(PrivateTag, SgdOptions options)
    : Optimizer({options.learning_rate, options.weight_decay, options.clipping}),
      options_(std::move(options)) {}

void Sgd::ResizeState(size_t count) { velocities_.assign(count, Matrix()); }

void Sgd::CreateSlot(size_t slot, const Matrix& value) {
  if (options_.momentum != 0.0) velocities_[slot] = Matrix(value.rows(), value.cols());
}

void Sgd::Update(size_t slot, Matrix& value, const Matrix& gradient, float learning_rate) {
  float* __restrict p = value.data();
  const float* __restrict g = gradient.data();
  const size_t size = value.size();
  if (options_.momentum == 0.0) {
    for (size_t k = 0; k < size; ++k) p[k] -= g[k] * learning_rate;
    return;
  }
  const float momentum = static_cast<float>(options_.momentum);
  float* __restrict m = velocities_[slot].data();
  if (options_.nesterov) {
    for (size_t k = 0; k < size; ++k) {
      m[k] = -g[k] * learning_rate + m[k] * momentum;
      p[k] += -g[k] * learning_rate + m[k] * momentum;
    }
  } else {
    for (size_t k = 0; k < size; ++k) {
      m[k] = -g[k] * learning_rate + m[k] * momentum;
      p[k] += m[k];
    }
  }
}

std::vector<std::pair<std::string_view, std::vector<Matrix>*>> Sgd::StateSlots() {
  if (options_.momentum == 0.0) return {};
  return {{"velocity", &velocities_}};
}

}  // namespace modelhost::nn
