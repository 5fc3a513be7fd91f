#include "nn/learning_rate_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <type_traits>
#include <utility>

#include "nn/keras_name.h"

namespace modelhost::nn {
namespace {

using core::InvalidArgument;
using core::Status;

Status RequirePositive(std::string_view schedule, std::string_view field, double value) {
  if (std::isfinite(value) && value > 0) return core::OkStatus();
  return InvalidArgument(std::string(schedule) + ": " + std::string(field) +
                         " must be a finite number > 0, got " + std::to_string(value));
}

Status RequireFinite(std::string_view schedule, std::string_view field, double value) {
  if (std::isfinite(value)) return core::OkStatus();
  return InvalidArgument(std::string(schedule) + ": " + std::string(field) + " must be finite");
}

// A learning rate (or a step count): a negative rate would climb the loss.
Status RequireNonNegative(std::string_view schedule, std::string_view field, double value) {
  if (std::isfinite(value) && value >= 0) return core::OkStatus();
  return InvalidArgument(std::string(schedule) + ": " + std::string(field) +
                         " must be a finite number >= 0, got " + std::to_string(value));
}

double CosineFrom(double from, double step, double decay_steps, double alpha) {
  const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * step / decay_steps));
  return from * ((1.0 - alpha) * cosine + alpha);
}

double RateAt(const CosineDecay& schedule, double step) {
  if (!schedule.warmup_target.has_value()) {
    step = std::min(step, schedule.decay_steps);
    return CosineFrom(schedule.initial_learning_rate, step, schedule.decay_steps, schedule.alpha);
  }
  const double target = *schedule.warmup_target;
  step = std::min(step, schedule.decay_steps + schedule.warmup_steps);
  if (step < schedule.warmup_steps) {
    return (target - schedule.initial_learning_rate) * (step / schedule.warmup_steps) +
           schedule.initial_learning_rate;
  }
  return CosineFrom(target, step - schedule.warmup_steps, schedule.decay_steps, schedule.alpha);
}

double RateAt(const PiecewiseConstantDecay& schedule, double step) {
  // The first boundary that the step has not passed selects the value.
  const auto boundary =
      std::lower_bound(schedule.boundaries.begin(), schedule.boundaries.end(), step);
  return schedule.values[static_cast<size_t>(boundary - schedule.boundaries.begin())];
}

Status ValidateOne(double constant) {
  if (std::isfinite(constant) && constant >= 0) return core::OkStatus();
  return InvalidArgument("learning_rate must be a finite number >= 0, got " +
                         std::to_string(constant));
}

Status ValidateOne(const ExponentialDecay& schedule) {
  MODELHOST_RETURN_IF_ERROR(
      RequirePositive("ExponentialDecay", "initial_learning_rate", schedule.initial_learning_rate));
  MODELHOST_RETURN_IF_ERROR(
      RequirePositive("ExponentialDecay", "decay_steps", schedule.decay_steps));
  return RequirePositive("ExponentialDecay", "decay_rate", schedule.decay_rate);
}

Status ValidateOne(const CosineDecay& schedule) {
  MODELHOST_RETURN_IF_ERROR(
      RequireNonNegative("CosineDecay", "initial_learning_rate", schedule.initial_learning_rate));
  MODELHOST_RETURN_IF_ERROR(RequirePositive("CosineDecay", "decay_steps", schedule.decay_steps));
  if (!(schedule.alpha >= 0 && schedule.alpha <= 1)) {
    return InvalidArgument("CosineDecay: alpha must be in [0, 1]");
  }
  if (schedule.warmup_target.has_value()) {
    MODELHOST_RETURN_IF_ERROR(
        RequireNonNegative("CosineDecay", "warmup_target", *schedule.warmup_target));
  }
  // warmup_steps 0 with a warmup_target is valid, as in Keras: no ramp, the
  // cosine decays from warmup_target from the first step (RateAt never
  // divides by warmup_steps then).
  return RequireNonNegative("CosineDecay", "warmup_steps", schedule.warmup_steps);
}

Status ValidateOne(const PiecewiseConstantDecay& schedule) {
  if (schedule.values.size() != schedule.boundaries.size() + 1) {
    return InvalidArgument("PiecewiseConstantDecay: needs one more value than boundaries, got " +
                           std::to_string(schedule.boundaries.size()) + " boundaries and " +
                           std::to_string(schedule.values.size()) + " values");
  }
  for (size_t index = 0; index < schedule.boundaries.size(); ++index) {
    MODELHOST_RETURN_IF_ERROR(
        RequireFinite("PiecewiseConstantDecay", "boundaries", schedule.boundaries[index]));
    if (index > 0 && !(schedule.boundaries[index] > schedule.boundaries[index - 1])) {
      return InvalidArgument("PiecewiseConstantDecay: boundaries must be strictly increasing");
    }
  }
  for (double value : schedule.values) {
    MODELHOST_RETURN_IF_ERROR(RequireNonNegative("PiecewiseConstantDecay", "values", value));
  }
  return core::OkStatus();
}

