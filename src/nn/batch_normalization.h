// BatchNormalization: normalizes each feature to zero mean and unit variance,
// then scales by gamma and shifts by beta — keras.layers.BatchNormalization
// on [batch, features] input (axis −1), with Keras's defaults and semantics:
//   training:  y = gamma · (x − μ_B) / √(σ²_B + ε) + beta, with the batch's
//              mean μ_B and biased variance σ²_B; then
//              moving_mean     ← momentum · moving_mean     + (1 − momentum) · μ_B
//              moving_variance ← momentum · moving_variance + (1 − momentum) · σ²_B
//              (Keras uses the biased batch variance here too; PyTorch does not).
//   inference: the same with moving_mean / moving_variance in place of μ_B, σ²_B.
// Parameters, in Keras's order: gamma (when scale), beta (when center),
// moving_mean and moving_variance — the last two non-trainable, so they are
// saved with the weights but never touched by an optimizer.
//
// Thread-safety: none (see layer.h). A training Forward updates the moving
// statistics.

#ifndef MODELHOST_NN_BATCH_NORMALIZATION_H_
#define MODELHOST_NN_BATCH_NORMALIZATION_H_

#include <string_view>
#include <vector>

#include "nn/initializer.h"
#include "nn/layer.h"

namespace modelhost::nn {

struct BatchNormalizationOptions {
  // Weight of the old value in the moving statistics. Default 0.99 (Keras).
  // Must be in [0, 1), as the network spec parser requires: 1 would freeze
  // the moving statistics at their initial values.
  float momentum = 0.99f;
  // Added to the variance before the square root. Default 1e-3 (Keras). Must be > 0.
  float epsilon = 1e-3f;
  // Whether to add the learned offset beta. Default true.
  bool center = true;
  // Whether to multiply by the learned scale gamma. Default true.
  bool scale = true;
  Initializer beta_initializer = Initializer::kZeros;            // Keras default
  Initializer gamma_initializer = Initializer::kOnes;            // Keras default
  Initializer moving_mean_initializer = Initializer::kZeros;     // Keras default
  Initializer moving_variance_initializer = Initializer::kOnes;  // Keras default
};

class BatchNormalization final : public Layer {
 public:
  explicit BatchNormalization(BatchNormalizationOptions options);

  std::string_view class_name() const override { return "BatchNormalization"; }
  size_t output_width() const override { return input_width(); }
  // gamma (if scale), beta (if center), moving_mean, moving_variance.
  std::vector<Parameter*> Parameters() override;

  // REQUIRES: built(). gamma() REQUIRES scale, beta() REQUIRES center.
  Parameter& gamma() { return gamma_; }
  Parameter& beta() { return beta_; }
  Parameter& moving_mean() { return moving_mean_; }
  Parameter& moving_variance() { return moving_variance_; }

 private:
  core::Status DoBuild(RandomGenerator* generator) override;
  core::Status DoForward(const Matrix& input, Matrix* output, bool training) override;
  void DoBackward(const Matrix& input, const Matrix& output, const Matrix& gradient,
                  bool gradient_is_pre_activation, Matrix* input_gradient) override;

  void ComputeBatchStatistics(const Matrix& input);
  void UpdateMovingStatistics();

  BatchNormalizationOptions options_;
  Parameter gamma_;
  Parameter beta_;
  Parameter moving_mean_;
  Parameter moving_variance_;
  // Per feature [1, width]: the statistics used by the last Forward and the
  // affine map y = x·multiplier + offset they fold into.
  Matrix mean_;
  Matrix variance_;
  Matrix inverse_stddev_;
  Matrix multiplier_;
  Matrix offset_;
  // (x − μ_B) / √(σ²_B + ε) of the last training Forward, for Backward.
  Matrix normalized_;
  // Backward's per-feature sums Σ dy and Σ dy·x̂ when there is no beta
  // (center false) or no gamma (scale false) to hold them.
  Matrix gradient_sum_;
  Matrix gradient_normalized_sum_;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_BATCH_NORMALIZATION_H_
