// LearningRateSchedule: the learning rate an optimizer uses at a given step,
// either a constant or one of Keras's schedules (keras.optimizers.schedules),
// with Keras's exact definitions. `step` is the optimizer's iteration counter
// before the update, so the first update uses the rate at step 0.
//
// A schedule is a std::variant of small value structs; assigning a plain
// number makes a constant rate (`options.learning_rate = 0.01;`).
//
// Thread-safety: value types; LearningRateAt is a pure function.

#ifndef MODELHOST_NN_LEARNING_RATE_SCHEDULE_H_
#define MODELHOST_NN_LEARNING_RATE_SCHEDULE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace modelhost::nn {

// keras.optimizers.schedules.ExponentialDecay:
//   rate(step) = initial_learning_rate * decay_rate ^ (step / decay_steps)
// with the exponent floored when `staircase` (a step schedule: the rate drops
// by decay_rate every decay_steps steps).
struct ExponentialDecay {
  // REQUIRES (Validate): > 0. No default in Keras; 0.01 here.
  double initial_learning_rate = 0.01;
  // REQUIRES (Validate): > 0.
  double decay_steps = 1000;
  // REQUIRES (Validate): > 0.
  double decay_rate = 0.96;
  bool staircase = false;
};

// keras.optimizers.schedules.CosineDecay, with optional linear warmup:
//   without warmup_target: s = min(step, decay_steps),
//     rate = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)
//   with warmup_target: s = min(step, warmup_steps + decay_steps);
//     s < warmup_steps: rate = initial + (warmup_target - initial) * s / warmup_steps
//     otherwise the cosine above from warmup_target over s - warmup_steps.
struct CosineDecay {
  // REQUIRES (Validate): finite, >= 0.
  double initial_learning_rate = 0.01;
  // REQUIRES (Validate): > 0.
  double decay_steps = 1000;
  // The floor, as a fraction of the rate decayed from. REQUIRES: in [0, 1].
  double alpha = 0.0;
  // When set, the rate ramps linearly from initial_learning_rate to this over
  // warmup_steps, then decays from it. REQUIRES (Validate): finite, >= 0.
  std::optional<double> warmup_target = std::nullopt;
  // REQUIRES (Validate): finite, >= 0. 0 with a warmup_target means no ramp:
  // the cosine decays from warmup_target from step 0 (as in Keras).
  double warmup_steps = 0;
};

// keras.optimizers.schedules.PiecewiseConstantDecay: values[0] while
// step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i],
// values.back() after the last boundary.
struct PiecewiseConstantDecay {
  // REQUIRES (Validate): strictly increasing.
  std::vector<double> boundaries = {};
  // REQUIRES (Validate): values.size() == boundaries.size() + 1, each finite
  // and >= 0.
  std::vector<double> values = {};
};

// A constant rate (double) or a schedule.
using LearningRateSchedule =
    std::variant<double, ExponentialDecay, CosineDecay, PiecewiseConstantDecay>;

// The rate at `step` (>= 0). REQUIRES: Validate(schedule).ok().
double LearningRateAt(const LearningRateSchedule& schedule, int64_t step);

// InvalidArgument naming the schedule and field when a REQUIRES above is not
// met or a number is not finite. Every learning rate a schedule can produce
// is >= 0 (a constant must be finite and >= 0): a negative rate would be
// gradient ascent.
core::Status Validate(const LearningRateSchedule& schedule);

// A value of a schedule config key (Keras config JSON values, converted by the
// caller: numbers as double, booleans as bool, strings as string, arrays of
// numbers as vector; null → omit the key).
using ScheduleConfigValue = std::variant<double, bool, std::string, std::vector<double>>;
using ScheduleConfig = std::map<std::string, ScheduleConfigValue, std::less<>>;

// Builds a schedule from a Keras schedule class name ("ExponentialDecay",
// "CosineDecay", "PiecewiseConstantDecay"; also snake_case) and its config
// keys (Keras's argument names; "name" is ignored). Unset keys keep the struct
// defaults above. InvalidArgument naming the class or key for an unknown
// class, an unknown key, a value of the wrong type, or a schedule that fails
// Validate.
core::Result<LearningRateSchedule> MakeLearningRateSchedule(std::string_view class_name,
                                                            const ScheduleConfig& config);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_LEARNING_RATE_SCHEDULE_H_
