// Matrix: a dense, row-major float32 matrix whose storage is 64-byte aligned
// (one cache line, one AVX-512 register), the currency of module nn: layer
// inputs and outputs are [batch, features], Dense kernels are [in, out].
//
// Storage grows but never shrinks on Resize, so the buffers a training step
// needs are allocated in the first step and reused by every later one.
//
// Thread-safety: a value type; concurrent reads are safe, writes need
// external synchronization.

#ifndef MODELHOST_NN_MATRIX_H_
#define MODELHOST_NN_MATRIX_H_

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>

namespace modelhost::nn {

class Matrix {
 public:
  static constexpr size_t kAlignment = 64;

  Matrix() = default;
  // A rows × cols matrix of zeros. REQUIRES: as Resize.
  Matrix(size_t rows, size_t cols);
  // A rows × cols matrix holding `values` in row-major order.
  // REQUIRES: values.size() == rows * cols.
  Matrix(size_t rows, size_t cols, std::initializer_list<float> values);

  Matrix(const Matrix& other);
  Matrix& operator=(const Matrix& other);
  Matrix(Matrix&& other) noexcept;
  Matrix& operator=(Matrix&& other) noexcept;
  ~Matrix() = default;

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  size_t size() const { return rows_ * cols_; }
  bool empty() const { return size() == 0; }

  float* data() { return storage_.get(); }
  const float* data() const { return storage_.get(); }
  std::span<float> values() { return {data(), size()}; }
  std::span<const float> values() const { return {data(), size()}; }
  std::span<float> Row(size_t row) { return {data() + row * cols_, cols_}; }
  std::span<const float> Row(size_t row) const { return {data() + row * cols_, cols_}; }

  // REQUIRES: row < rows(), col < cols().
  float& operator()(size_t row, size_t col) { return storage_[row * cols_ + col]; }
  float operator()(size_t row, size_t col) const { return storage_[row * cols_ + col]; }

  // Changes the shape. Contents are unspecified afterwards (old values may
  // remain); allocates only when rows * cols exceeds the capacity.
  // REQUIRES: rows * cols does not overflow (asserted). Matrix sits on hot
  // paths and does not validate sizes: the boundaries that take sizes from
  // users do (the network spec parser, Layer::Build with kMaxLayerWidth and
  // kMaxLayerParameterValues, the weights file reader, whose shapes are
  // bounded by the file's length). Throws std::bad_alloc when memory runs out;
  // Layer, Optimizer::Step and DecodeWeights turn that into ResourceExhausted.
  void Resize(size_t rows, size_t cols);
  void Fill(float value);
  void SetZero() { Fill(0.0f); }

  // Bitwise equality of shape and values (determinism tests want exactly this).
  friend bool operator==(const Matrix& a, const Matrix& b);

 private:
  struct AlignedDelete {
    void operator()(float* pointer) const;
  };

  size_t rows_ = 0;
  size_t cols_ = 0;
  size_t capacity_ = 0;
  std::unique_ptr<float[], AlignedDelete> storage_;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_MATRIX_H_
