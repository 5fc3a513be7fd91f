#include "nn/initializer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nn/random_generator.h"

namespace modelhost::nn {
namespace {

Matrix Draw(Initializer initializer, size_t fan_in, size_t fan_out, uint64_t seed) {
  RandomGenerator generator(seed);
  Matrix values(fan_in, fan_out);
  Initialize(initializer, fan_in, fan_out, &generator, &values);
  return values;
}

double Variance(const Matrix& values) {
  double sum = 0.0;
  double square_sum = 0.0;
  for (float value : values.values()) {
    sum += value;
    square_sum += static_cast<double>(value) * value;
  }
  const double mean = sum / values.size();
  return square_sum / values.size() - mean * mean;
}

TEST(RandomGeneratorTest, EngineIsTheStandardMt19937_64) {
  // The C++ standard requires the 10000th output of a default-seeded
  // mt19937_64 to be 9981545732273789042.
  RandomGenerator generator(5489u);
  uint64_t value = 0;
  for (int draw = 0; draw < 10000; ++draw) value = generator.NextUint64();
  EXPECT_EQ(value, 9981545732273789042ull);
}

TEST(RandomGeneratorTest, UniformAndNormalRanges) {
  RandomGenerator generator(3);
  double normal_sum = 0.0;
  double normal_square_sum = 0.0;
  constexpr int kDraws = 20000;
  for (int draw = 0; draw < kDraws; ++draw) {
    const double uniform = generator.NextUniform();
    ASSERT_GE(uniform, 0.0);
    ASSERT_LT(uniform, 1.0);
    const float uniform_float = generator.NextUniformFloat();
    ASSERT_GE(uniform_float, 0.0f);
    ASSERT_LT(uniform_float, 1.0f);
    const double normal = generator.NextNormal();
    normal_sum += normal;
    normal_square_sum += normal * normal;
  }
  EXPECT_NEAR(normal_sum / kDraws, 0.0, 0.03);
  EXPECT_NEAR(normal_square_sum / kDraws, 1.0, 0.05);
}

TEST(InitializerTest, NamesRoundTripAndKerasClassNamesParse) {
  for (Initializer kind :
       {Initializer::kZeros, Initializer::kOnes, Initializer::kGlorotUniform,
        Initializer::kGlorotNormal, Initializer::kHeUniform, Initializer::kHeNormal}) {
    EXPECT_EQ(*ParseInitializer(ToString(kind)), kind);
  }
  EXPECT_EQ(*ParseInitializer("GlorotUniform"), Initializer::kGlorotUniform);
  EXPECT_EQ(*ParseInitializer("HeNormal"), Initializer::kHeNormal);
  EXPECT_FALSE(ParseInitializer("orthogonal").ok());
}

TEST(InitializerTest, SameSeedGivesBitIdenticalWeightsAndOtherSeedsDiffer) {
  for (Initializer kind : {Initializer::kGlorotUniform, Initializer::kGlorotNormal,
                           Initializer::kHeUniform, Initializer::kHeNormal}) {
    SCOPED_TRACE(ToString(kind));
    EXPECT_EQ(Draw(kind, 8, 10, 42), Draw(kind, 8, 10, 42));
    EXPECT_FALSE(Draw(kind, 8, 10, 42) == Draw(kind, 8, 10, 43));
  }
}

TEST(InitializerTest, ConstantKinds) {
  EXPECT_EQ(Draw(Initializer::kZeros, 2, 3, 1), Matrix(2, 3));
  EXPECT_EQ(Draw(Initializer::kOnes, 1, 2, 1), Matrix(1, 2, {1, 1}));
}

TEST(InitializerTest, UniformKindsUseKerasLimits) {
  // U(−L, L) has variance L²/3. Over 60,000 draws the sample variance is
  // within 2 % of it (its relative standard error is √(0.8/60000) ≈ 0.37 %),
  // while a limit 5 % off moves the variance by ~10 %. The largest |value| is
  // also within 0.1 % of L, which catches a too-small limit directly.
  struct Case {
    Initializer kind;
    double limit;
  };
  for (const Case& c : {Case{Initializer::kGlorotUniform, std::sqrt(6.0 / (200 + 300))},
                        Case{Initializer::kHeUniform, std::sqrt(6.0 / 200)}}) {
    SCOPED_TRACE(ToString(c.kind));
    const Matrix values = Draw(c.kind, 200, 300, 5);
    double largest = 0.0;
    for (float value : values.values()) {
      ASSERT_LE(std::abs(value), c.limit);
      largest = std::max(largest, static_cast<double>(std::abs(value)));
    }
    EXPECT_GT(largest, 0.999 * c.limit);
    const double variance = c.limit * c.limit / 3.0;
    EXPECT_NEAR(Variance(values), variance, 0.02 * variance);
  }
}

TEST(InitializerTest, NormalKindsAreTruncatedWithKerasCorrectedStddev) {
  // Keras: stddev = sqrt(scale / n) / 0.87962566103423978, truncated at 2
  // stddev, so the truncated values have variance scale / n.
  struct Case {
    Initializer kind;
    double target_variance;
  };
  for (const Case& c : {Case{Initializer::kGlorotNormal, 2.0 / (200 + 300)},
                        Case{Initializer::kHeNormal, 2.0 / 200}}) {
    SCOPED_TRACE(ToString(c.kind));
    const Matrix values = Draw(c.kind, 200, 300, 9);
    const double raw_stddev = std::sqrt(c.target_variance) / 0.87962566103423978;
    for (float value : values.values()) ASSERT_LE(std::abs(value), 2.0 * raw_stddev + 1e-6);
    EXPECT_NEAR(Variance(values), c.target_variance, 0.03 * c.target_variance);
  }
}

}  // namespace
}  // namespace modelhost::nn
