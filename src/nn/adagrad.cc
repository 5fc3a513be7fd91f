#include "nn/adagrad.h"

#include <cmath>
#include <string>
#include <utility>

namespace modelhost::nn {

core::Result<std::unique_ptr<Adagrad>> Adagrad::Create(AdagradOptions options) {
  if (!(std::isfinite(options.initial_accumulator_value) &&
        options.initial_accumulator_value >= 0)) {
    return core::InvalidArgument("Adagrad: initial_accumulator_value must be a finite number >= 0");
  }
  if (!(std::isfinite(options.epsilon) && options.epsilon >= 0)) {
    return core::InvalidArgument("Adagrad: epsilon must be a finite number >= 0");
  }
  MODELHOST_RETURN_IF_ERROR(Validate(OptimizerCommonOptions{options.learning_rate,
                                                            options.weight_decay, options.clipping})
                                .WithContext("Adagrad"));
  return std::make_unique<Adagrad>(PrivateTag{}, std::move(options));
}

Adagrad::Adagrad(PrivateTag, AdagradOptions options)
    : Optimizer({options.learning_rate, options.weight_decay, options.clipping}),
      options_(std::move(options)) {}

void Adagrad::ResizeState(size_t count) { accumulators_.assign(count, Matrix()); }

void Adagrad::CreateSlot(size_t slot, const Matrix& value) {
  accumulators_[slot] = Matrix(value.rows(), value.cols());
  accumulators_[slot].Fill(static_cast<float>(options_.initial_accumulator_value));
}

void Adagrad::Update(size_t slot, Matrix& value, const Matrix& gradient, float learning_rate) {
  float* __restrict p = value.data();
  const float* __restrict g = gradient.data();
  float* __restrict a = accumulators_[slot].data();
  const float epsilon = static_cast<float>(options_.epsilon);
  const size_t size = value.size();
  for (size_t k = 0; k < size; ++k) {
    a[k] += g[k] * g[k];
    p[k] -= learning_rate * g[k] / std::sqrt(a[k] + epsilon);
  }
}

std::vector<std::pair<std::string_view, std::vector<Matrix>*>> Adagrad::StateSlots() {
  return {{"accumulator", &accumulators_}};
}

}  // namespace modelhost::nn
