#include "nn/matrix.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace modelhost::nn {
namespace {

TEST(MatrixTest, NewMatrixIsZeroedAndAligned) {
  Matrix matrix(3, 5);
  EXPECT_EQ(matrix.rows(), 3u);
  EXPECT_EQ(matrix.cols(), 5u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(matrix.data()) % Matrix::kAlignment, 0u);
  for (float value : matrix.values()) EXPECT_EQ(value, 0.0f);
}

TEST(MatrixTest, RowMajorIndexing) {
  Matrix matrix(2, 3, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(matrix(0, 2), 3.0f);
  EXPECT_EQ(matrix(1, 0), 4.0f);
  EXPECT_EQ(matrix.Row(1)[2], 6.0f);
}

TEST(MatrixTest, ResizeWithinCapacityKeepsTheBuffer) {
  Matrix matrix(4, 4);
  const float* buffer = matrix.data();
  matrix.Resize(2, 8);
  EXPECT_EQ(matrix.data(), buffer);
  matrix.Resize(3, 3);
  EXPECT_EQ(matrix.data(), buffer);
  matrix.Resize(5, 5);
  EXPECT_EQ(matrix.size(), 25u);
}

TEST(MatrixTest, CopiesAreDeepAndEqual) {
  Matrix original(2, 2, {1, 2, 3, 4});
  Matrix copy = original;
  EXPECT_EQ(copy, original);
  copy(0, 0) = 9;
  EXPECT_FALSE(copy == original);
  EXPECT_EQ(original(0, 0), 1.0f);
}

TEST(MatrixTest, MoveLeavesSourceEmpty) {
  Matrix original(2, 2, {1, 2, 3, 4});
  Matrix moved = std::move(original);
  EXPECT_EQ(moved(1, 1), 4.0f);
  EXPECT_TRUE(original.empty());  // NOLINT(bugprone-use-after-move): documented state
}

#ifndef NDEBUG
// Matrix does not validate sizes (the boundaries do), but an overflowing
// rows × cols is caught by an assert rather than becoming a tiny allocation.
TEST(MatrixDeathTest, ResizeAssertsThatRowsTimesColsDoesNotOverflow) {
  Matrix matrix;
  EXPECT_DEATH(matrix.Resize(SIZE_MAX / 2, 4), "rows");
  EXPECT_DEATH(matrix.Resize(size_t{1} << 32, size_t{1} << 32), "rows");
}
#endif

}  // namespace
}  // namespace modelhost::nn
