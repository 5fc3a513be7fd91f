#include "nn/compute_threads.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace modelhost::nn {
namespace {

TEST(ComputeThreadsTest, SetsTheBlasThreadCount) {
  const int original = ComputeThreads();
  ASSERT_TRUE(SetComputeThreads(1).ok());
  EXPECT_EQ(ComputeThreads(), 1);
  // OpenBLAS caps the count at the cores it found at start-up.
  if (std::thread::hardware_concurrency() >= 2) {
    ASSERT_TRUE(SetComputeThreads(2).ok());
    EXPECT_EQ(ComputeThreads(), 2);
  }
  ASSERT_TRUE(SetComputeThreads(original).ok());
}

TEST(ComputeThreadsTest, RejectsCountsOutsideTheRange) {
  EXPECT_THAT(SetComputeThreads(0).message(), ::testing::HasSubstr("got 0"));
  EXPECT_EQ(SetComputeThreads(kMaxComputeThreads + 1).code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelhost::nn
