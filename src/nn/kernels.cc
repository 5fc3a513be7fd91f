#include "nn/kernels.h"

#include <cblas.h>

#include <algorithm>
#include <cassert>

namespace modelhost::nn {

std::string_view ToString(Transpose transpose) {
  switch (transpose) {
    case Transpose::kNo: return "no";
    case Transpose::kYes: return "yes";
  }
  return "unknown";
}

void Gemm(Transpose transpose_a, Transpose transpose_b, float alpha, const Matrix& a,
          const Matrix& b, float beta, Matrix* c) {
  const bool ta = transpose_a == Transpose::kYes;
  const bool tb = transpose_b == Transpose::kYes;
  const size_t m = ta ? a.cols() : a.rows();
  const size_t k = ta ? a.rows() : a.cols();
  const size_t n = tb ? b.rows() : b.cols();
  assert(k == (tb ? b.cols() : b.rows()));
  assert(c != &a && c != &b);
  if (beta == 0.0f) {
    c->Resize(m, n);
  } else {
    assert(c->rows() == m && c->cols() == n);
  }
  if (m == 0 || n == 0) return;
  if (k == 0) {
    // BLAS would be asked for a zero-length inner product; the result is beta·C.
    if (beta == 0.0f) {
      c->SetZero();
    } else {
      Scale(beta, c);
    }
    return;
  }
  // Leading dimensions are the stored row lengths; BLAS requires them ≥ 1.
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a.data(),
              static_cast<int>(std::max<size_t>(1, a.cols())), b.data(),
              static_cast<int>(std::max<size_t>(1, b.cols())), beta, c->data(),
              static_cast<int>(std::max<size_t>(1, n)));
}

void AddRowVector(const Matrix& row, Matrix* matrix) {
  assert(row.rows() == 1 && row.cols() == matrix->cols());
  const size_t cols = matrix->cols();
  const float* __restrict r = row.data();
  for (size_t i = 0; i < matrix->rows(); ++i) {
    float* __restrict out = matrix->data() + i * cols;
    for (size_t j = 0; j < cols; ++j) out[j] += r[j];
  }
}

void ColumnSums(const Matrix& matrix, Matrix* sums) {
  const size_t cols = matrix.cols();
  sums->Resize(1, cols);
  sums->SetZero();
  float* __restrict s = sums->data();
  for (size_t i = 0; i < matrix.rows(); ++i) {
    const float* __restrict in = matrix.data() + i * cols;
    for (size_t j = 0; j < cols; ++j) s[j] += in[j];
  }
}

void Multiply(const Matrix& a, const Matrix& b, Matrix* out) {
  assert(a.rows() == b.rows() && a.cols() == b.cols());
  out->Resize(a.rows(), a.cols());
  // No __restrict: out may alias a or b, and an element-wise loop is safe then.
  const size_t n = a.size();
  const float* pa = a.data();
  const float* pb = b.data();
  float* po = out->data();
  for (size_t i = 0; i < n; ++i) po[i] = pa[i] * pb[i];
}

void Scale(float alpha, Matrix* matrix) {
  const size_t n = matrix->size();
  float* __restrict p = matrix->data();
  for (size_t i = 0; i < n; ++i) p[i] *= alpha;
}

double Dot(const Matrix& a, const Matrix& b) {
  assert(a.rows() == b.rows() && a.cols() == b.cols());
  double sum = 0.0;
  const size_t n = a.size();
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(a.data()[i]) * b.data()[i];
  return sum;
}

}  // namespace modelhost::nn
