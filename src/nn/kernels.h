// Kernels: the arithmetic every layer and loss of module nn is built from —
// a GEMM over Matrix (delegated to BLAS, cblas_sgemm) and a few row/column and
// element-wise loops written so that the compiler vectorizes them at -O2/-O3.
//
// None of these functions allocate unless they are told to resize an output
// beyond its capacity (Matrix::Resize), so a training step that calls them
// with the same shapes twice allocates only the first time.
//
// Shape mismatches here are programming errors of the calling layer, which has
// already validated user input; they are checked with assert, not Status.
//
// Thread-safety: the functions are reentrant; callers must not write a Matrix
// that another thread reads. Gemm uses as many threads as BLAS was set to.

#ifndef MODELHOST_NN_KERNELS_H_
#define MODELHOST_NN_KERNELS_H_

#include <string_view>

#include "nn/matrix.h"

namespace modelhost::nn {

// Whether Gemm reads an operand as stored or transposed.
enum class Transpose { kNo, kYes };

std::string_view ToString(Transpose transpose);

// C = alpha · op(A) · op(B) + beta · C, where op(X) is X or Xᵀ per the flag.
// With beta == 0, *c is resized to the product's shape and its old contents
// are ignored (NaNs in it do not propagate); otherwise *c must already have
// that shape. REQUIRES: inner dimensions agree; c aliases neither a nor b.
void Gemm(Transpose transpose_a, Transpose transpose_b, float alpha, const Matrix& a,
          const Matrix& b, float beta, Matrix* c);

// matrix[r, :] += row[0, :] for every r (adding a bias to each sample).
// REQUIRES: row is 1 × matrix->cols().
void AddRowVector(const Matrix& row, Matrix* matrix);

// sums[0, c] = Σ_r matrix[r, c]; resizes *sums to 1 × matrix.cols().
// Accumulates in float, one pass over the rows (cache-friendly, vectorized
// across columns).
void ColumnSums(const Matrix& matrix, Matrix* sums);

// out = a ⊙ b, element-wise; resizes *out. out may alias a or b.
void Multiply(const Matrix& a, const Matrix& b, Matrix* out);

// matrix *= alpha, element-wise.
void Scale(float alpha, Matrix* matrix);

// Σ a ⊙ b accumulated in double (Dot(g, g) is the squared norm gradient
// clipping needs: a float sum of 10⁶ squares would lose the small ones).
// REQUIRES: same shape.
double Dot(const Matrix& a, const Matrix& b);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_KERNELS_H_
