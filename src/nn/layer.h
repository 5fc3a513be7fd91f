// Layer: one stage of a Sequential network — it maps a [batch, input_width]
// matrix to a [batch, output_width()] matrix (Forward) and, given the
// gradient of the loss with respect to its output, writes the gradient with
// respect to its input and to each of its Parameters (Backward).
//
// Life cycle: construct with options → (optionally) set_name → Build, which
// fixes the input width and initializes the weights from a seeded generator →
// any number of Forward / Backward steps. Forward keeps pointers to its input
// and output for the Backward that follows, and keeps every intermediate
// (pre-activations, masks, normalized values) in member matrices that are
// resized, never reallocated once the batch size has been seen: after the
// first step at a given batch size, Forward and Backward do not allocate.
//
// Errors the caller can cause (a wrong input width, Backward before Forward)
// come back as Status values whose message starts with the layer's name:
// "dense_1: expected 8 input features, got 7".
//
// Fusing the last activation with the loss: a layer that ends in an
// activation (Dense(…, activation), Activation) reports it through
// output_activation() and exposes the values before it through
// pre_activation(); BackwardFromPreActivation() then accepts the gradient with
// respect to those values, skipping the activation's own derivative. loss.h
// explains how a Sequential uses this for sigmoid + binary_crossentropy and
// softmax + categorical_crossentropy.
//
// Thread-safety: none. A layer is used by one training or inference step at
// a time; Forward mutates caches even with training=false.

#ifndef MODELHOST_NN_LAYER_H_
#define MODELHOST_NN_LAYER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "nn/activation.h"
#include "nn/matrix.h"
#include "nn/parameter.h"
#include "nn/random_generator.h"

namespace modelhost::nn {

// The widest a layer's input or output may be (features, units): 2²⁰. Wider
// is an InvalidArgument from Build and from the network spec parser, so that
// a typo such as {"dense": 3000000000} is reported rather than allocated.
inline constexpr size_t kMaxLayerWidth = size_t{1} << 20;

// The most values one layer's Parameters may hold together: 2²⁸ (1 GiB of
// float32, plus as much again for the gradients). More is a ResourceExhausted
// from Build, before anything is allocated.
inline constexpr size_t kMaxLayerParameterValues = size_t{1} << 28;

class Layer {
 public:
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // The Keras class name used in a network config: "Dense", "Dropout",
  // "BatchNormalization", "Activation".
  virtual std::string_view class_name() const = 0;

  // The layer's name, unique within a model ("dense", "dense_1"); Parameters
  // are named "<name>/<parameter>" ("dense_1/kernel").
  const std::string& name() const { return name_; }
  // Renames the layer and its Parameters. May be called before or after Build.
  void set_name(std::string name);

  // Fixes the input width, creates the Parameters and initializes them,
  // drawing from *generator in a fixed order (so one seed gives one set of
  // weights). Errors: InvalidArgument for input_width == 0 or
  // > kMaxLayerWidth, or invalid options (units == 0 or > kMaxLayerWidth,
  // dropout rate outside [0, 1)); ResourceExhausted when the parameters would
  // exceed kMaxLayerParameterValues or cannot be allocated;
  // FailedPrecondition when already built. The generator is only used during
  // the call.
  core::Status Build(size_t input_width, RandomGenerator* generator);
  bool built() const { return built_; }
  // REQUIRES: built().
  size_t input_width() const { return input_width_; }
  virtual size_t output_width() const = 0;

  // Computes the layer's output for `input` into *output, resizing it to
  // [input.rows(), output_width()]. training selects training behaviour
  // (Dropout drops, BatchNormalization uses and updates batch statistics).
  // The layer keeps &input and output until the next Forward: a Backward
  // REQUIRES both to be alive and unchanged. REQUIRES: output != &input.
  // Errors: FailedPrecondition before Build; InvalidArgument when
  // input.cols() != input_width(); ResourceExhausted when the output or a
  // cache cannot be allocated (the batch is too large for memory).
  core::Status Forward(const Matrix& input, Matrix* output, bool training);

  // Given dL/d(output) of the last Forward, overwrites the gradient of every
  // trainable Parameter (including regularization terms) and, when
  // input_gradient is not null, writes dL/d(input) into it (resized to the
  // input's shape). Pass null for the first layer to skip that product.
  // REQUIRES: input_gradient != &output_gradient.
  // Errors: FailedPrecondition unless the last Forward had training=true;
  // InvalidArgument when output_gradient is not [batch, output_width()];
  // ResourceExhausted when input_gradient cannot be allocated (gradients are
  // then partly written).
  core::Status Backward(const Matrix& output_gradient, Matrix* input_gradient);

  // The activation this layer applies last (linear when it has none).
  virtual ActivationFunction output_activation() const { return {}; }

  // The values the final activation was applied to in the last Forward (for
  // Dense: input·kernel + bias); for a layer whose output_activation() is
  // linear, the output itself. REQUIRES: a Forward happened.
  virtual const Matrix& pre_activation() const { return *last_output_; }

  // Backward, except that the given gradient is dL/d(pre_activation()): the
  // final activation's derivative is not applied (a fused loss already did).
  // Same errors and effects as Backward.
  core::Status BackwardFromPreActivation(const Matrix& pre_activation_gradient,
                                         Matrix* input_gradient);

  // The layer's Parameters in a stable order (trainable and not). Pointers
  // stay valid for the layer's lifetime once built. Allocates the vector:
  // call once when setting up an optimizer or a weights file, not per step.
  virtual std::vector<Parameter*> Parameters() = 0;

  // The regularization penalty this layer adds to the loss (for Dense:
  // λ₁·Σ|w| + λ₂·Σw² over the kernel). Its gradient is included by Backward.
  virtual float RegularizationLoss() const { return 0.0f; }

 protected:
  // default_name: the Keras snake_case of the class ("dense").
  explicit Layer(std::string default_name) : name_(std::move(default_name)) {}

  // Subclass hooks, called by the public methods after they validated state
  // and shapes. DoBuild sees input_width() already set; DoForward's output is
  // not yet resized; DoBackward receives the matrices of the last Forward and
  // whether `gradient` is with respect to pre_activation() (true) or the
  // output (false); input_gradient may be null.
  virtual core::Status DoBuild(RandomGenerator* generator) = 0;
  virtual core::Status DoForward(const Matrix& input, Matrix* output, bool training) = 0;
  virtual void DoBackward(const Matrix& input, const Matrix& output, const Matrix& gradient,
                          bool gradient_is_pre_activation, Matrix* input_gradient) = 0;

  // The input and output of the last Forward (null before one).
  const Matrix* last_input() const { return last_input_; }
  const Matrix* last_output() const { return last_output_; }

 private:
  core::Status BackwardChecked(const Matrix& gradient, bool gradient_is_pre_activation,
                               Matrix* input_gradient);

  std::string name_;
  size_t input_width_ = 0;
  bool built_ = false;
  bool last_forward_was_training_ = false;
  const Matrix* last_input_ = nullptr;
  const Matrix* last_output_ = nullptr;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_LAYER_H_
