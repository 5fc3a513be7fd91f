#include "nn/optimizer.h"

#include <algorithm>
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

std::vector<std::pair<std::string, Matrix*>> Optimizer::StateTensors() {
  std::vector<std::pair<std::string, Matrix*>> tensors;
  if (!initialized_) return tensors;
  for (const auto& [slot_name, states] : StateSlots()) {
    for (size_t slot = 0; slot < slot_created_.size(); ++slot) {
      if (!slot_created_[slot]) continue;
      tensors.emplace_back(std::to_string(slot) + "/" + std::string(slot_name), &(*states)[slot]);
    }
  }
  return tensors;
}

core::Status Optimizer::CheckState(
    std::span<Parameter* const> parameters, int64_t iterations,
    const std::map<std::string, const Matrix*, std::less<>>& tensors) const {
  const std::string kind_name(ToString(kind()));
  if (iterations < 0) {
    return core::InvalidArgument(kind_name + ": iteration count " + std::to_string(iterations) +
                                 " is negative");
  }
  // StateSlots only hands out the vectors' addresses; nothing is modified here.
  const auto slots = const_cast<Optimizer*>(this)->StateSlots();
  // No tensors: state not created yet, which a stateful rule only is before
  // its first step.
  const bool any_trainable = std::any_of(parameters.begin(), parameters.end(),
                                         [](const Parameter* p) { return p->trainable; });
  if (tensors.empty() && (iterations == 0 || slots.empty() || !any_trainable)) {
    return core::OkStatus();
  }
  size_t expected = 0;
  for (const auto& [slot_name, unused] : slots) {
    for (size_t slot = 0; slot < parameters.size(); ++slot) {
      const Parameter& parameter = *parameters[slot];
      if (!parameter.trainable) continue;
      ++expected;
      const std::string name = std::to_string(slot) + "/" + std::string(slot_name);
      const auto found = tensors.find(name);
      if (found == tensors.end()) {
        return core::InvalidArgument(kind_name + ": state tensor \"" + name + "\" (of \"" +
                                     parameter.name + "\") is missing");
      }
      const Matrix& value = *found->second;
      if (value.rows() != parameter.value.rows() || value.cols() != parameter.value.cols()) {
        return core::InvalidArgument(kind_name + ": state tensor \"" + name + "\" has shape " +
                                     ShapeString(value.rows(), value.cols()) + " but \"" +
                                     parameter.name + "\" has " +
                                     ShapeString(parameter.value.rows(), parameter.value.cols()));
      }
      for (size_t index = 0; index < value.size(); ++index) {
        if (!std::isfinite(value.data()[index])) {
          return core::DataLoss(kind_name + ": state tensor \"" + name + "\" element " +
                                std::to_string(index) + " is not finite");
        }
      }
    }
  }
  if (tensors.size() != expected) {
    for (const auto& [name, unused] : tensors) {
      const size_t slash = name.find('/');
      bool known = false;
      for (const auto& [slot_name, unused_states] : slots) {
        if (slash != std::string::npos && name.substr(slash + 1) == slot_name) {
          const std::string position = name.substr(0, slash);
          for (size_t slot = 0; slot < parameters.size(); ++slot) {
            if (parameters[slot]->trainable && std::to_string(slot) == position) known = true;
          }
        }
      }
      if (!known) {
        return core::InvalidArgument(kind_name + ": state tensor \"" + name +
                                     "\" matches no state of this optimizer");
      }
    }
  }
  return core::OkStatus();
}

core::Status Optimizer::ImportState(
    std::span<Parameter* const> parameters, int64_t iterations,
    const std::map<std::string, const Matrix*, std::less<>>& tensors) {
  MODELHOST_RETURN_IF_ERROR(CheckState(parameters, iterations, tensors));
  Reset();
  try {
    if (!tensors.empty()) {
      shapes_.reserve(parameters.size());
      for (const Parameter* parameter : parameters) {
        shapes_.emplace_back(parameter->value.rows(), parameter->value.cols());
      }
      slot_created_.assign(parameters.size(), false);
      ResizeState(parameters.size());
      initialized_ = true;
      for (size_t slot = 0; slot < parameters.size(); ++slot) {
        if (!parameters[slot]->trainable) continue;
        CreateSlot(slot, parameters[slot]->value);
        slot_created_[slot] = true;
      }
      for (const auto& [slot_name, states] : StateSlots()) {
        for (size_t slot = 0; slot < parameters.size(); ++slot) {
          if (!slot_created_[slot]) continue;
          (*states)[slot] =
              *tensors.find(std::to_string(slot) + "/" + std::string(slot_name))->second;
        }
      }
    }
  } catch (const std::bad_alloc&) {
    Reset();
    return core::ResourceExhausted(std::string(ToString(kind())) +
                                   ": out of memory importing the optimizer's state");
  }
  iterations_ = iterations;
  return core::OkStatus();
}

}  // namespace modelhost::nn
