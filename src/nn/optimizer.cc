#include "nn/optimizer.h"

#include <cmath>
#include <new>
#include <string>

namespace modelhost::nn {
namespace {

std::string ShapeString(size_t rows, size_t cols) {
  return "[" + std::to_string(rows) + ", " + std::to_string(cols) + "]";
}

// p ← p − lr·wd·p, written as p·(1 − lr·wd)'s two-operand form Keras uses.
void ApplyWeightDecay(Matrix& value, float decay) {
  float* __restrict values = value.data();
  const size_t size = value.size();
  for (size_t index = 0; index < size; ++index) values[index] -= values[index] * decay;
}

}  // namespace

std::string_view ToString(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kSgd: return "SGD";
    case OptimizerKind::kAdagrad: return "Adagrad";
    case OptimizerKind::kRmsprop: return "RMSprop";
    case OptimizerKind::kAdam: return "Adam";
    case OptimizerKind::kAdamW: return "AdamW";
  }
  return "unknown";
}

core::Status Validate(const OptimizerCommonOptions& options) {
  MODELHOST_RETURN_IF_ERROR(Validate(options.learning_rate));
  if (!(std::isfinite(options.weight_decay) && options.weight_decay >= 0)) {
    return core::InvalidArgument("weight_decay must be a finite number >= 0, got " +
                                 std::to_string(options.weight_decay));
  }
  return Validate(options.clipping);
}

core::Status Optimizer::CheckParameters(std::span<Parameter* const> parameters) const {
  if (initialized_ && parameters.size() != shapes_.size()) {
    return core::FailedPrecondition(
        std::string(ToString(kind())) + ": step with " + std::to_string(parameters.size()) +
        " parameters, but the optimizer's state is for " + std::to_string(shapes_.size()));
  }
  for (size_t slot = 0; slot < parameters.size(); ++slot) {
    const Parameter& parameter = *parameters[slot];
    const Matrix& value = parameter.value;
    if (initialized_ &&
        (value.rows() != shapes_[slot].first || value.cols() != shapes_[slot].second)) {
      return core::FailedPrecondition(std::string(ToString(kind())) + ": parameter " +
                                      std::to_string(slot) + " \"" + parameter.name +
                                      "\" has shape " + ShapeString(value.rows(), value.cols()) +
                                      ", but the optimizer's state is for " +
                                      ShapeString(shapes_[slot].first, shapes_[slot].second));
    }
    if (parameter.trainable &&
        (parameter.gradient.rows() != value.rows() || parameter.gradient.cols() != value.cols())) {
      return core::InvalidArgument(
          std::string(ToString(kind())) + ": parameter \"" + parameter.name + "\" has value " +
          ShapeString(value.rows(), value.cols()) + " but gradient " +
          ShapeString(parameter.gradient.rows(), parameter.gradient.cols()));
    }
  }
  return core::OkStatus();
}

core::Status Optimizer::Step(std::span<Parameter* const> parameters) {
  MODELHOST_RETURN_IF_ERROR(CheckParameters(parameters));
  // All state is created before anything is updated, so that running out of
  // memory leaves the parameters as they were.
  try {
    if (!initialized_) {
      shapes_.clear();
      shapes_.reserve(parameters.size());
      for (const Parameter* parameter : parameters) {
        shapes_.emplace_back(parameter->value.rows(), parameter->value.cols());
      }
      slot_created_.assign(parameters.size(), false);
      ResizeState(parameters.size());
      initialized_ = true;
    }
    for (size_t slot = 0; slot < parameters.size(); ++slot) {
      if (!parameters[slot]->trainable || slot_created_[slot]) continue;
      CreateSlot(slot, parameters[slot]->value);
      slot_created_[slot] = true;
    }
  } catch (const std::bad_alloc&) {
    return core::ResourceExhausted(std::string(ToString(kind())) +
                                   ": out of memory for the optimizer's state");
  }
  ClipGradients(common_.clipping, parameters);
  const double learning_rate = current_learning_rate();
  const float decay = static_cast<float>(learning_rate * common_.weight_decay);
  BeginStep(learning_rate);
  for (size_t slot = 0; slot < parameters.size(); ++slot) {
    Parameter& parameter = *parameters[slot];
    if (!parameter.trainable) continue;
    if (decay != 0.0f) ApplyWeightDecay(parameter.value, decay);
    Update(slot, parameter.value, parameter.gradient, static_cast<float>(learning_rate));
  }
  ++iterations_;
  return core::OkStatus();
}

void Optimizer::Reset() {
  iterations_ = 0;
  initialized_ = false;
  shapes_.clear();
  slot_created_.clear();
  ResizeState(0);
}

}  // namespace modelhost::nn
