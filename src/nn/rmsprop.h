// Rmsprop: gradients scaled by a moving average of their squares —
// keras.optimizers.RMSprop. With v (zeros at first) the average of g², ḡ the
// average of g (centered only), m the momentum buffer (momentum > 0 only):
//   v ← ρ·v + (1 − ρ)·g²
//   centered:  ḡ ← ρ·ḡ + (1 − ρ)·g;  d = v − ḡ² + ε     otherwise d = v + ε
//   Δ = lr·g / sqrt(d)
//   momentum > 0:  m ← momentum·m + Δ;  p ← p − m       otherwise p ← p − Δ
// (Keras puts ε inside the square root.)
//
// Thread-safety: as Optimizer (none).

#ifndef MODELHOST_NN_RMSPROP_H_
#define MODELHOST_NN_RMSPROP_H_

#include <memory>
#include <vector>

#include "core/result.h"
#include "nn/optimizer.h"

namespace modelhost::nn {

struct RmspropOptions {
  // Keras default 0.001.
  LearningRateSchedule learning_rate = 0.001;
  // Decay of the moving averages. Keras default 0.9. REQUIRES: in [0, 1].
  double rho = 0.9;
  // Keras default 0 (no momentum buffer). REQUIRES: in [0, 1].
  double momentum = 0.0;
  // Keras default 1e-7. REQUIRES: >= 0.
  double epsilon = 1e-7;
  // Normalize by the estimated variance instead of the second moment.
  // Keras default false.
  bool centered = false;
  // Decoupled weight decay (OptimizerCommonOptions). Default 0 (none).
  double weight_decay = 0.0;
  GradientClipping clipping = {};
};

class Rmsprop final : public Optimizer {
 public:
  // InvalidArgument naming the field for an option out of range.
  static core::Result<std::unique_ptr<Rmsprop>> Create(RmspropOptions options = {});

  OptimizerKind kind() const override { return OptimizerKind::kRmsprop; }
  const RmspropOptions& options() const { return options_; }

 private:
  struct PrivateTag {};

 public:
  Rmsprop(PrivateTag, RmspropOptions options);

 protected:
  void ResizeState(size_t count) override;
  void CreateSlot(size_t slot, const Matrix& value) override;
  void Update(size_t slot, Matrix& value, const Matrix& gradient, float learning_rate) override;
  std::vector<std::pair<std::string_view, std::vector<Matrix>*>> StateSlots() override;

 private:
  RmspropOptions options_;
  std::vector<Matrix> velocities_;         // v
  std::vector<Matrix> average_gradients_;  // ḡ; empty unless centered
  std::vector<Matrix> momentums_;          // m; empty unless momentum > 0
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_RMSPROP_H_
