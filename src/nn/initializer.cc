#include "nn/initializer.h"

#include <array>
#include <cassert>
#include <cmath>
#include <string>

namespace modelhost::nn {
namespace {

struct InitializerName {
  Initializer initializer;
  std::string_view function_name;
  std::string_view class_name;
};

constexpr std::array<InitializerName, 6> kNames = {{
    {Initializer::kZeros, "zeros", "Zeros"},
    {Initializer::kOnes, "ones", "Ones"},
    {Initializer::kGlorotUniform, "glorot_uniform", "GlorotUniform"},
    {Initializer::kGlorotNormal, "glorot_normal", "GlorotNormal"},
    {Initializer::kHeUniform, "he_uniform", "HeUniform"},
    {Initializer::kHeNormal, "he_normal", "HeNormal"},
}};

// Standard deviation of a unit normal truncated to [−2, 2] (Keras's constant).
constexpr double kTruncatedNormalStddev = 0.87962566103423978;

void FillUniform(double limit, RandomGenerator* generator, Matrix* values) {
  for (float& value : values->values()) {
    value = static_cast<float>((2.0 * generator->NextUniform() - 1.0) * limit);
  }
}

void FillTruncatedNormal(double stddev, RandomGenerator* generator, Matrix* values) {
  for (float& value : values->values()) {
    double draw = generator->NextNormal();
    while (std::abs(draw) > 2.0) draw = generator->NextNormal();
    value = static_cast<float>(draw * stddev);
  }
}

}  // namespace

std::string_view ToString(Initializer initializer) {
  for (const InitializerName& name : kNames) {
    if (name.initializer == initializer) return name.function_name;
  }
  return "unknown";
}

core::Result<Initializer> ParseInitializer(std::string_view name) {
  for (const InitializerName& entry : kNames) {
    if (entry.function_name == name || entry.class_name == name) return entry.initializer;
  }
  std::string supported;
  for (const InitializerName& entry : kNames) {
    if (!supported.empty()) supported += ", ";
    supported += entry.function_name;
  }
  return core::InvalidArgument("unknown initializer \"" + std::string(name) +
                               "\" (supported: " + supported + ")");
}

void Initialize(Initializer initializer, size_t fan_in, size_t fan_out, RandomGenerator* generator,
                Matrix* values) {
  const double fan_avg = (static_cast<double>(fan_in) + static_cast<double>(fan_out)) / 2.0;
  switch (initializer) {
    case Initializer::kZeros: values->Fill(0.0f); return;
    case Initializer::kOnes: values->Fill(1.0f); return;
    default: break;
  }
  assert(fan_in > 0 && fan_out > 0);
  // VarianceScaling: glorot is scale 1 over fan_avg, he is scale 2 over fan_in.
  switch (initializer) {
    case Initializer::kGlorotUniform:
      FillUniform(std::sqrt(3.0 / fan_avg), generator, values);
      return;
    case Initializer::kGlorotNormal:
      FillTruncatedNormal(std::sqrt(1.0 / fan_avg) / kTruncatedNormalStddev, generator, values);
      return;
    case Initializer::kHeUniform:
      FillUniform(std::sqrt(6.0 / static_cast<double>(fan_in)), generator, values);
      return;
    case Initializer::kHeNormal:
      FillTruncatedNormal(std::sqrt(2.0 / static_cast<double>(fan_in)) / kTruncatedNormalStddev,
                          generator, values);
      return;
    default: return;
  }
}

}  // namespace modelhost::nn
