// Optimizer: the rule that turns the gradients of a training step into
// updates of the parameters (Keras's keras.optimizers). Implementations:
// Sgd (plain, momentum, Nesterov; also "gd"), Adagrad, Rmsprop, Adam, AdamW,
// each following Keras 3's update rule and defaults exactly (the formulas are
// in docs/design/nn.md, "Optimizers").
//
// An optimizer keeps state (moments, accumulators) for each parameter, keyed
// by the parameter's position in the list given to Step: the list must be the
// same, in the same order, at every step. State is created the first time a
// position is updated; after that a step allocates nothing.
//
// Thread-safety: not thread-safe; one training loop owns an optimizer and the
// parameters it updates.

#ifndef MODELHOST_NN_OPTIMIZER_H_
#define MODELHOST_NN_OPTIMIZER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "nn/gradient_clipping.h"
#include "nn/learning_rate_schedule.h"
#include "nn/matrix.h"
#include "nn/parameter.h"

namespace modelhost::nn {

enum class OptimizerKind { kSgd, kAdagrad, kRmsprop, kAdam, kAdamW };

// Keras's class name: "SGD", "Adagrad", "RMSprop", "Adam", "AdamW".
std::string_view ToString(OptimizerKind kind);

// What every optimizer accepts besides its own hyper-parameters (Keras's
// base-optimizer arguments).
struct OptimizerCommonOptions {
  LearningRateSchedule learning_rate = 0.001;
  // Decoupled weight decay: before the update, p ← p − lr·weight_decay·p on
  // every trainable parameter (Keras 3's `weight_decay`, for all optimizers).
  // 0 = none. REQUIRES: finite, >= 0.
  double weight_decay = 0.0;
  GradientClipping clipping = {};
};

// InvalidArgument naming the field when the learning rate (schedule),
// weight_decay or clipping is out of range.
core::Status Validate(const OptimizerCommonOptions& options);

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual OptimizerKind kind() const = 0;

  // Applies one update to the trainable parameters, in Keras's order:
  //   1. clip the gradients (GradientClipping; gradients are modified in place),
  //   2. decoupled weight decay, when weight_decay > 0,
  //   3. the optimizer's rule with lr = LearningRateAt(schedule, iterations()),
  // then increments iterations(). Non-trainable parameters are left alone
  // (their positions still count). The first call records the list's length
  // and shapes and creates state; later calls allocate nothing.
  // Errors, with nothing modified: InvalidArgument when a trainable
  // parameter's gradient shape differs from its value's; FailedPrecondition
  // when the list's length or a parameter's shape differs from the first call;
  // ResourceExhausted when the state cannot be allocated.
  core::Status Step(std::span<Parameter* const> parameters);

  // Number of completed steps (Keras's `optimizer.iterations`).
  int64_t iterations() const { return iterations_; }
  // The learning rate the next Step will use (before weight decay).
  double current_learning_rate() const {
    return LearningRateAt(common_.learning_rate, iterations_);
  }
  const OptimizerCommonOptions& common_options() const { return common_; }

  // Forgets all state and the recorded parameter list; iterations() becomes 0.
  void Reset();

  // The per-parameter state as named tensors, for checkpoints:
  // "<position>/<slot>" for each position whose state exists, e.g. "3/m",
  // "3/v", "3/vhat" (Adam; vhat only with amsgrad), "0/velocity" (SGD with
  // momentum), "0/accumulator" (Adagrad), "0/velocity", "0/average_gradient",
  // "0/momentum" (RMSprop, the last two only when centered / momentum > 0).
  // Empty before the first Step and for rules without state (plain SGD).
  // Each tensor has its parameter's shape. Pointers stay valid until the next
  // Step, Reset or ImportState.
  std::vector<std::pair<std::string, Matrix*>> StateTensors();