// Copies config[key] into *out when present; InvalidArgument on a type mismatch.
template <typename T>
Status Take(std::string_view schedule, const ScheduleConfig& config, std::string_view key, T* out) {
  const auto found = config.find(key);
  if (found == config.end()) return core::OkStatus();
  const T* value = std::get_if<T>(&found->second);
  if (value == nullptr) {
    return InvalidArgument(std::string(schedule) + ": config key \"" + std::string(key) +
                           "\" has the wrong type");
  }
  *out = *value;
  return core::OkStatus();
}

Status RejectUnknownKeys(std::string_view schedule, const ScheduleConfig& config,
                         std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : config) {
    if (key == "name") continue;
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return InvalidArgument(std::string(schedule) + ": unknown config key \"" + key + "\"");
    }
  }
  return core::OkStatus();
}

core::Result<LearningRateSchedule> MakeExponentialDecay(const ScheduleConfig& config) {
  constexpr std::string_view kName = "ExponentialDecay";
  MODELHOST_RETURN_IF_ERROR(RejectUnknownKeys(
      kName, config, {"initial_learning_rate", "decay_steps", "decay_rate", "staircase"}));
  ExponentialDecay schedule;
  MODELHOST_RETURN_IF_ERROR(
      Take(kName, config, "initial_learning_rate", &schedule.initial_learning_rate));
  MODELHOST_RETURN_IF_ERROR(Take(kName, config, "decay_steps", &schedule.decay_steps));
  MODELHOST_RETURN_IF_ERROR(Take(kName, config, "decay_rate", &schedule.decay_rate));
  MODELHOST_RETURN_IF_ERROR(Take(kName, config, "staircase", &schedule.staircase));
  return LearningRateSchedule(schedule);
}

core::Result<LearningRateSchedule> MakeCosineDecay(const ScheduleConfig& config) {
  constexpr std::string_view kName = "CosineDecay";
  MODELHOST_RETURN_IF_ERROR(RejectUnknownKeys(
      kName, config,
      {"initial_learning_rate", "decay_steps", "alpha", "warmup_target", "warmup_steps"}));
  CosineDecay schedule;
  MODELHOST_RETURN_IF_ERROR(
      Take(kName, config, "initial_learning_rate", &schedule.initial_learning_rate));
  MODELHOST_RETURN_IF_ERROR(Take(kName, config, "decay_steps", &schedule.decay_steps));
  MODELHOST_RETURN_IF_ERROR(Take(kName, config, "alpha", &schedule.alpha));
  if (config.contains("warmup_target")) {
    double target = 0;
    MODELHOST_RETURN_IF_ERROR(Take(kName, config, "warmup_target", &target));
    schedule.warmup_target = target;
  }
  MODELHOST_RETURN_IF_ERROR(Take(kName, config, "warmup_steps", &schedule.warmup_steps));
  return LearningRateSchedule(schedule);
}

core::Result<LearningRateSchedule> MakePiecewiseConstantDecay(const ScheduleConfig& config) {
  constexpr std::string_view kName = "PiecewiseConstantDecay";
  MODELHOST_RETURN_IF_ERROR(RejectUnknownKeys(kName, config, {"boundaries", "values"}));
  PiecewiseConstantDecay schedule;
  MODELHOST_RETURN_IF_ERROR(Take(kName, config, "boundaries", &schedule.boundaries));
  MODELHOST_RETURN_IF_ERROR(Take(kName, config, "values", &schedule.values));
  return LearningRateSchedule(std::move(schedule));
}

}  // namespace

double LearningRateAt(const LearningRateSchedule& schedule, int64_t step) {
  const double at = static_cast<double>(step);
  return std::visit(
      [at](const auto& alternative) -> double {
        using T = std::decay_t<decltype(alternative)>;
        if constexpr (std::is_same_v<T, double>) {
          return alternative;
        } else if constexpr (std::is_same_v<T, ExponentialDecay>) {
          double exponent = at / alternative.decay_steps;
          if (alternative.staircase) exponent = std::floor(exponent);
          return alternative.initial_learning_rate * std::pow(alternative.decay_rate, exponent);
        } else {
          return RateAt(alternative, at);
        }
      },
      schedule);
}

core::Status Validate(const LearningRateSchedule& schedule) {
  return std::visit([](const auto& alternative) { return ValidateOne(alternative); }, schedule);
}

core::Result<LearningRateSchedule> MakeLearningRateSchedule(std::string_view class_name,
                                                            const ScheduleConfig& config) {
  const std::string normalized = KerasNameKey(class_name);
  core::Result<LearningRateSchedule> schedule =
      InvalidArgument("unknown learning rate schedule \"" + std::string(class_name) +
                      "\" (known: ExponentialDecay, CosineDecay, PiecewiseConstantDecay)");
  if (normalized == "exponentialdecay") {
    schedule = MakeExponentialDecay(config);
  } else if (normalized == "cosinedecay") {
    schedule = MakeCosineDecay(config);
  } else if (normalized == "piecewiseconstantdecay") {
    schedule = MakePiecewiseConstantDecay(config);
  }
  if (!schedule.ok()) return schedule;
  MODELHOST_RETURN_IF_ERROR(Validate(*schedule));
  return schedule;
}

}  // namespace modelhost::nn
