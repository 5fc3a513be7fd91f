// ValidityBitmap: one bit per row of a column, set when the row holds a value
// and clear when it is missing (the Arrow convention), with the count of
// missing rows kept alongside so that "has the column any gaps?" is O(1).
//
// Bits are packed into 64-bit words, least significant bit first, so later
// transforms can test or combine 64 rows at a time through words().
//
// Thread-safety: a value type; concurrent reads are safe, writes need
// external synchronization.

#ifndef MODELHOST_DATA_VALIDITY_BITMAP_H_
#define MODELHOST_DATA_VALIDITY_BITMAP_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace modelhost::data {

class ValidityBitmap {
 public:
  ValidityBitmap() = default;

  size_t size() const { return size_; }
  size_t missing_count() const { return missing_count_; }

  // REQUIRES: row < size().
  bool IsValid(size_t row) const { return (words_[row / 64] >> (row % 64)) & 1U; }
  bool IsMissing(size_t row) const { return !IsValid(row); }

  // Appends one row, valid (holding a value) or missing.
  void Append(bool valid) {
    if (size_ % 64 == 0) words_.push_back(0);
    if (valid) {
      words_.back() |= uint64_t{1} << (size_ % 64);
    } else {
      ++missing_count_;
    }
    ++size_;
  }

  void Reserve(size_t rows) { words_.reserve((rows + 63) / 64); }

  // The packed bits: row r is bit r % 64 of word r / 64; bits past size() are 0.
  std::span<const uint64_t> words() const { return words_; }

  friend bool operator==(const ValidityBitmap&, const ValidityBitmap&) = default;

 private:
  std::vector<uint64_t> words_;
  size_t size_ = 0;
  size_t missing_count_ = 0;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_VALIDITY_BITMAP_H_
