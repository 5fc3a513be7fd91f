// RandomGenerator: the one source of randomness of module nn (weight
// initialization, dropout masks). It is std::mt19937_64 — whose output
// sequence the C++ standard fixes — followed by our own transforms to uniform
// and normal values, because the std:: distributions' outputs are
// implementation-defined. So a seed gives bit-identical weights and masks with
// any compiler, standard library and thread count (nothing here is threaded).
//
// Thread-safety: none; each user holds its own generator (or forks one).

#ifndef MODELHOST_NN_RANDOM_GENERATOR_H_
#define MODELHOST_NN_RANDOM_GENERATOR_H_

#include <cstdint>
#include <random>

namespace modelhost::nn {

class RandomGenerator {
 public:
  explicit RandomGenerator(uint64_t seed) : engine_(seed) {}

  // The next raw 64 random bits.
  uint64_t NextUint64() { return engine_(); }

  // Uniform in [0, 1) with 53 random bits.
  double NextUniform();

  // Uniform in [0, 1) with 24 random bits (exactly representable as float);
  // the cheap path for dropout masks.
  float NextUniformFloat();

  // Standard normal N(0, 1) by the Box–Muller transform (both values of a
  // pair are used).
  double NextNormal();

  // A new seed drawn from this generator, for giving a component (a Dropout
  // layer) its own stream that does not depend on how many values others draw.
  uint64_t Fork() { return NextUint64(); }

 private:
  std::mt19937_64 engine_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_RANDOM_GENERATOR_H_
