// Frame: the mutable working copy of a table's columns while a pipeline is
// fitted or applied. Steps read and rewrite it column by column; at the end it
// becomes the feature matrix (feature_matrix.h).
//
// Two kinds of column: numeric (float64, int64 and bool, all held as doubles,
// NaN marking a missing value — so a NaN read from a file is missing too) and
// categorical (int32 codes into a list of distinct strings, -1 missing, as in
// Column). A numeric column starts out borrowing the table's float64 array and
// copies it on its first write, so a step that reads a column costs no copy.
// int64 values beyond ±2^53 are rounded to the nearest double.
//
// Thread-safety: not thread-safe. A Frame that borrows must not outlive the
// Table it was made from.

#ifndef MODELHOST_DATA_FRAME_H_
#define MODELHOST_DATA_FRAME_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/column.h"
#include "data/column_selector.h"

namespace modelhost::data {

// How a numeric value of `type` reads as text: "true" / "false" for kBool,
// else the shortest decimal that parses back to the same double ("3", "0.1").
std::string FormatNumber(double value, ColumnType type);

class FrameColumn {
 public:
  // A numeric column of `type` (not kCategorical) owning `values`.
  FrameColumn(std::string name, ColumnType type, std::vector<double> values);
  // A categorical column.
  FrameColumn(std::string name, std::vector<int32_t> codes, std::vector<std::string> categories);
  // A copy of `column`'s values; a float64 column is borrowed, not copied.
  explicit FrameColumn(const Column& column);

  const std::string& name() const { return name_; }
  ColumnType type() const { return type_; }
  bool is_numeric() const { return type_ != ColumnType::kCategorical; }
  size_t size() const { return is_numeric() ? values().size() : codes_.size(); }

  // Numeric storage, NaN where missing. REQUIRES: is_numeric().
  std::span<const double> values() const { return owned_ ? values_ : borrowed_; }
  // Copies a borrowed array first. REQUIRES: is_numeric().
  std::span<double> MutableValues();
  // Replaces each value x by map(x), in place or, while borrowing, straight
  // from the borrowed array into a new one (saving the copy MutableValues
  // would make). REQUIRES: is_numeric().
  template <typename Map>
  void MapValues(Map map) {
    if (!owned_) {
      ReserveOwned(borrowed_.size());
      values_.resize(borrowed_.size());
      const double* source = borrowed_.data();
      double* target = values_.data();
      for (size_t row = 0; row < values_.size(); ++row) target[row] = map(source[row]);
      borrowed_ = {};
      owned_ = true;
      return;
    }
    for (double& value : values_) value = map(value);
  }
  // Changes the type of a numeric column to another numeric type, values
  // untouched. REQUIRES: is_numeric() and type != kCategorical.
  void set_numeric_type(ColumnType type) { type_ = type; }
  // Replaces the values (and the type, which must be numeric).
  void SetNumeric(ColumnType type, std::vector<double> values);

  // Categorical storage. REQUIRES: !is_numeric().
  std::span<const int32_t> codes() const { return codes_; }
  std::span<int32_t> MutableCodes() { return codes_; }
  std::span<const std::string> categories() const { return categories_; }
  // The code of `category`, added to the dictionary if new.
  int32_t InternCategory(std::string_view category);
  // Rewrites the dictionary: category c becomes replacement[c], or missing
  // when that is nullopt; categories that become equal are merged.
  // REQUIRES: replacement.size() == categories().size().
  void ReplaceCategories(std::span<const std::optional<std::string>> replacement);
  // For each code, the position of its category in `sorted` (sorted by
  // bytes, distinct), or -1 where `sorted` lacks it. REQUIRES: !is_numeric().
  std::vector<int64_t> PositionsIn(std::span<const std::string> sorted) const;
  // Replaces the values with categorical ones.
  void SetCategorical(std::vector<int32_t> codes, std::vector<std::string> categories);

  // Keeps the rows whose keep[row] is nonzero, in order.
  void KeepRows(std::span<const uint8_t> keep, size_t kept);

 private:
  // Reserves `rows` owned values, backed by huge pages when large.
  void ReserveOwned(size_t rows);

  std::string name_;
  ColumnType type_;
  std::span<const double> borrowed_;
  std::vector<double> values_;
  bool owned_ = true;
  std::vector<int32_t> codes_;
  std::vector<std::string> categories_;
};

class Frame {
 public:
  // REQUIRES: every column has `num_rows` rows.
  Frame(std::vector<FrameColumn> columns, size_t num_rows, std::string target);

  size_t num_rows() const { return num_rows_; }
  // The target column's name; "" when the pipeline has none.
  const std::string& target() const { return target_; }
  std::vector<FrameColumn>& columns() { return columns_; }
  const std::vector<FrameColumn>& columns() const { return columns_; }

  // The index of the column called `name`, or nullopt.
  std::optional<size_t> Find(std::string_view name) const;
  // Like Find, but InvalidArgument "no column 'x'" when absent.
  core::Result<size_t> Require(std::string_view name) const;

  // The indices of the columns `selector` picks, in frame order for type
  // selectors and in listed order for names. Errors (InvalidArgument): a
  // named column that does not exist; naming the target unless
  // `allow_target`.
  core::Result<std::vector<size_t>> Select(const ColumnSelector& selector,
                                           bool allow_target = false) const;

  // Keeps the rows whose keep[row] is nonzero. REQUIRES: keep.size() == num_rows().
  void KeepRows(std::span<const uint8_t> keep);
  // Removes the column at `index`.
  void RemoveColumn(size_t index);
  // Replaces the column at `index` by `replacement` (in order). InvalidArgument
  // when a new name is already taken by another column.
  core::Status ReplaceColumn(size_t index, std::vector<FrameColumn> replacement);

 private:
  std::vector<FrameColumn> columns_;
  size_t num_rows_;
  std::string target_;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_FRAME_H_
