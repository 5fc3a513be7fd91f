// ColumnBuilder: appends the rows of one Column, in order, and hands the
// finished column over with Finish(). The readers fill one builder per column;
// tests build small columns directly.
//
// Categorical values are interned as they arrive (CategoryDictionary: a hash
// map from string to code, looked up with the caller's string_view), so
// appending a value seen before allocates nothing. Whole columns can be
// appended too (AppendColumn, re-coding categories), which is how the parallel
// readers join the pieces parsed on different threads.
//
// Thread-safety: not thread-safe; one builder (one dictionary) belongs to one
// thread.

#ifndef MODELHOST_DATA_COLUMN_BUILDER_H_
#define MODELHOST_DATA_COLUMN_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "data/column.h"

namespace modelhost::data {

// The distinct strings of a categorical column in order of first appearance,
// each with its code (its index).
class CategoryDictionary {
 public:
  // At most this many distinct categories (codes are int32 and -1 is taken).
  static constexpr size_t kMaxCategories = 2147483647;

  // The code of `value`, adding it if new. ResourceExhausted when a new value
  // would exceed kMaxCategories; `column` names the column in that message.
  core::Result<int32_t> Intern(std::string_view value, std::string_view column);

  // The code of `value`, or nullopt when it is not in the dictionary.
  std::optional<int32_t> Find(std::string_view value) const;

  size_t size() const { return categories_.size(); }
  std::span<const std::string> categories() const { return categories_; }

  // The categories, leaving the dictionary empty.
  std::vector<std::string> TakeCategories() &&;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  std::vector<std::string> categories_;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> codes_by_category_;
};

class ColumnBuilder {
 public:
  static constexpr size_t kMaxCategories = CategoryDictionary::kMaxCategories;

  // A column made of finished parts, without copying them: the stored-dataset
  // reader's way in, after it has checked the parts. REQUIRES (asserted where
  // cheap): one value per row of `validity`; missing rows hold the fillers of
  // column.h; bools are 0 or 1; categorical codes of valid rows index
  // `categories`, which are distinct.
  static Column Assemble(std::string name, Column::Values values, ValidityBitmap validity);

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

  // Appends every row of `piece`, in order; categories are re-coded through
  // this builder's dictionary. REQUIRES: piece.type() == type() (asserted).
  // ResourceExhausted as AppendCategorical; nothing is appended then.
  core::Status AppendColumn(const Column& piece);

  // Turns an int64 builder into a float64 one, converting the rows so far
  // (integers beyond ±2^53 round to the nearest double). REQUIRES: type() == kInt64.
  void ConvertInt64ToFloat64();

  // The finished column; the builder is left empty and must not be reused.
  Column Finish() &&;

 private:
  std::string name_;
  Column::Values values_;  // for kCategorical, the codes only: categories live in dictionary_
  ValidityBitmap validity_;
  CategoryDictionary dictionary_;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_COLUMN_BUILDER_H_
