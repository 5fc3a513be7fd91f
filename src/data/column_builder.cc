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

template <typename T>
void AppendRange(std::vector<T>& values, std::span<const T> more) {
  values.insert(values.end(), more.begin(), more.end());
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
  MODELHOST_ASSIGN_OR_RETURN(int32_t code, dictionary_.Intern(value, name_));
  std::get<CategoricalValues>(values_).codes.push_back(code);
  validity_.Append(true);
  return core::OkStatus();
}

core::Status ColumnBuilder::AppendColumn(const Column& piece) {
  assert(piece.type() == type());
  switch (type()) {
    case ColumnType::kFloat64:
      AppendRange(std::get<std::vector<double>>(values_), piece.float64_values());
      break;
    case ColumnType::kInt64:
      AppendRange(std::get<std::vector<int64_t>>(values_), piece.int64_values());
      break;
    case ColumnType::kBool:
      AppendRange(std::get<std::vector<uint8_t>>(values_), piece.bool_values());
      break;
    case ColumnType::kCategorical: {
      // The piece's code k becomes recode[k] here.
      std::vector<int32_t> recode;
      recode.reserve(piece.categories().size());
      for (const std::string& category : piece.categories()) {
        MODELHOST_ASSIGN_OR_RETURN(int32_t code, dictionary_.Intern(category, name_));
        recode.push_back(code);
      }
      auto& codes = std::get<CategoricalValues>(values_).codes;
      codes.reserve(codes.size() + piece.size());
      for (int32_t code : piece.categorical_codes()) {
        codes.push_back(code == Column::kMissingCode ? code : recode[code]);
      }
      break;
    }
  }
  validity_.Append(piece.validity());
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
  if (auto* categorical = std::get_if<CategoricalValues>(&values_)) {
    categorical->categories = std::move(dictionary_).TakeCategories();
  }
  return Column(std::move(name_), std::move(values_), std::move(validity_));
}

Column ColumnBuilder::Assemble(std::string name, Column::Values values, ValidityBitmap validity) {
  assert(std::visit(
             [&](const auto& array) {
               if constexpr (std::is_same_v<std::decay_t<decltype(array)>, CategoricalValues>) {
                 return array.codes.size();
               } else {
                 return array.size();
               }
             },
             values) == validity.size());
  return Column(std::move(name), std::move(values), std::move(validity));
}

core::Result<int32_t> CategoryDictionary::Intern(std::string_view value, std::string_view column) {
  if (auto found = codes_by_category_.find(value); found != codes_by_category_.end()) {
    return found->second;
  }
  if (categories_.size() >= kMaxCategories) {
    return core::ResourceExhausted("column '" + std::string(column) + "' has more than " +
                                   std::to_string(kMaxCategories) + " distinct values");
  }
  const auto code = static_cast<int32_t>(categories_.size());
  categories_.emplace_back(value);
  codes_by_category_.emplace(categories_.back(), code);
  return code;
}

std::optional<int32_t> CategoryDictionary::Find(std::string_view value) const {
  auto found = codes_by_category_.find(value);
  if (found == codes_by_category_.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> CategoryDictionary::TakeCategories() && {
  codes_by_category_.clear();
  return std::move(categories_);
}

}  // namespace modelhost::data
