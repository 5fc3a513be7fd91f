#include "data/column.h"

#include <cassert>
#include <string>

namespace modelhost::data {

std::string_view ToString(ColumnType type) {
  switch (type) {
    case ColumnType::kFloat64: return "float64";
    case ColumnType::kInt64: return "int64";
    case ColumnType::kBool: return "bool";
    case ColumnType::kCategorical: return "categorical";
  }
  return "unknown";
}

core::Result<ColumnType> ParseColumnType(std::string_view name) {
  if (name == "float64") return ColumnType::kFloat64;
  if (name == "int64") return ColumnType::kInt64;
  if (name == "bool") return ColumnType::kBool;
  if (name == "categorical" || name == "string") return ColumnType::kCategorical;
  return core::InvalidArgument("unknown column type '" + std::string(name) +
                               "' (expected float64, int64, bool, categorical or string)");
}

std::span<const double> Column::float64_values() const {
  assert(type() == ColumnType::kFloat64);
  return std::get<std::vector<double>>(values_);
}

std::span<const int64_t> Column::int64_values() const {
  assert(type() == ColumnType::kInt64);
  return std::get<std::vector<int64_t>>(values_);
}

std::span<const uint8_t> Column::bool_values() const {
  assert(type() == ColumnType::kBool);
  return std::get<std::vector<uint8_t>>(values_);
}

std::span<const int32_t> Column::categorical_codes() const {
  assert(type() == ColumnType::kCategorical);
  return std::get<CategoricalValues>(values_).codes;
}

std::span<const std::string> Column::categories() const {
  assert(type() == ColumnType::kCategorical);
  return std::get<CategoricalValues>(values_).categories;
}

std::string_view Column::CategoryAt(size_t row) const {
  const auto& values = std::get<CategoricalValues>(values_);
  int32_t code = values.codes[row];
  return code == kMissingCode ? std::string_view() : std::string_view(values.categories[code]);
}

}  // namespace modelhost::data
