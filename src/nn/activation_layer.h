// ActivationLayer: a layer that only applies an activation function —
// keras.layers.Activation ("activation", class name "Activation"), with the
// activation's default parameter (leaky_relu 0.2, elu 1.0; see activation.h).
// Keras's dedicated LeakyReLU / ELU / Softmax / ReLU layer classes are not
// accepted by the network spec parser (an InvalidArgument naming the class);
// a config must use Activation("leaky_relu") etc. instead.
//
// Thread-safety: none (see layer.h).

#ifndef MODELHOST_NN_ACTIVATION_LAYER_H_
#define MODELHOST_NN_ACTIVATION_LAYER_H_

#include <string_view>
#include <vector>

#include "nn/activation.h"
#include "nn/layer.h"

namespace modelhost::nn {

class ActivationLayer final : public Layer {
 public:
  explicit ActivationLayer(ActivationFunction activation);

  std::string_view class_name() const override { return "Activation"; }
  size_t output_width() const override { return input_width(); }
  ActivationFunction output_activation() const override { return activation_; }
  // The input of the last Forward.
  const Matrix& pre_activation() const override { return *last_input(); }
  // No parameters.
  std::vector<Parameter*> Parameters() override { return {}; }

 private:
  core::Status DoBuild(RandomGenerator* generator) override;
  core::Status DoForward(const Matrix& input, Matrix* output, bool training) override;
  void DoBackward(const Matrix& input, const Matrix& output, const Matrix& gradient,
                  bool gradient_is_pre_activation, Matrix* input_gradient) override;

  ActivationFunction activation_;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_ACTIVATION_LAYER_H_
