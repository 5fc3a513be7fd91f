#include "nn/rmsprop.h"

#include <cmath>
#include <string>
#include <utility>

namespace modelhost::nn {

core::Result<std::unique_ptr<Rmsprop>> Rmsprop::Create(RmspropOptions options) {
  if (!(options.rho >= 0.0 && options.rho <= 1.0)) {
    return core::InvalidArgument("RMSprop: rho must be in [0, 1], got " +
                                 std::to_string(options.rho));
  }
  if (!(options.momentum >= 0.0 && options.momentum <= 1.0)) {
    return core::InvalidArgument("RMSprop: momentum must be in [0, 1], got " +
                                 std::to_string(options.momentum));
  }
  if (!(std::isfinite(options.epsilon) && options.epsilon >= 0)) {
    return core::InvalidArgument("RMSprop: epsilon must be a finite number >= 0");
  }
  MODELHOST_RETURN_IF_ERROR(Validate(OptimizerCommonOptions{options.learning_rate,
                                                            options.weight_decay, options.clipping})
                                .WithContext("RMSprop"));
  return std::make_unique<Rmsprop>(PrivateTag{}, std::move(options));
}

Rmsprop::Rmsprop(PrivateTag, RmspropOptions options)
    : Optimizer({options.learning_rate, options.weight_decay, options.clipping}),
      options_(std::move(options)) {}

void Rmsprop::ResizeState(size_t count) {
  velocities_.assign(count, Matrix());
  average_gradients_.assign(count, Matrix());
  momentums_.assign(count, Matrix());
}

void Rmsprop::CreateSlot(size_t slot, const Matrix& value) {
  velocities_[slot] = Matrix(value.rows(), value.cols());
  if (options_.centered) average_gradients_[slot] = Matrix(value.rows(), value.cols());
  if (options_.momentum > 0) momentums_[slot] = Matrix(value.rows(), value.cols());
}

void Rmsprop::Update(size_t slot, Matrix& value, const Matrix& gradient, float learning_rate) {
  float* __restrict p = value.data();
  const float* __restrict g = gradient.data();
  float* __restrict v = velocities_[slot].data();
  const float rho = static_cast<float>(options_.rho);
  const float epsilon = static_cast<float>(options_.epsilon);
  const size_t size = value.size();
  // One loop per variant, so that each is branch-free and vectorizes.
  if (options_.centered) {
    float* __restrict average = average_gradients_[slot].data();
    for (size_t k = 0; k < size; ++k) {
      v[k] = rho * v[k] + (1 - rho) * (g[k] * g[k]);
      average[k] = rho * average[k] + (1 - rho) * g[k];
    }
  } else {
    for (size_t k = 0; k < size; ++k) v[k] = rho * v[k] + (1 - rho) * (g[k] * g[k]);
  }
  const float* __restrict average = options_.centered ? average_gradients_[slot].data() : nullptr;
  if (options_.momentum > 0) {
    float* __restrict m = momentums_[slot].data();
    const float momentum = static_cast<float>(options_.momentum);
    for (size_t k = 0; k < size; ++k) {
      const float denominator = average ? v[k] - average[k] * average[k] + epsilon : v[k] + epsilon;
      m[k] = momentum * m[k] + learning_rate * g[k] / std::sqrt(denominator);
      p[k] -= m[k];
    }
  } else if (average != nullptr) {
    for (size_t k = 0; k < size; ++k) {
      p[k] -= learning_rate * g[k] / std::sqrt(v[k] - average[k] * average[k] + epsilon);
    }
  } else {
    for (size_t k = 0; k < size; ++k) p[k] -= learning_rate * g[k] / std::sqrt(v[k] + epsilon);
  }
}

std::vector<std::pair<std::string_view, std::vector<Matrix>*>> Rmsprop::StateSlots() {
  std::vector<std::pair<std::string_view, std::vector<Matrix>*>> slots = {
      {"velocity", &velocities_}};
  if (options_.centered) slots.emplace_back("average_gradient", &average_gradients_);
  if (options_.momentum > 0) slots.emplace_back("momentum", &momentums_);
  return slots;
}

}  // namespace modelhost::nn
