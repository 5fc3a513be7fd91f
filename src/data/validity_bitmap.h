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

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
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

  // Appends one row, valid (holding a value) or missing. Inline and without
  // a branch on `valid`: the readers call it once per field.
  [[gnu::always_inline]] void Append(bool valid) {
    const size_t bit = size_ % 64;
    if (bit == 0) words_.push_back(0);
    words_.back() |= uint64_t{valid} << bit;
    missing_count_ += valid ? 0 : 1;
    ++size_;
  }

  void Reserve(size_t rows) { words_.reserve((rows + 63) / 64); }

  // Appends every row of `other`, in order, a word at a time.
  void Append(const ValidityBitmap& other) {
    const size_t shift = size_ % 64;
    if (shift == 0) {
      words_.insert(words_.end(), other.words_.begin(), other.words_.end());
    } else {
      for (size_t word = 0; word < other.words_.size(); ++word) {
        words_.back() |= other.words_[word] << shift;
        // The high bits of this word belong to the next one, unless it would hold no row.
        if (size_ + (word + 1) * 64 - shift < size_ + other.size_) {
          words_.push_back(other.words_[word] >> (64 - shift));
        }
      }
    }
    size_ += other.size_;
    missing_count_ += other.missing_count_;
  }

  // The bitmap of `size` rows whose packed bits are `words` (as words()
  // returns them). Nullopt when `words` does not hold exactly (size + 63) / 64
  // words or sets a bit past `size` — what a bitmap read from a file must pass.
  static std::optional<ValidityBitmap> FromWords(std::vector<uint64_t> words, size_t size) {
    if (words.size() != (size + 63) / 64) return std::nullopt;
    if (size % 64 != 0 && (words.back() >> (size % 64)) != 0) return std::nullopt;
    ValidityBitmap bitmap;
    size_t valid = 0;
    for (uint64_t word : words) valid += static_cast<size_t>(std::popcount(word));
    bitmap.words_ = std::move(words);
    bitmap.size_ = size;
    bitmap.missing_count_ = size - valid;
    return bitmap;
  }

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
