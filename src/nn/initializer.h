// Initializer: how a layer's weights get their first values, named as Keras
// names them ("glorot_uniform", the Keras default for Dense kernels; "zeros",
// the default for biases). All randomness comes from a caller-supplied
// RandomGenerator, so the same seed gives bit-identical weights.
//
// The variance-scaling kinds follow keras.initializers.VarianceScaling
// (keras/src/initializers/random_initializers.py):
//   glorot_uniform  U(−l, l), l = √(6 / (fan_in + fan_out))
//   glorot_normal   truncated normal, σ = √(2 / (fan_in + fan_out)) / 0.87962566103423978
//   he_uniform      U(−l, l), l = √(6 / fan_in)
//   he_normal       truncated normal, σ = √(2 / fan_in) / 0.87962566103423978
// Keras's "normal" initializers draw from a normal truncated at two standard
// deviations (values beyond are discarded and redrawn), and divide σ by
// 0.8796…, the standard deviation of a unit normal truncated to [−2, 2], so
// that the values *after* truncation have the intended variance. We match
// both (the redraw loop is ours; the random stream is not Keras's).
//
// Thread-safety: stateless functions; the generator is the caller's.

#ifndef MODELHOST_NN_INITIALIZER_H_
#define MODELHOST_NN_INITIALIZER_H_

#include <cstddef>
#include <string_view>

#include "core/result.h"
#include "nn/matrix.h"
#include "nn/random_generator.h"

namespace modelhost::nn {

enum class Initializer {
  kZeros,
  kOnes,
  kGlorotUniform,
  kGlorotNormal,
  kHeUniform,
  kHeNormal,
};

// The Keras function name: "zeros", "ones", "glorot_uniform", …
std::string_view ToString(Initializer initializer);

// Parses a Keras initializer name, either the function name ("he_normal") or
// the class name ("HeNormal"). Unknown names give InvalidArgument.
core::Result<Initializer> ParseInitializer(std::string_view name);

// Overwrites every value of *values (its shape is kept) with draws of
// `initializer`. fan_in / fan_out are Keras's: for a [in, out] kernel, in and
// out; for a bias of length n, n and n. Draws from *generator in row-major
// order; zeros and ones draw nothing.
// REQUIRES: fan_in > 0 and fan_out > 0 for the random kinds.
void Initialize(Initializer initializer, size_t fan_in, size_t fan_out, RandomGenerator* generator,
                Matrix* values);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_INITIALIZER_H_
