#include "nn/sequential.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>

#include "nn/activation_layer.h"
#include "nn/batch_normalization.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/initializer.h"

namespace modelhost::nn {
namespace {

core::Result<ActivationFunction> MakeActivation(const std::string& name) {
  MODELHOST_ASSIGN_OR_RETURN(Activation kind, ParseActivation(name));
  return ActivationFunction::Of(kind);
}

core::Result<std::unique_ptr<Layer>> MakeLayer(const LayerSpec& spec) {
  struct Visitor {
    core::Result<std::unique_ptr<Layer>> operator()(const DenseSpec& dense) const {
      DenseOptions options;
      options.units = static_cast<size_t>(dense.units);
      MODELHOST_ASSIGN_OR_RETURN(options.activation, MakeActivation(dense.activation));
      options.use_bias = dense.use_bias;
      MODELHOST_ASSIGN_OR_RETURN(options.kernel_initializer,
                                 ParseInitializer(dense.kernel_initializer.name));
      MODELHOST_ASSIGN_OR_RETURN(options.bias_initializer,
                                 ParseInitializer(dense.bias_initializer.name));
      options.kernel_regularizer.l1 = static_cast<float>(dense.kernel_l1);
      options.kernel_regularizer.l2 = static_cast<float>(dense.kernel_l2);
      return std::unique_ptr<Layer>(std::make_unique<Dense>(options));
    }
    core::Result<std::unique_ptr<Layer>> operator()(const DropoutSpec& dropout) const {
      return std::unique_ptr<Layer>(std::make_unique<Dropout>(
          DropoutOptions{static_cast<float>(dropout.rate), dropout.seed}));
    }
    core::Result<std::unique_ptr<Layer>> operator()(const BatchNormalizationSpec& norm) const {
      BatchNormalizationOptions options;
      options.momentum = static_cast<float>(norm.momentum);
      options.epsilon = static_cast<float>(norm.epsilon);
      options.center = norm.center;
      options.scale = norm.scale;
      return std::unique_ptr<Layer>(std::make_unique<BatchNormalization>(options));
    }
    core::Result<std::unique_ptr<Layer>> operator()(const ActivationSpec& activation) const {
      MODELHOST_ASSIGN_OR_RETURN(ActivationFunction function,
                                 MakeActivation(activation.activation));
      return std::unique_ptr<Layer>(std::make_unique<ActivationLayer>(function));
    }
  };
  return std::visit(Visitor{}, spec);
}

// A seed written in the spec (Keras's GlorotUniform(seed=3)) seeds that
// layer: the kernel initializer's seed, else the bias initializer's.
std::optional<uint64_t> SpecSeed(const LayerSpec& spec) {
  if (const auto* dense = std::get_if<DenseSpec>(&spec)) {
    if (dense->kernel_initializer.seed) return dense->kernel_initializer.seed;
    return dense->bias_initializer.seed;
  }
  return std::nullopt;
}

}  // namespace

core::Result<std::unique_ptr<Sequential>> Sequential::Create(const NetworkSpec& spec,
                                                             size_t input_width, uint64_t seed) {
  if (spec.input_width.has_value() && static_cast<size_t>(*spec.input_width) != input_width) {
    return core::InvalidArgument("the network expects " + std::to_string(*spec.input_width) +
                                 " input features, the data has " + std::to_string(input_width));
  }
  if (input_width == 0) return core::InvalidArgument("the data has no feature columns");
  if (spec.layers.empty()) return core::InvalidArgument("the network has no layers");
  std::unique_ptr<Sequential> model(new Sequential());
  model->spec_ = spec;
  model->input_width_ = input_width;
  RandomGenerator generator(seed);
  size_t width = input_width;
  for (size_t index = 0; index < spec.layers.size(); ++index) {
    const LayerSpec& layer_spec = spec.layers[index];
    std::string where = "layer " + std::to_string(index) + " ('" + LayerName(layer_spec) + "')";
    auto layer = MakeLayer(layer_spec);
    if (!layer.ok()) return layer.status().WithContext(where);
    (*layer)->set_name(LayerName(layer_spec));
    // Every layer draws from its own stream, forked from the model seed even
    // when the spec seeds the layer, so seeding (or resizing) one layer never
    // changes the initial weights of another.
    uint64_t forked_seed = generator.Fork();
    RandomGenerator layer_generator(SpecSeed(layer_spec).value_or(forked_seed));
    MODELHOST_RETURN_IF_ERROR((*layer)->Build(width, &layer_generator).WithContext(where));
    width = (*layer)->output_width();
    for (Parameter* parameter : (*layer)->Parameters()) model->parameters_.push_back(parameter);
    model->layers_.push_back(std::move(*layer));
  }
  model->activations_.resize(model->layers_.size());
  model->gradients_.resize(model->layers_.size());
  model->predict_activations_.resize(model->layers_.size());
  return model;
}

core::Status Sequential::Forward(const Matrix& features, bool training,
                                 std::vector<Matrix>* activations) {
  for (size_t index = 0; index < layers_.size(); ++index) {
    const Matrix& input = index == 0 ? features : (*activations)[index - 1];
    MODELHOST_RETURN_IF_ERROR(layers_[index]->Forward(input, &(*activations)[index], training));
  }
  return core::OkStatus();
}

core::Result<Sequential::StepResult> Sequential::TrainStep(const Matrix& features,
                                                           const Matrix& targets,
                                                           std::span<const float> sample_weights,
                                                           const Loss& loss, Optimizer& optimizer) {
  // Buffers are sized by the first batch; running out of memory is reported.
  try {
    return TrainStepUnguarded(features, targets, sample_weights, loss, optimizer);
  } catch (const std::bad_alloc&) {
    return core::ResourceExhausted("training step: out of memory");
  }
}

core::Result<Sequential::StepResult> Sequential::TrainStepUnguarded(
    const Matrix& features, const Matrix& targets, std::span<const float> sample_weights,
    const Loss& loss, Optimizer& optimizer) {
  MODELHOST_RETURN_IF_ERROR(Forward(features, /*training=*/true, &activations_));
  const size_t last_index = layers_.size() - 1;
  Layer& last = *layers_[last_index];
  Matrix* last_input_gradient = last_index > 0 ? &gradients_[last_index - 1] : nullptr;
  float value = 0.0f;
  if (FusesWith(loss)) {
    MODELHOST_ASSIGN_OR_RETURN(value, loss.ComputeFromLogits(last.pre_activation(), targets,
                                                             sample_weights, &loss_gradient_));
    MODELHOST_RETURN_IF_ERROR(last.BackwardFromPreActivation(loss_gradient_, last_input_gradient));
  } else {
    MODELHOST_ASSIGN_OR_RETURN(
        value, loss.Compute(activations_.back(), targets, sample_weights, &loss_gradient_));
    MODELHOST_RETURN_IF_ERROR(last.Backward(loss_gradient_, last_input_gradient));
  }
  for (size_t index = last_index; index-- > 0;) {
    Matrix* input_gradient = index > 0 ? &gradients_[index - 1] : nullptr;
    MODELHOST_RETURN_IF_ERROR(layers_[index]->Backward(gradients_[index], input_gradient));
  }
  value += RegularizationLoss();
  if (!std::isfinite(value) || !GradientsFinite()) return StepResult{value, false};
  MODELHOST_RETURN_IF_ERROR(optimizer.Step(parameters_));
  return StepResult{value, true};
}

bool Sequential::FusesWith(const Loss& loss) const {
  const Activation fusable = FusableActivation(loss.kind());
  return !loss.options().from_logits && fusable != Activation::kLinear &&
         layers_.back()->output_activation().kind == fusable;
}

float Sequential::RegularizationLoss() const {
  float penalty = 0.0f;
  for (const auto& layer : layers_) penalty += layer->RegularizationLoss();
  return penalty;
}

bool Sequential::GradientsFinite() const {
  for (const Parameter* parameter : parameters_) {
    if (!parameter->trainable) continue;
    // A float is NaN or ±Inf exactly when its exponent bits are all ones. An
    // integer OR over that test vectorizes; a float sum would be one serial
    // dependency chain (bench/nn measured ~5 % of a large model's epoch).
    const float* values = parameter->gradient.data();
    uint32_t non_finite = 0;
    for (size_t index = 0; index < parameter->gradient.size(); ++index) {
      uint32_t bits;
      std::memcpy(&bits, values + index, sizeof(bits));
      non_finite |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    }
    if (non_finite != 0) return false;
  }
  return true;
}

core::Status Sequential::Predict(const Matrix& features, Matrix* output) {
  std::lock_guard<std::mutex> lock(predict_mutex_);
  return PredictLocked(features, output);
}

core::Status Sequential::PredictLocked(const Matrix& features, Matrix* output) {
  if (features.cols() != input_width_) {
    return core::InvalidArgument("predict: expected " + std::to_string(input_width_) +
                                 " features per row, got " + std::to_string(features.cols()));
  }
  try {
    MODELHOST_RETURN_IF_ERROR(Forward(features, /*training=*/false, &predict_activations_));
    *output = predict_activations_.back();
  } catch (const std::bad_alloc&) {
    return core::ResourceExhausted("predict: out of memory");
  }
  return core::OkStatus();
}

core::Result<float> Sequential::PredictWithLoss(const Matrix& features, const Matrix& targets,
                                                const Loss& loss, Matrix* output) {
  std::lock_guard<std::mutex> lock(predict_mutex_);
  MODELHOST_RETURN_IF_ERROR(PredictLocked(features, output));
  // The last layer still holds this pass's logits (predict_mutex_ is held).
  if (FusesWith(loss)) {
    return loss.ComputeFromLogits(layers_.back()->pre_activation(), targets, {}, nullptr);
  }
  return loss.Compute(*output, targets, {}, nullptr);
}

}  // namespace modelhost::nn
