#include "api/json_nesting.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace modelhost::api {
namespace {

using ::testing::HasSubstr;

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonNestingTest, AcceptsUpToTheLimitAndRefusesOneLevelMore) {
  EXPECT_TRUE(CheckJsonNesting(Nested(64)).ok());
  EXPECT_TRUE(CheckJsonNesting(R"({"a": [{"b": [1, 2]}], "c": {}})", 4).ok());
  core::Status refused = CheckJsonNesting(Nested(65));
  EXPECT_EQ(refused.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("deeper than 64 levels (at byte 64)"));
  EXPECT_FALSE(CheckJsonNesting(R"({"a": [{"b": [1]}]})", 3).ok());
}

TEST(JsonNestingTest, SiblingsDoNotAddUp) {
  std::string many = "[";
  for (int i = 0; i < 1000; ++i) many += Nested(3) + ",";
  many += "0]";
  EXPECT_TRUE(CheckJsonNesting(many, 4).ok());
}

TEST(JsonNestingTest, BracketsInsideStringsDoNotCount) {
  const std::string brackets(200, '[');
  EXPECT_TRUE(CheckJsonNesting(R"({"k": ")" + brackets + R"("})").ok());
  // An escaped quote does not end the string, so what follows it is text.
  EXPECT_TRUE(CheckJsonNesting(R"(["a \" )" + brackets + R"( b"])").ok());
  // An escaped backslash does not escape the closing quote: the brackets
  // after the string count again.
  EXPECT_FALSE(CheckJsonNesting(R"(["a \\", )" + Nested(70) + "]").ok());
}

TEST(JsonNestingTest, StrayClosersDoNotHideADeepNest) {
  EXPECT_FALSE(CheckJsonNesting(std::string(100, ']') + Nested(65)).ok());
  EXPECT_TRUE(CheckJsonNesting("").ok());
  EXPECT_TRUE(CheckJsonNesting("not json at all").ok());
}

}  // namespace
}  // namespace modelhost::api
