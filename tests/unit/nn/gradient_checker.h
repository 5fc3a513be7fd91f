// Test support for module nn: central-difference gradient checks and seeded
// random matrices. Header-only; included by the *_test.cc files of nn.

#ifndef MODELHOST_TESTS_UNIT_NN_GRADIENT_CHECKER_H_
#define MODELHOST_TESTS_UNIT_NN_GRADIENT_CHECKER_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "nn/kernels.h"
#include "nn/layer.h"
#include "nn/matrix.h"
#include "nn/random_generator.h"

namespace modelhost::nn {

struct GradientTolerance {
  // Central-difference step. Large enough that float32 rounding of a
  // float32 forward pass (≈1e-7 relative) stays far below the signal.
  double step = 5e-3;
  double absolute = 1e-3;
  double relative = 1e-2;
};

// For every entry v of *variable, expects analytic[v] to match
// (objective(v + h) − objective(v − h)) / 2h within
// absolute + relative · max(|analytic|, |numeric|). Restores *variable.
inline void ExpectGradientNear(const std::function<double()>& objective, Matrix* variable,
                               const Matrix& analytic, std::string_view what,
                               GradientTolerance tolerance = {}) {
  ASSERT_EQ(variable->rows(), analytic.rows()) << what;
  ASSERT_EQ(variable->cols(), analytic.cols()) << what;
  int failures = 0;
  for (size_t index = 0; index < variable->size() && failures < 5; ++index) {
    float& value = variable->data()[index];
    const float original = value;
    value = static_cast<float>(original + tolerance.step);
    const double plus = objective();
    value = static_cast<float>(original - tolerance.step);
    const double minus = objective();
    value = original;
    const double numeric = (plus - minus) / (2.0 * tolerance.step);
    const double expected = analytic.data()[index];
    const double bound =
        tolerance.absolute + tolerance.relative * std::max(std::abs(expected), std::abs(numeric));
    if (!(std::abs(expected - numeric) <= bound)) {
      ++failures;
      ADD_FAILURE() << what << "[" << index / variable->cols() << ", " << index % variable->cols()
                    << "]: analytic " << expected << ", numeric " << numeric;
    }
  }
}

// A rows × cols matrix of uniform values in [low, high) from `seed`.
inline Matrix RandomMatrix(size_t rows, size_t cols, uint64_t seed, float low = -1.0f,
                           float high = 1.0f) {
  RandomGenerator generator(seed);
  Matrix matrix(rows, cols);
  for (float& value : matrix.values()) {
    value = low + (high - low) * static_cast<float>(generator.NextUniform());
  }
  return matrix;
}

// Moves every value at least `margin` away from zero (keeping its sign), so
// that a finite difference does not straddle a kink at 0.
inline void PushAwayFromZero(float margin, Matrix* matrix) {
  for (float& value : matrix->values()) {
    if (std::abs(value) < margin) value = value < 0.0f ? -margin : margin;
  }
}

// Checks a layer's Backward against central differences of
// objective = Σ output ⊙ projection + RegularizationLoss(), for the input and
// every trainable Parameter. `before_forward` runs before each Forward (to fix
// a dropout mask). With from_pre_activation, the objective projects
// pre_activation() instead and BackwardFromPreActivation is checked.
inline void ExpectLayerGradientsNear(Layer* layer, Matrix input,
                                     const std::function<void()>& before_forward = {},
                                     bool from_pre_activation = false,
                                     GradientTolerance tolerance = {}) {
  const auto prepare = [&] {
    if (before_forward) before_forward();
  };
  Matrix output;
  const Matrix projection = RandomMatrix(input.rows(), layer->output_width(), 99);
  const auto objective = [&]() -> double {
    prepare();
    EXPECT_TRUE(layer->Forward(input, &output, /*training=*/true).ok());
    const Matrix& projected = from_pre_activation ? layer->pre_activation() : output;
    return Dot(projected, projection) + layer->RegularizationLoss();
  };
  prepare();
  ASSERT_TRUE(layer->Forward(input, &output, /*training=*/true).ok());
  Matrix input_gradient;
  const core::Status status = from_pre_activation
                                  ? layer->BackwardFromPreActivation(projection, &input_gradient)
                                  : layer->Backward(projection, &input_gradient);
  ASSERT_TRUE(status.ok()) << status.ToString();
  std::vector<Parameter*> parameters = layer->Parameters();
  std::vector<Matrix> parameter_gradients;
  for (Parameter* parameter : parameters) parameter_gradients.push_back(parameter->gradient);

  ExpectGradientNear(objective, &input, input_gradient, layer->name() + " input", tolerance);
  for (size_t index = 0; index < parameters.size(); ++index) {
    if (!parameters[index]->trainable) continue;
    ExpectGradientNear(objective, &parameters[index]->value, parameter_gradients[index],
                       parameters[index]->name, tolerance);
  }
}

}  // namespace modelhost::nn

#endif  // MODELHOST_TESTS_UNIT_NN_GRADIENT_CHECKER_H_
