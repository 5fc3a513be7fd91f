#include "data/seeded_random.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <numeric>
#include <random>
#include <vector>

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;

// Golden values from seeded_random_reference.py (next to this file): an
// independent Python implementation of MT19937-64 and of the mappings, whose
// engine reproduces the standard's check value below.

TEST(SeededRandomTest, EngineIsTheStandardOne) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64.
  std::mt19937_64 engine;
  engine.discard(9999);
  EXPECT_EQ(engine(), 9981545732273789042ULL);
}

TEST(SeededRandomTest, UniformBelowMatchesTheReference) {
  std::mt19937_64 engine(42);
  std::vector<uint64_t> draws;
  for (int draw = 0; draw < 8; ++draw) draws.push_back(UniformBelow(engine, 3));
  EXPECT_THAT(draws, ElementsAre(0, 2, 1, 0, 2, 2, 1, 0));
}

TEST(SeededRandomTest, ShuffleMatchesTheReference) {
  std::mt19937_64 engine(42);
  std::vector<size_t> rows(10);
  std::iota(rows.begin(), rows.end(), size_t{0});
  ShuffleRows(rows, engine);
  EXPECT_THAT(rows, ElementsAre(1, 7, 9, 0, 3, 8, 4, 2, 5, 6));
}

TEST(SeededRandomTest, UniformBelowIsRoughlyUniform) {
  std::mt19937_64 engine(1);
  std::array<int, 6> counts{};
  for (int draw = 0; draw < 60000; ++draw) ++counts[UniformBelow(engine, 6)];
  // 10,000 expected each; 5 standard deviations ≈ 456.
  for (int count : counts) EXPECT_NEAR(count, 10000, 460);
}

TEST(SeededRandomTest, Mix64IsTheSplitmix64Finalizer) {
  // splitmix64 seeded with 0 first outputs 0xe220a8397b1dcdaf = Mix64(0x9e3779b97f4a7c15).
  EXPECT_EQ(Mix64(0x9e3779b97f4a7c15ULL), 0xe220a8397b1dcdafULL);
}

}  // namespace
}  // namespace modelhost::data
