#include "core/status.h"

#include <gtest/gtest.h>

#include "core/result.h"

namespace modelhost::core {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.message(), "");
  EXPECT_EQ(status.ToString(), "ok");
}

TEST(StatusTest, FactoriesSetCodeAndMessage) {
  Status status = NotFound("model 'pima'");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "model 'pima'");
  EXPECT_EQ(status.ToString(), "not_found: model 'pima'");
  EXPECT_EQ(InvalidArgument("a").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AlreadyExists("a").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(FailedPrecondition("a").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Unauthenticated("a").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(PermissionDenied("a").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ResourceExhausted("a").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Unavailable("a").code(), StatusCode::kUnavailable);
  EXPECT_EQ(DataLoss("a").code(), StatusCode::kDataLoss);
  EXPECT_EQ(Internal("a").code(), StatusCode::kInternal);
}

TEST(StatusTest, CopiesAreIndependent) {
  Status original = DataLoss("chunk 3 checksum");
  Status copy = original;
  EXPECT_EQ(copy, original);
  copy = OkStatus();
  EXPECT_TRUE(copy.ok());
  EXPECT_EQ(original.message(), "chunk 3 checksum");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status status = InvalidArgument("not a number").WithContext("line 12, column 'bmi'");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "line 12, column 'bmi': not a number");
  EXPECT_TRUE(OkStatus().WithContext("ignored").ok());
}

Status FailsWhen(bool fail) {
  MODELHOST_RETURN_IF_ERROR(fail ? Internal("boom") : OkStatus());
  return OkStatus();
}

TEST(StatusTest, ReturnIfErrorPropagates) {
  EXPECT_TRUE(FailsWhen(false).ok());
  EXPECT_EQ(FailsWhen(true).code(), StatusCode::kInternal);
}

Result<int> Half(int value) {
  if (value % 2 != 0) return InvalidArgument("odd");
  return value / 2;
}

Result<int> Quarter(int value) {
  MODELHOST_ASSIGN_OR_RETURN(int half, Half(value));
  return Half(half);
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  EXPECT_TRUE(good.status().ok());
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, AssignOrReturnPropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd");
  EXPECT_EQ(Quarter(5).status().message(), "odd");
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> result = std::make_unique<int>(7);
  ASSERT_TRUE(result.ok());
  std::unique_ptr<int> owned = std::move(result).value();
  EXPECT_EQ(*owned, 7);
}

}  // namespace
}  // namespace modelhost::core