  // Whether ImportState(parameters, iterations, tensors) would succeed;
  // modifies nothing. `tensors` must be exactly what StateTensors() of an
  // optimizer of this kind and options, stepped with a list shaped like
  // `parameters`, returned: every name present, none extra, shapes equal to
  // the parameters', values finite — or empty (state not created yet), which
  // is only valid with iterations == 0 unless the rule keeps no state.
  // Errors: InvalidArgument naming the optimizer and the first tensor at
  // fault (missing, unexpected, wrong shape) or a negative iteration count;
  // DataLoss naming the tensor and element for a NaN or infinite value.
  core::Status CheckState(std::span<Parameter* const> parameters, int64_t iterations,
                          const std::map<std::string, const Matrix*, std::less<>>& tensors) const;

  // Replaces all state with the given one (see CheckState), as if this
  // optimizer had taken `iterations` steps with `parameters`; the next Step
  // continues exactly where the exporting optimizer stopped. Errors of
  // CheckState with nothing modified; ResourceExhausted (state then Reset)
  // when the state cannot be allocated.
  core::Status ImportState(std::span<Parameter* const> parameters, int64_t iterations,
                           const std::map<std::string, const Matrix*, std::less<>>& tensors);

 protected:
  explicit Optimizer(OptimizerCommonOptions common) : common_(std::move(common)) {}

  // Called once per Step-list, before any CreateSlot: make room for
  // `count` positions of state (all empty).
  virtual void ResizeState(size_t count) = 0;
  // Creates the state of position `slot` for a parameter shaped like `value`.
  virtual void CreateSlot(size_t slot, const Matrix& value) = 0;
  // Called once per Step, after clipping and before the first Update, with
  // that step's learning rate: the place for work shared by every parameter
  // (Adam's bias corrections), rather than repeating it per Update.
  // iterations() is still the count before this step. Default: nothing.
  virtual void BeginStep(double learning_rate) { (void)learning_rate; }
  // The rule: updates `value` from `gradient` (same shape) with this step's
  // learning rate. iterations() is still the count before this step.
  virtual void Update(size_t slot, Matrix& value, const Matrix& gradient, float learning_rate) = 0;
  // The implementation's per-position state vectors by slot name ("m", "v",
  // …), only those its options use — the vectors ResizeState sizes and
  // CreateSlot fills. Must not depend on whether state exists yet.
  virtual std::vector<std::pair<std::string_view, std::vector<Matrix>*>> StateSlots() = 0;

 private:
  core::Status CheckParameters(std::span<Parameter* const> parameters) const;

  OptimizerCommonOptions common_;
  int64_t iterations_ = 0;
  bool initialized_ = false;
  // Per position: the value's shape recorded by the first Step, and whether
  // its state exists (state is created on the position's first update).
  std::vector<std::pair<size_t, size_t>> shapes_;
  std::vector<bool> slot_created_;
};

// A config value as a Keras optimizer config holds it once converted from
// JSON: numbers as double, booleans as bool, strings as string, and a
// learning-rate schedule object (built with MakeLearningRateSchedule) for
// "learning_rate". JSON null → omit the key.
using OptimizerConfigValue = std::variant<double, bool, std::string, LearningRateSchedule>;
using OptimizerConfig = std::map<std::string, OptimizerConfigValue, std::less<>>;

// Builds an optimizer from a name and Keras-style config keys; unset keys keep
// the defaults of the optimizer's Options struct (Keras's defaults).
// Names (case and underscores ignored): "sgd", "gd" (the same rule as sgd:
// full-batch gradient descent differs only in the batch size the trainer
// uses), "momentum" (sgd, momentum 0.9), "nesterov" (sgd, momentum 0.9,
// nesterov), "adagrad", "rmsprop", "adam", "adamw" — so Keras's "Adam" or
// {"class_name": "Adam", "config": {...}} map directly.
// Keys: the optimizer's own hyper-parameters under Keras's names, plus
// learning_rate, weight_decay, clipnorm, global_clipnorm, clipvalue; "name",
// "jit_compile", "is_legacy_optimizer", "ema_momentum" and
// "ema_overwrite_frequency" are accepted and ignored; "use_ema" must be false.
// InvalidArgument naming the optimizer and key for an unknown name, an
// unknown or unsupported key, a value of the wrong type, or an out-of-range
// value.
core::Result<std::unique_ptr<Optimizer>> MakeOptimizer(std::string_view name,
                                                       const OptimizerConfig& config = {});

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_OPTIMIZER_H_
