#include "nn/layer.h"

#include <cassert>
#include <new>
#include <string>

namespace modelhost::nn {

void Layer::set_name(std::string name) {
  name_ = std::move(name);
  // Parameter names are "<layer>/<local>"; keep the local part.
  for (Parameter* parameter : Parameters()) {
    const size_t slash = parameter->name.rfind('/');
    const std::string local =
        slash == std::string::npos ? parameter->name : parameter->name.substr(slash + 1);
    parameter->name = name_ + "/" + local;
  }
}

core::Status Layer::Build(size_t input_width, RandomGenerator* generator) {
  if (built_) return core::FailedPrecondition(name_ + ": already built");
  if (input_width == 0 || input_width > kMaxLayerWidth) {
    return core::InvalidArgument(name_ + ": input width must be in [1, " +
                                 std::to_string(kMaxLayerWidth) + "], got " +
                                 std::to_string(input_width));
  }
  input_width_ = input_width;
  core::Status status;
  try {
    status = DoBuild(generator);
  } catch (const std::bad_alloc&) {
    status = core::ResourceExhausted("out of memory allocating the parameters");
  }
  if (!status.ok()) return status.WithContext(name_);
  built_ = true;
  return core::OkStatus();
}

core::Status Layer::Forward(const Matrix& input, Matrix* output, bool training) {
  assert(output != &input);
  if (!built_) return core::FailedPrecondition(name_ + ": Forward before Build");
  if (input.cols() != input_width_) {
    return core::InvalidArgument(name_ + ": expected " + std::to_string(input_width_) +
                                 " input features, got " + std::to_string(input.cols()));
  }
  // Invalidate first: a failed DoForward must not leave a stale pairing.
  last_input_ = nullptr;
  last_output_ = nullptr;
  core::Status status;
  // Outputs and caches grow with the batch; a batch too large for memory is
  // an error of the request, not a crash. (No cost unless thrown.)
  try {
    status = DoForward(input, output, training);
  } catch (const std::bad_alloc&) {
    status = core::ResourceExhausted("out of memory for a batch of " +
                                     std::to_string(input.rows()) + " rows");
  }
  if (!status.ok()) return status.WithContext(name_);
  last_input_ = &input;
  last_output_ = output;
  last_forward_was_training_ = training;
  return core::OkStatus();
}

core::Status Layer::Backward(const Matrix& output_gradient, Matrix* input_gradient) {
  return BackwardChecked(output_gradient, /*gradient_is_pre_activation=*/false, input_gradient);
}

core::Status Layer::BackwardFromPreActivation(const Matrix& pre_activation_gradient,
                                              Matrix* input_gradient) {
  return BackwardChecked(pre_activation_gradient, /*gradient_is_pre_activation=*/true,
                         input_gradient);
}

core::Status Layer::BackwardChecked(const Matrix& gradient, bool gradient_is_pre_activation,
                                    Matrix* input_gradient) {
  if (last_output_ == nullptr || !last_forward_was_training_) {
    return core::FailedPrecondition(name_ + ": Backward needs a Forward with training=true first");
  }
  if (gradient.rows() != last_output_->rows() || gradient.cols() != output_width()) {
    return core::InvalidArgument(name_ + ": output gradient is " + std::to_string(gradient.rows()) +
                                 "x" + std::to_string(gradient.cols()) + ", expected " +
                                 std::to_string(last_output_->rows()) + "x" +
                                 std::to_string(output_width()));
  }
  try {
    DoBackward(*last_input_, *last_output_, gradient, gradient_is_pre_activation, input_gradient);
  } catch (const std::bad_alloc&) {
    return core::ResourceExhausted(name_ + ": out of memory for the gradients of a batch of " +
                                   std::to_string(gradient.rows()) + " rows");
  }
  return core::OkStatus();
}

}  // namespace modelhost::nn
