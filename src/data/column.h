// Column: one named, typed column of a Table — a contiguous array of values
// plus a ValidityBitmap that marks the missing rows.
//
// Four types exist. float64, int64 and bool hold their values directly (bool
// as one byte per row, 0 or 1, so a span of them is addressable); categorical
// holds text dictionary-encoded: an int32 code per row indexing categories(),
// which lists each distinct string once, in order of first appearance. The
// slot of a missing row holds a fixed filler — NaN, 0, 0 and code -1 — so
// kernels may read the whole array and mask afterwards.
//
// Columns are built with ColumnBuilder (column_builder.h) and are immutable
// afterwards.
//
// Thread-safety: immutable once built; concurrent reads are safe.

#ifndef MODELHOST_DATA_COLUMN_H_
#define MODELHOST_DATA_COLUMN_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "data/validity_bitmap.h"

namespace modelhost::data {

enum class ColumnType { kFloat64, kInt64, kBool, kCategorical };

// "float64", "int64", "bool", "categorical".
std::string_view ToString(ColumnType type);

// Parses a type name as written in options and API requests: the names
// ToString returns, plus "string" for kCategorical. InvalidArgument otherwise.
core::Result<ColumnType> ParseColumnType(std::string_view name);

// The dictionary-encoded storage of a categorical column.
struct CategoricalValues {
  std::vector<int32_t> codes;           // one per row; -1 where missing
  std::vector<std::string> categories;  // distinct values, first-appearance order
};

class Column {
 public:
  // Code stored in categorical_codes() for a missing row.
  static constexpr int32_t kMissingCode = -1;

  // The storage; the alternatives follow ColumnType's order, so index() is the type.
  using Values = std::variant<std::vector<double>, std::vector<int64_t>, std::vector<uint8_t>,
                              CategoricalValues>;

  const std::string& name() const { return name_; }
  ColumnType type() const { return static_cast<ColumnType>(values_.index()); }
  size_t size() const { return validity_.size(); }
  size_t missing_count() const { return validity_.missing_count(); }
  // REQUIRES: row < size().
  bool IsMissing(size_t row) const { return validity_.IsMissing(row); }
  const ValidityBitmap& validity() const { return validity_; }

  // The value arrays, one element per row. Each REQUIRES the matching type()
  // (asserted); missing rows hold NaN, 0, 0 and kMissingCode respectively.
  std::span<const double> float64_values() const;
  std::span<const int64_t> int64_values() const;
  std::span<const uint8_t> bool_values() const;
  std::span<const int32_t> categorical_codes() const;
  std::span<const std::string> categories() const;

  // The string at `row` of a categorical column, "" when missing.
  // REQUIRES: type() == kCategorical, row < size().
  std::string_view CategoryAt(size_t row) const;

 private:
  friend class ColumnBuilder;

  Column(std::string name, Values values, ValidityBitmap validity)
      : name_(std::move(name)), values_(std::move(values)), validity_(std::move(validity)) {}

  std::string name_;
  Values values_;
  ValidityBitmap validity_;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_COLUMN_H_
