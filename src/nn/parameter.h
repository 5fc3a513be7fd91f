// Parameter: one tensor of a layer (a Dense kernel, a bias, a
// BatchNormalization gamma or moving mean) together with the gradient each
// backward pass writes for it. Layers own their Parameters; optimizers update them
// through pointers and keep their own per-parameter state (moments) keyed by
// the parameter's position in the list they were given.
//
// Thread-safety: none; one training step at a time owns all parameters.

#ifndef MODELHOST_NN_PARAMETER_H_
#define MODELHOST_NN_PARAMETER_H_

#include <string>

#include "nn/matrix.h"

namespace modelhost::nn {

struct Parameter {
  // Unique within a model, Keras-style: "dense_1/kernel", "dense_1/bias".
  std::string name;
  Matrix value;
  // Same shape as value; written (not accumulated) by each backward pass.
  Matrix gradient;
  // False for state that is saved but not trained (BatchNormalization's moving mean).
  bool trainable = true;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_PARAMETER_H_
