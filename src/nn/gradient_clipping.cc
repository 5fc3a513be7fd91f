#include "nn/gradient_clipping.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "nn/kernels.h"

namespace modelhost::nn {
namespace {

core::Status ValidateBound(const char* field, const std::optional<double>& bound) {
  if (!bound.has_value() || (std::isfinite(*bound) && *bound > 0)) return core::OkStatus();
  return core::InvalidArgument(std::string(field) + " must be a finite number > 0, got " +
                               std::to_string(*bound));
}

}  // namespace

core::Status Validate(const GradientClipping& clipping) {
  MODELHOST_RETURN_IF_ERROR(ValidateBound("clipnorm", clipping.clipnorm));
  MODELHOST_RETURN_IF_ERROR(ValidateBound("global_clipnorm", clipping.global_clipnorm));
  MODELHOST_RETURN_IF_ERROR(ValidateBound("clipvalue", clipping.clipvalue));
  if (clipping.clipnorm.has_value() && clipping.global_clipnorm.has_value()) {
    return core::InvalidArgument("only one of clipnorm and global_clipnorm can be set");
  }
  return core::OkStatus();
}

void ClipByNorm(Matrix& gradient, double max_norm) {
  const double norm = std::sqrt(Dot(gradient, gradient));
  // Written as c / max(norm, c) rather than a branch so that a NaN norm
  // propagates (std::max keeps its first argument when comparing with NaN).
  const double factor = max_norm / std::max(norm, max_norm);
  if (factor != 1.0) Scale(static_cast<float>(factor), &gradient);
}

void ClipByValue(Matrix& gradient, double max_value) {
  const float bound = static_cast<float>(max_value);
  float* __restrict values = gradient.data();
  const size_t size = gradient.size();
  for (size_t index = 0; index < size; ++index) {
    values[index] = std::min(std::max(values[index], -bound), bound);
  }
}

double GlobalNorm(std::span<Parameter* const> parameters) {
  double sum = 0.0;
  for (const Parameter* parameter : parameters) {
    if (parameter->trainable) sum += Dot(parameter->gradient, parameter->gradient);
  }
  return std::sqrt(sum);
}

void ClipByGlobalNorm(std::span<Parameter* const> parameters, double max_norm) {
  const double norm = GlobalNorm(parameters);
  // Keras adds (norm − norm) to the factor so that an infinite norm, not just
  // a NaN one, poisons every gradient instead of silently zeroing them.
  const double factor = max_norm / std::max(norm, max_norm) + (norm - norm);
  if (factor == 1.0) return;
  for (Parameter* parameter : parameters) {
    if (parameter->trainable) Scale(static_cast<float>(factor), &parameter->gradient);
  }
}

void ClipGradients(const GradientClipping& clipping, std::span<Parameter* const> parameters) {
  if (clipping.clipnorm.has_value()) {
    for (Parameter* parameter : parameters) {
      if (parameter->trainable) ClipByNorm(parameter->gradient, *clipping.clipnorm);
    }
  } else if (clipping.global_clipnorm.has_value()) {
    ClipByGlobalNorm(parameters, *clipping.global_clipnorm);
  } else if (clipping.clipvalue.has_value()) {
    for (Parameter* parameter : parameters) {
      if (parameter->trainable) ClipByValue(parameter->gradient, *clipping.clipvalue);
    }
  }
}

}  // namespace modelhost::nn
