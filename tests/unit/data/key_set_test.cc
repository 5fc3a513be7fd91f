#include "data/key_set.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <set>

namespace modelhost::data {
namespace {

TEST(KeySetTest, HoldsEachKeyOnceThroughGrowthIncludingTheLargestKey) {
  KeySet keys;
  std::set<uint64_t> expected;
  std::mt19937_64 random(5);
  for (int draw = 0; draw < 50000; ++draw) {
    // Few distinct values, so most inserts find their key there already.
    const uint64_t key = draw % 97 == 0 ? std::numeric_limits<uint64_t>::max()
                                        : random() % 20000 - 10000;  // wraps below 0
    keys.Insert(key);
    expected.insert(key);
    ASSERT_EQ(keys.size(), expected.size());
  }
  std::set<uint64_t> visited;
  keys.ForEach([&](uint64_t key) { EXPECT_TRUE(visited.insert(key).second) << key; });
  EXPECT_EQ(visited, expected);
}

}  // namespace
}  // namespace modelhost::data
