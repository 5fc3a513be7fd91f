#include "data/column_builder.h"

#include <cassert>
#include <limits>
#include <utility>
#include <vector>

namespace modelhost::data {

namespace {

Column::Values EmptyValues(ColumnType type) {
  switch (type) {
    case ColumnType::kFloat64: return std::vector<double>();
    case ColumnType::kInt64: return std::vector<int64_t>();
    case ColumnType::kBool: return std::vector<uint8_t>();
    case ColumnType::kCategorical: return CategoricalValues();
  }
  assert(false && "unknown ColumnType");
  return std::vector<double>();
}

}  // namespace

ColumnBuilder::ColumnBuilder(std::string name, ColumnType type)
    : name_(std::move(name)), values_(EmptyValues(type)) {}

ColumnType ColumnBuilder::type() const { return static_cast<ColumnType>(values_.index()); }

void ColumnBuilder::Reserve(size_t rows) {
  validity_.Reserve(rows);
  std::visit(
      [rows](auto& values) {
        if constexpr (std::is_same_v<std::decay_t<decltype(values)>, CategoricalValues>) {
          values.codes.reserve(rows);
        } else {
          values.reserve(rows);
        }
      },
      values_);
}

void ColumnBuilder::AppendMissing() {
  validity_.Append(false);
  switch (type()) {
    case ColumnType::kFloat64:
      std::get<std::vector<double>>(values_).push_back(std::numeric_limits<double>::quiet_NaN());
      break;
    case ColumnType::kInt64: std::get<std::vector<int64_t>>(values_).push_back(0); break;
    case ColumnType::kBool: std::get<std::vector<uint8_t>>(values_).push_back(0); break;
    case ColumnType::kCategorical:
      std::get<CategoricalValues>(values_).codes.push_back(Column::kMissingCode);
      break;
  }
}

void ColumnBuilder::AppendFloat64(double value) {
  assert(type() == ColumnType::kFloat64);
  std::get<std::vector<double>>(values_).push_back(value);
  validity_.Append(true);
}

void ColumnBuilder::AppendInt64(int64_t value) {
  assert(type() == ColumnType::kInt64);
  std::get<std::vector<int64_t>>(values_).push_back(value);
  validity_.Append(true);
}

void ColumnBuilder::AppendBool(bool value) {
  assert(type() == ColumnType::kBool);
  std::get<std::vector<uint8_t>>(values_).push_back(value ? 1 : 0);
  validity_.Append(true);
}

core::Status ColumnBuilder::AppendCategorical(std::string_view value) {
  assert(type() == ColumnType::kCategorical);
  auto& values = std::get<CategoricalValues>(values_);
  int32_t code;
  if (auto found = codes_by_category_.find(value); found != codes_by_category_.end()) {
    code = found->second;
  } else {
    if (values.categories.size() >= kMaxCategories) {
      return core::ResourceExhausted("column '" + name_ + "' has more than " +
                                     std::to_string(kMaxCategories) + " distinct values");
    }
    code = static_cast<int32_t>(values.categories.size());
    values.categories.emplace_back(value);
    codes_by_category_.emplace(values.categories.back(), code);
  }
  values.codes.push_back(code);
  validity_.Append(true);
  return core::OkStatus();
}

void ColumnBuilder::ConvertInt64ToFloat64() {
  assert(type() == ColumnType::kInt64);
  const auto& ints = std::get<std::vector<int64_t>>(values_);
  std::vector<double> doubles(ints.size());
  for (size_t row = 0; row < ints.size(); ++row) {
    doubles[row] = validity_.IsValid(row) ? static_cast<double>(ints[row])
                                          : std::numeric_limits<double>::quiet_NaN();
  }
  values_ = std::move(doubles);
}

Column ColumnBuilder::Finish() && {
  codes_by_category_.clear();
  return Column(std::move(name_), std::move(values_), std::move(validity_));
}

}  // namespace modelhost::data
