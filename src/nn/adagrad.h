// Adagrad: per-coordinate learning rates scaled by the accumulated squared
// gradients — keras.optimizers.Adagrad. With a (initial_accumulator_value at
// first) the accumulator:
//   a ← a + g²;  p ← p − lr·g / sqrt(a + ε)
// (Keras puts ε inside the square root.)
//
// Thread-safety: as Optimizer (none).

#ifndef MODELHOST_NN_ADAGRAD_H_
#define MODELHOST_NN_ADAGRAD_H_

#include <memory>
#include <vector>

#include "core/result.h"
#include "nn/optimizer.h"

namespace modelhost::nn {

struct AdagradOptions {
  // Keras default 0.001.
  LearningRateSchedule learning_rate = 0.001;
  // Starting value of every accumulator. Keras default 0.1. REQUIRES: >= 0.
  double initial_accumulator_value = 0.1;
  // Keras default 1e-7. REQUIRES: >= 0.
  double epsilon = 1e-7;
  // Decoupled weight decay (OptimizerCommonOptions). Default 0 (none).
  double weight_decay = 0.0;
  GradientClipping clipping = {};
};

class Adagrad final : public Optimizer {
 public:
  // InvalidArgument naming the field for an option out of range.
  static core::Result<std::unique_ptr<Adagrad>> Create(AdagradOptions options = {});

  OptimizerKind kind() const override { return OptimizerKind::kAdagrad; }
  const AdagradOptions& options() const { return options_; }

 private:
  struct PrivateTag {};

 public:
  Adagrad(PrivateTag, AdagradOptions options);

 protected:
  void ResizeState(size_t count) override;
  void CreateSlot(size_t slot, const Matrix& value) override;
  void Update(size_t slot, Matrix& value, const Matrix& gradient, float learning_rate) override;
  std::vector<std::pair<std::string_view, std::vector<Matrix>*>> StateSlots() override;

 private:
  AdagradOptions options_;
  std::vector<Matrix> accumulators_;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_ADAGRAD_H_
