#include "nn/adam.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace modelhost::nn {
namespace {

core::Status ValidateAdam(const AdamOptions& options, std::string_view name) {
  if (!(options.beta_1 >= 0.0 && options.beta_1 < 1.0)) {
    return core::InvalidArgument(std::string(name) + ": beta_1 must be in [0, 1), got " +
                                 std::to_string(options.beta_1));
  }
  if (!(options.beta_2 >= 0.0 && options.beta_2 < 1.0)) {
    return core::InvalidArgument(std::string(name) + ": beta_2 must be in [0, 1), got " +
                                 std::to_string(options.beta_2));
  }
  if (!(std::isfinite(options.epsilon) && options.epsilon >= 0)) {
    return core::InvalidArgument(std::string(name) + ": epsilon must be a finite number >= 0");
  }
  return Validate(
             OptimizerCommonOptions{options.learning_rate, options.weight_decay, options.clipping})
      .WithContext(name);
}

}  // namespace

AdamOptions AdamWOptions() {
  AdamOptions options;
  options.weight_decay = 0.004;
  return options;
}

core::Result<std::unique_ptr<Adam>> Adam::Create(AdamOptions options) {
  MODELHOST_RETURN_IF_ERROR(ValidateAdam(options, "Adam"));
  return std::make_unique<Adam>(PrivateTag{}, OptimizerKind::kAdam, std::move(options));
}

core::Result<std::unique_ptr<Adam>> Adam::CreateAdamW(AdamOptions options) {
  MODELHOST_RETURN_IF_ERROR(ValidateAdam(options, "AdamW"));
  if (options.weight_decay == 0.0) {
    return core::InvalidArgument("AdamW: weight_decay must be > 0 (use Adam for none)");
  }
  return std::make_unique<Adam>(PrivateTag{}, OptimizerKind::kAdamW, std::move(options));
}

Adam::Adam(PrivateTag, OptimizerKind kind, AdamOptions options)
    : Optimizer({options.learning_rate, options.weight_decay, options.clipping}),
      kind_(kind),
      options_(std::move(options)) {}

void Adam::ResizeState(size_t count) {
  first_moments_.assign(count, Matrix());
  second_moments_.assign(count, Matrix());
  max_second_moments_.assign(count, Matrix());
}

void Adam::CreateSlot(size_t slot, const Matrix& value) {
  first_moments_[slot] = Matrix(value.rows(), value.cols());
  second_moments_[slot] = Matrix(value.rows(), value.cols());
  if (options_.amsgrad) max_second_moments_[slot] = Matrix(value.rows(), value.cols());
}

void Adam::BeginStep(double learning_rate) {
  // Bias corrections in double: β₂ᵗ is 1 − 1e-3·t for small t, where float
  // would keep only a few digits of 1 − β₂ᵗ.
  const double step = static_cast<double>(iterations() + 1);
  const double beta_1_power = std::pow(options_.beta_1, step);
  const double beta_2_power = std::pow(options_.beta_2, step);
  step_alpha_ =
      static_cast<float>(learning_rate * std::sqrt(1.0 - beta_2_power) / (1.0 - beta_1_power));
}

void Adam::Update(size_t slot, Matrix& value, const Matrix& gradient, float /*learning_rate*/) {
  const float alpha = step_alpha_;
  const float one_minus_beta_1 = static_cast<float>(1.0 - options_.beta_1);
  const float one_minus_beta_2 = static_cast<float>(1.0 - options_.beta_2);
  const float epsilon = static_cast<float>(options_.epsilon);

  float* __restrict p = value.data();
  const float* __restrict g = gradient.data();
  float* __restrict m = first_moments_[slot].data();
  float* __restrict v = second_moments_[slot].data();
  const size_t size = value.size();
  if (options_.amsgrad) {
    float* __restrict v_hat = max_second_moments_[slot].data();
    for (size_t k = 0; k < size; ++k) {
      m[k] += (g[k] - m[k]) * one_minus_beta_1;
      v[k] += (g[k] * g[k] - v[k]) * one_minus_beta_2;
      v_hat[k] = std::max(v_hat[k], v[k]);
      p[k] -= (m[k] * alpha) / (std::sqrt(v_hat[k]) + epsilon);
    }
    return;
  }
  for (size_t k = 0; k < size; ++k) {
    m[k] += (g[k] - m[k]) * one_minus_beta_1;
    v[k] += (g[k] * g[k] - v[k]) * one_minus_beta_2;
    p[k] -= (m[k] * alpha) / (std::sqrt(v[k]) + epsilon);
  }
}

std::vector<std::pair<std::string_view, std::vector<Matrix>*>> Adam::StateSlots() {
  std::vector<std::pair<std::string_view, std::vector<Matrix>*>> slots = {{"m", &first_moments_},
                                                                          {"v", &second_moments_}};
  if (options_.amsgrad) slots.emplace_back("vhat", &max_second_moments_);
  return slots;
}

}  // namespace modelhost::nn
