// Sequential: a stack of layers built from a NetworkSpec — the network of a
// Keras Sequential model — with one training step (forward, loss, backward)
// and prediction.
//
// The final activation is fused with a cross-entropy loss (see loss.h): a
// sigmoid output trained with binary_crossentropy takes its gradient from the
// logits, so training is exact where the probabilities saturate, while
// Predict still returns probabilities.
//
// Every buffer a step needs (activations, gradients) is a member, sized on
// the first step of a batch size and reused afterwards: a training step
// allocates nothing once warm.
//
// Thread-safety: TrainStep needs exclusive access. Predict may be called
// concurrently from several threads; calls are serialized internally (the
// layers keep per-call state), so concurrent callers are safe, not parallel.

#ifndef MODELHOST_NN_SEQUENTIAL_H_
#define MODELHOST_NN_SEQUENTIAL_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "core/result.h"
#include "nn/layer.h"
#include "nn/loss.h"
#include "nn/matrix.h"
#include "nn/network_spec.h"
#include "nn/optimizer.h"

namespace modelhost::nn {

class Sequential {
 public:
  // Builds the layers of `spec` for `input_width` features, initializing the
  // weights from `seed` (same spec, width and seed → bit-identical weights).
  // Each layer draws from its own stream forked from `seed`, or from the seed
  // its spec names (kernel initializer's, else bias initializer's), so one
  // layer's seed or size never changes another layer's initial weights.
  // Errors: InvalidArgument for a spec without layers, naming the layer for
  // an unknown activation or initializer, or when the spec states an input
  // width other than `input_width`.
  static core::Result<std::unique_ptr<Sequential>> Create(const NetworkSpec& spec,
                                                          size_t input_width, uint64_t seed);

  Sequential(const Sequential&) = delete;
  Sequential& operator=(const Sequential&) = delete;

  size_t input_width() const { return input_width_; }
  size_t output_width() const { return layers_.back()->output_width(); }
  const NetworkSpec& spec() const { return spec_; }

  // Every Parameter of every layer in layer order (trainable and not) — the
  // list optimizers step and weights files save. Pointers live as long as
  // this object.
  std::span<Parameter* const> parameters() const { return parameters_; }

  struct StepResult {
    // The batch loss including regularization penalties.
    float loss = 0.0f;
    // False when the loss or a gradient was NaN or infinite; the optimizer
    // was then not stepped, so the weights are those before the batch
    // (BatchNormalization's moving statistics may have taken the batch in).
    bool finite = true;
  };

  // One optimization step on a batch: forward in training mode, `loss`
  // (fused with the last activation when possible), backward, optimizer
  // update. `sample_weights` is empty or one weight per row. The network
  // outputs of this step (probabilities) are left in last_output() for metrics.
  // Errors: InvalidArgument for shape mismatches (naming the layer or loss);
  // FailedPrecondition if the optimizer was used with other parameters;
  // ResourceExhausted when the batch's buffers cannot be allocated.
  core::Result<StepResult> TrainStep(const Matrix& features, const Matrix& targets,
                                     std::span<const float> sample_weights, const Loss& loss,
                                     Optimizer& optimizer);
  const Matrix& last_output() const { return activations_.back(); }

  // The sum of the layers' regularization penalties for the current weights
  // (part of the training loss; Evaluate adds it too, as Keras does).
  float RegularizationLoss() const;

  // The network's outputs for `features` (inference mode: no dropout,
  // BatchNormalization's moving statistics) into *output.
  // Logically const; thread-safe (serialized), see the header comment.
  // Errors: InvalidArgument when features.cols() != input_width().
  core::Status Predict(const Matrix& features, Matrix* output);

  // Predict, and the loss of those outputs against `targets` computed as
  // TrainStep computes it: from the logits when the last activation fuses
  // with `loss` (as Keras's evaluate does too), so a saturated output is not
  // clipped to 1e-7. Excludes the regularization penalty. Thread-safe like
  // Predict. Errors: Predict's and Loss::Compute's.
  core::Result<float> PredictWithLoss(const Matrix& features, const Matrix& targets,
                                      const Loss& loss, Matrix* output);

 private:
  Sequential() = default;
  core::Status Forward(const Matrix& features, bool training, std::vector<Matrix>* activations);
  bool GradientsFinite() const;
  // Predict with predict_mutex_ already held.
  core::Status PredictLocked(const Matrix& features, Matrix* output);
  // Whether the last layer's activation is fused with `loss` (loss.h).
  bool FusesWith(const Loss& loss) const;
  core::Result<StepResult> TrainStepUnguarded(const Matrix& features, const Matrix& targets,
                                              std::span<const float> sample_weights,
                                              const Loss& loss, Optimizer& optimizer);

  NetworkSpec spec_;
  size_t input_width_ = 0;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<Parameter*> parameters_;
  // activations_[i] is layer i's output; gradients_[i] is dLoss/d(activations_[i]).
  std::vector<Matrix> activations_;
  std::vector<Matrix> gradients_;
  Matrix loss_gradient_;
  // Serializes Predict: layers hold per-call caches.
  std::mutex predict_mutex_;
  std::vector<Matrix> predict_activations_;  // guarded by predict_mutex_
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_SEQUENTIAL_H_
