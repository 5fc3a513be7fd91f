// ColumnBuilder: appends the rows of one Column, in order, and hands the
// finished column over with Finish(). The readers fill one builder per column;
// tests build small columns directly.
//
// Categorical values are interned as they arrive: a hash map from string to
// code, looked up with the caller's string_view, so appending a value seen
// before allocates nothing.
//
// Thread-safety: not thread-safe; one builder belongs to one thread.

#ifndef MODELHOST_DATA_COLUMN_BUILDER_H_
#define MODELHOST_DATA_COLUMN_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "data/column.h"

namespace modelhost::data {

class ColumnBuilder {
 public:
  // At most this many distinct categories (codes are int32 and -1 is taken).
  static constexpr size_t kMaxCategories = 2147483647;

  ColumnBuilder(std::string name, ColumnType type);

  ColumnType type() const;
  size_t size() const { return validity_.size(); }
  void Reserve(size_t rows);

  // Appends a missing row (any type).
  void AppendMissing();
  // Each REQUIRES the matching type() (asserted).
  void AppendFloat64(double value);
  void AppendInt64(int64_t value);
  void AppendBool(bool value);
  // Appends `value`, adding it to the dictionary if new. ResourceExhausted
  // when a new value would exceed kMaxCategories; nothing is appended then.
  core::Status AppendCategorical(std::string_view value);

  // Turns an int64 builder into a float64 one, converting the rows so far
  // (integers beyond ±2^53 round to the nearest double). REQUIRES: type() == kInt64.
  void ConvertInt64ToFloat64();

  // The finished column; the builder is left empty and must not be reused.
  Column Finish() &&;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  std::string name_;
  Column::Values values_;
  ValidityBitmap validity_;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> codes_by_category_;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_COLUMN_BUILDER_H_
