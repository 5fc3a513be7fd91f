// PlacedValues<T>: the values of one numeric column of one CSV piece, written
// where the table's column will hold them — a run of cells of a vector
// allocated for the whole column, starting at the piece's first row — so that
// a column parsed in pieces on several threads is written once, instead of
// once per piece and again when the pieces are joined (csv_reader.cc). Past
// the run's capacity (the piece holds more rows than its lines foretold), or
// without a run, the values go to a vector of their own, as a std::vector's
// would.
//
// Thread-safety: not thread-safe; pieces own disjoint runs of one vector.

#ifndef MODELHOST_DATA_CSV_PLACED_VALUES_H_
#define MODELHOST_DATA_CSV_PLACED_VALUES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace modelhost::data {

// Where a piece's values of one column go: `capacity` cells at `reals` or at
// `ints` (one of them, the type the table's column was allocated with), or
// nowhere in particular (both null).
struct CsvColumnPlace {
  double* reals = nullptr;
  int64_t* ints = nullptr;
  size_t capacity = 0;
};

template <typename T>
class PlacedValues {
 public:
  // Values go to cells[0, capacity) until they outgrow it. REQUIRES: empty.
  void Place(T* cells, size_t capacity) {
    cells_ = cells;
    capacity_ = capacity;
  }
  // Whether every value so far lies in the place.
  bool placed() const { return cells_ != nullptr; }
  size_t size() const { return placed() ? size_ : own_.size(); }
  const T& operator[](size_t row) const { return placed() ? cells_[row] : own_[row]; }

  void Reserve(size_t rows) {
    if (!placed()) own_.reserve(rows);
  }
  [[gnu::always_inline]] void PushBack(T value) {
    if (cells_ != nullptr) {
      if (size_ < capacity_) {
        cells_[size_++] = value;
        return;
      }
      Unplace();
    }
    own_.push_back(value);
  }
  // Drops the values, and the place with them.
  void Clear() {
    cells_ = nullptr;
    capacity_ = 0;
    size_ = 0;
    own_ = {};
  }
  // The values, in a vector of their own. REQUIRES: !placed().
  std::vector<T> TakeOwn() && { return std::move(own_); }

 private:
  void Unplace() {
    own_.reserve(std::max<size_t>(2 * size_, 16));
    own_.assign(cells_, cells_ + size_);
    cells_ = nullptr;
  }

  T* cells_ = nullptr;
  size_t capacity_ = 0;
  size_t size_ = 0;
  std::vector<T> own_;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_CSV_PLACED_VALUES_H_
