#include "nn/matrix.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

namespace modelhost::nn {
namespace {

float* AllocateAligned(size_t count) {
  if (count == 0) return nullptr;
  return static_cast<float*>(
      ::operator new[](count * sizeof(float), std::align_val_t(Matrix::kAlignment)));
}

}  // namespace

void Matrix::AlignedDelete::operator()(float* pointer) const {
  ::operator delete[](pointer, std::align_val_t(Matrix::kAlignment));
}

Matrix::Matrix(size_t rows, size_t cols) {
  Resize(rows, cols);
  SetZero();
}

Matrix::Matrix(size_t rows, size_t cols, std::initializer_list<float> values) {
  assert(values.size() == rows * cols);
  Resize(rows, cols);
  std::copy(values.begin(), values.end(), data());
}

Matrix::Matrix(const Matrix& other) {
  Resize(other.rows_, other.cols_);
  if (!other.empty()) std::memcpy(data(), other.data(), size() * sizeof(float));
}

Matrix& Matrix::operator=(const Matrix& other) {
  if (this != &other) {
    Resize(other.rows_, other.cols_);
    if (!other.empty()) std::memcpy(data(), other.data(), size() * sizeof(float));
  }
  return *this;
}

Matrix::Matrix(Matrix&& other) noexcept
    : rows_(std::exchange(other.rows_, 0)),
      cols_(std::exchange(other.cols_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      storage_(std::move(other.storage_)) {}

Matrix& Matrix::operator=(Matrix&& other) noexcept {
  rows_ = std::exchange(other.rows_, 0);
  cols_ = std::exchange(other.cols_, 0);
  capacity_ = std::exchange(other.capacity_, 0);
  storage_ = std::move(other.storage_);
  return *this;
}

void Matrix::Resize(size_t rows, size_t cols) {
  assert(cols == 0 || rows <= std::numeric_limits<size_t>::max() / sizeof(float) / cols);
  const size_t needed = rows * cols;
  if (needed > capacity_) {
    storage_.reset(AllocateAligned(needed));
    capacity_ = needed;
  }
  rows_ = rows;
  cols_ = cols;
}

void Matrix::Fill(float value) { std::fill_n(data(), size(), value); }

bool operator==(const Matrix& a, const Matrix& b) {
  return a.rows_ == b.rows_ && a.cols_ == b.cols_ &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

}  // namespace modelhost::nn
