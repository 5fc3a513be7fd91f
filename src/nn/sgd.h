// Sgd: stochastic gradient descent, optionally with (Nesterov) momentum —
// keras.optimizers.SGD. With m the per-parameter velocity (zeros at first):
//   momentum == 0:  p ← p − lr·g
//   momentum > 0:   m ← momentum·m − lr·g;  p ← p + m
//   nesterov:       m ← momentum·m − lr·g;  p ← p + momentum·m − lr·g
// Full-batch gradient descent ("gd") is this same rule; what makes it "full
// batch" is that the trainer feeds it the gradient of the whole training set
// (batch size = number of rows), so each epoch is exactly one step.
//
// Thread-safety: as Optimizer (none).

#ifndef MODELHOST_NN_SGD_H_
#define MODELHOST_NN_SGD_H_

#include <memory>
#include <vector>

#include "core/result.h"
#include "nn/optimizer.h"

namespace modelhost::nn {

struct SgdOptions {
  // Keras default 0.01.
  LearningRateSchedule learning_rate = 0.01;
  // Velocity decay. Default 0 (no momentum, no state). REQUIRES: in [0, 1].
  double momentum = 0.0;
  // Nesterov momentum. Default false. Only meaningful with momentum > 0.
  bool nesterov = false;
  // Decoupled weight decay (OptimizerCommonOptions). Default 0 (none).
  double weight_decay = 0.0;
  GradientClipping clipping = {};
};

class Sgd final : public Optimizer {
 public:
  // InvalidArgument naming the field for an option out of range.
  static core::Result<std::unique_ptr<Sgd>> Create(SgdOptions options = {});

  OptimizerKind kind() const override { return OptimizerKind::kSgd; }
  const SgdOptions& options() const { return options_; }

 private:
  struct PrivateTag {};

 public:
  Sgd(PrivateTag, SgdOptions options);

 protected:
  void ResizeState(size_t count) override;
  void CreateSlot(size_t slot, const Matrix& value) override;
  void Update(size_t slot, Matrix& value, const Matrix& gradient, float learning_rate) override;
  std::vector<std::pair<std::string_view, std::vector<Matrix>*>> StateSlots() override;

 private:
  SgdOptions options_;
  std::vector<Matrix> velocities_;  // per position; empty when momentum == 0
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_SGD_H_
