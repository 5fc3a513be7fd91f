// Adam and AdamW: adaptive moment estimation — keras.optimizers.Adam and
// keras.optimizers.AdamW. With m, v the first and second moments (zeros at
// first) and t = iterations() + 1:
//   m ← m + (1 − β₁)·(g − m)
//   v ← v + (1 − β₂)·(g² − v)
//   α = lr·sqrt(1 − β₂ᵗ) / (1 − β₁ᵗ)
//   amsgrad: v̂ ← max(v̂, v), and v̂ replaces v below
//   p ← p − α·m / (sqrt(v) + ε)
// ε is added to sqrt of the *uncorrected* v (Keras's placement, the "ε̂" of
// Kingma & Ba's section 2), which differs from PyTorch's sqrt(v̂_corrected) + ε.
// AdamW is Adam with decoupled weight decay p ← p − lr·wd·p applied before
// the rule (Loshchilov & Hutter), Keras default wd = 0.004.
//
// Thread-safety: as Optimizer (none).

#ifndef MODELHOST_NN_ADAM_H_
#define MODELHOST_NN_ADAM_H_

#include <memory>
#include <vector>

#include "core/result.h"
#include "nn/optimizer.h"

namespace modelhost::nn {

struct AdamOptions {
  // Keras default 0.001.
  LearningRateSchedule learning_rate = 0.001;
  // Decay of the first moment. Keras default 0.9. REQUIRES: in [0, 1).
  double beta_1 = 0.9;
  // Decay of the second moment. Keras default 0.999. REQUIRES: in [0, 1).
  double beta_2 = 0.999;
  // Keras default 1e-7. REQUIRES: >= 0.
  double epsilon = 1e-7;
  // Use the maximum of past second moments (Reddi et al.). Keras default false.
  bool amsgrad = false;
  // Decoupled weight decay (OptimizerCommonOptions). Default 0 for Adam; the
  // AdamW factory below defaults it to Keras's 0.004.
  double weight_decay = 0.0;
  GradientClipping clipping = {};
};

// AdamOptions with Keras AdamW's default weight_decay of 0.004.
AdamOptions AdamWOptions();

class Adam : public Optimizer {
 public:
  // InvalidArgument naming the field for an option out of range.
  static core::Result<std::unique_ptr<Adam>> Create(AdamOptions options = {});
  // The same rule reported as kAdamW; `options` normally come from
  // AdamWOptions(). InvalidArgument as Create, and when weight_decay is 0.
  static core::Result<std::unique_ptr<Adam>> CreateAdamW(AdamOptions options = AdamWOptions());

  OptimizerKind kind() const override { return kind_; }
  const AdamOptions& options() const { return options_; }

 private:
  struct PrivateTag {};

 public:
  Adam(PrivateTag, OptimizerKind kind, AdamOptions options);

 protected:
  void ResizeState(size_t count) override;
  void CreateSlot(size_t slot, const Matrix& value) override;
  // Computes this step's α (the bias-corrected rate) once for all parameters.
  void BeginStep(double learning_rate) override;
  void Update(size_t slot, Matrix& value, const Matrix& gradient, float learning_rate) override;
  std::vector<std::pair<std::string_view, std::vector<Matrix>*>> StateSlots() override;

 private:
  OptimizerKind kind_;
  AdamOptions options_;
  std::vector<Matrix> first_moments_;       // m
  std::vector<Matrix> second_moments_;      // v
  std::vector<Matrix> max_second_moments_;  // v̂; empty unless amsgrad
  // α = lr·sqrt(1 − β₂ᵗ) / (1 − β₁ᵗ) of the step in progress (BeginStep).
  float step_alpha_ = 0.0f;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_ADAM_H_
