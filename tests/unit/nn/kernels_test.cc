#include "nn/kernels.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "gradient_checker.h"

namespace modelhost::nn {
namespace {

// The textbook triple loop, in double.
Matrix NaiveProduct(bool transpose_a, bool transpose_b, const Matrix& a, const Matrix& b) {
  const size_t m = transpose_a ? a.cols() : a.rows();
  const size_t k = transpose_a ? a.rows() : a.cols();
  const size_t n = transpose_b ? b.rows() : b.cols();
  Matrix c(m, n);
  for (size_t row = 0; row < m; ++row) {
    for (size_t col = 0; col < n; ++col) {
      double sum = 0.0;
      for (size_t inner = 0; inner < k; ++inner) {
        const float av = transpose_a ? a(inner, row) : a(row, inner);
        const float bv = transpose_b ? b(col, inner) : b(inner, col);
        sum += static_cast<double>(av) * bv;
      }
      c(row, col) = static_cast<float>(sum);
    }
  }
  return c;
}

void ExpectNear(const Matrix& actual, const Matrix& expected, float tolerance) {
  ASSERT_EQ(actual.rows(), expected.rows());
  ASSERT_EQ(actual.cols(), expected.cols());
  for (size_t index = 0; index < actual.size(); ++index) {
    EXPECT_NEAR(actual.data()[index], expected.data()[index], tolerance) << "at " << index;
  }
}

TEST(KernelsTest, GemmMatchesNaiveProductForEveryTransposition) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      const Matrix a = ta ? RandomMatrix(7, 5, 1) : RandomMatrix(5, 7, 1);
      const Matrix b = tb ? RandomMatrix(3, 7, 2) : RandomMatrix(7, 3, 2);
      Matrix c;
      Gemm(ta ? Transpose::kYes : Transpose::kNo, tb ? Transpose::kYes : Transpose::kNo, 1.0f, a, b,
           0.0f, &c);
      SCOPED_TRACE(::testing::Message() << "ta=" << ta << " tb=" << tb);
      ExpectNear(c, NaiveProduct(ta, tb, a, b), 1e-5f);
    }
  }
}

TEST(KernelsTest, GemmAppliesAlphaAndBeta) {
  const Matrix a(2, 2, {1, 2, 3, 4});
  const Matrix b(2, 2, {5, 6, 7, 8});
  Matrix c(2, 2, {1, 1, 1, 1});
  Gemm(Transpose::kNo, Transpose::kNo, 2.0f, a, b, 3.0f, &c);
  // a·b = [[19, 22], [43, 50]].
  EXPECT_EQ(c, Matrix(2, 2, {41, 47, 89, 103}));
}

TEST(KernelsTest, GemmWithZeroBetaIgnoresOldContents) {
  const Matrix a(1, 1, {2});
  const Matrix b(1, 1, {3});
  Matrix c(1, 1, {std::numeric_limits<float>::quiet_NaN()});
  Gemm(Transpose::kNo, Transpose::kNo, 1.0f, a, b, 0.0f, &c);
  EXPECT_EQ(c(0, 0), 6.0f);
}

TEST(KernelsTest, GemmWithEmptyInnerDimensionGivesZeros) {
  const Matrix a(2, 0);
  const Matrix b(0, 3);
  Matrix c;
  Gemm(Transpose::kNo, Transpose::kNo, 1.0f, a, b, 0.0f, &c);
  EXPECT_EQ(c, Matrix(2, 3));
}

TEST(KernelsTest, AddRowVectorAddsToEveryRow) {
  Matrix matrix(2, 3, {1, 2, 3, 4, 5, 6});
  AddRowVector(Matrix(1, 3, {10, 20, 30}), &matrix);
  EXPECT_EQ(matrix, Matrix(2, 3, {11, 22, 33, 14, 25, 36}));
}

TEST(KernelsTest, ColumnSumsSumEachColumn) {
  Matrix sums(1, 3, {99, 99, 99});  // old contents must not leak in
  ColumnSums(Matrix(2, 3, {1, 2, 3, 4, 5, 6}), &sums);
  EXPECT_EQ(sums, Matrix(1, 3, {5, 7, 9}));
}

TEST(KernelsTest, ElementWiseHelpers) {
  Matrix y(1, 3, {3, 5, 7});
  Multiply(y, Matrix(1, 3, {2, 0, -1}), &y);  // in place
  EXPECT_EQ(y, Matrix(1, 3, {6, 0, -7}));
  Scale(0.5f, &y);
  EXPECT_EQ(y, Matrix(1, 3, {3, 0, -3.5f}));
  EXPECT_DOUBLE_EQ(Dot(y, Matrix(1, 3, {1, 1, 2})), -4.0);
}

TEST(GradientCheckerTest, CatchesAWrongGradient) {
  Matrix x(1, 2, {0.5f, -0.25f});
  const auto objective = [&] { return static_cast<double>(x(0, 0)) * x(0, 0) + 3.0 * x(0, 1); };
  ExpectGradientNear(objective, &x, Matrix(1, 2, {1.0f, 3.0f}), "right");
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    ExpectGradientNear(objective, &x, Matrix(1, 2, {1.1f, 3.0f}), "wrong");
  }
  ASSERT_EQ(results.size(), 1);
  EXPECT_NE(std::string(results.GetTestPartResult(0).message()).find("wrong[0, 0]"),
            std::string::npos);
}

}  // namespace
}  // namespace modelhost::nn
