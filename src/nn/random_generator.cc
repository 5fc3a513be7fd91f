#include "nn/random_generator.h"

#include <cmath>
#include <numbers>

namespace modelhost::nn {

double RandomGenerator::NextUniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

float RandomGenerator::NextUniformFloat() {
  return static_cast<float>(engine_() >> 40) * 0x1.0p-24f;
}

double RandomGenerator::NextNormal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // u1 in (0, 1] so that log(u1) is finite.
  const double u1 = 1.0 - NextUniform();
  const double u2 = NextUniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

}  // namespace modelhost::nn
