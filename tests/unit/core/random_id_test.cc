#include "core/random_id.h"

#include <gtest/gtest.h>

#include <set>

namespace modelhost::core {
namespace {

TEST(RandomIdTest, PrefixAndSixteenHexDigitsThatDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = RandomId("ds_");
    ASSERT_EQ(id.size(), 19u);
    EXPECT_EQ(id.substr(0, 3), "ds_");
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 3), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace modelhost::core
