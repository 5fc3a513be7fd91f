#include "model/input_schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <span>
#include <utility>

namespace modelhost::model {
namespace {

using data::Column;
using data::ColumnType;

bool IsNumeric(ColumnType type) { return type != ColumnType::kCategorical; }

std::string FormatNumber(double value) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

// The class label of a non-missing `row` of `column` (see the header).
std::string LabelAt(const Column& column, size_t row) {
  switch (column.type()) {
    case ColumnType::kFloat64: return FormatNumber(column.float64_values()[row]);
    case ColumnType::kInt64: return std::to_string(column.int64_values()[row]);
    case ColumnType::kBool: return column.bool_values()[row] != 0 ? "true" : "false";
    case ColumnType::kCategorical: return std::string(column.CategoryAt(row));
  }
  return "";
}

double NumberAt(const Column& column, size_t row) {
  switch (column.type()) {
    case ColumnType::kFloat64: return column.float64_values()[row];
    case ColumnType::kInt64: return static_cast<double>(column.int64_values()[row]);
    case ColumnType::kBool: return column.bool_values()[row];
    case ColumnType::kCategorical: break;
  }
  return 0.0;
}

std::string MissingMessage(const Column& column, std::string_view role) {
  return std::string(role) + " column '" + column.name() + "' has " +
         std::to_string(column.missing_count()) +
         " missing value(s); impute them (train --pipeline with an impute step) or drop them";
}

// InvalidArgument for a value the network cannot take, naming role, column
// and row: NaN (a "nan" in the data is a number, not a missing value), an
// infinity, or a number that overflows float32 (1e300).
core::Status NonFiniteValue(const Column& column, size_t row, std::string_view role) {
  const double value = NumberAt(column, row);
  std::string place =
      std::string(role) + " '" + column.name() + "', row " + std::to_string(row + 1) + ": ";
  if (std::isnan(value)) {
    return core::InvalidArgument(place +
                                 "NaN is not a number (leave the field empty or write NA to mark "
                                 "it missing, then impute it or drop the row)");
  }
  const std::string text = FormatNumber(value);
  if (std::isinf(value)) return core::InvalidArgument(place + text + " is not finite");
  return core::InvalidArgument(place + text + " does not fit a float32");
}

// NonFiniteValue for the first such value of a numeric `column`.
core::Status CheckFinite(const Column& column, std::string_view role) {
  if (column.type() != ColumnType::kFloat64) return core::OkStatus();  // ints, bools fit
  std::span<const double> values = column.float64_values();
  for (size_t row = 0; row < values.size(); ++row) {
    if (!std::isfinite(static_cast<float>(values[row]))) return NonFiniteValue(column, row, role);
  }
  return core::OkStatus();
}

// The distinct labels of `column`, sorted: numerically for numbers,
// lexicographically for text. REQUIRES: no missing values.
std::vector<std::string> DistinctLabels(const Column& column) {
  std::vector<std::string> labels;
  if (column.type() == ColumnType::kCategorical) {
    std::set<std::string_view> seen;
    for (int32_t code : column.categorical_codes()) seen.insert(column.categories()[code]);
    labels.assign(seen.begin(), seen.end());
    return labels;
  }
  std::map<double, size_t> first_row;  // value → a row holding it
  for (size_t row = 0; row < column.size(); ++row) first_row.emplace(NumberAt(column, row), row);
  for (const auto& [value, row] : first_row) labels.push_back(LabelAt(column, row));
  return labels;
}

// Whether an int64 column's distinct values are exactly 0..k-1 with
// 2 <= k <= kMaxInferredIntegerClasses.
bool LooksLikeClassIndices(const std::vector<std::string>& labels) {
  if (labels.size() < 2 || labels.size() > kMaxInferredIntegerClasses) return false;
  for (size_t index = 0; index < labels.size(); ++index) {
    if (labels[index] != std::to_string(index)) return false;
  }
  return true;
}

core::Result<TargetSchema> InferTarget(const Column& column, std::optional<nn::LossKind> loss) {
  if (column.missing_count() > 0) return core::InvalidArgument(MissingMessage(column, "target"));
  if (column.size() == 0) return core::InvalidArgument("the data has no rows");
  MODELHOST_RETURN_IF_ERROR(CheckFinite(column, "target"));
  TargetSchema target{column.name(), column.type(), TargetEncoding::kValue, {}};
  std::optional<TargetEncoding> encoding;
  if (loss) {
    switch (*loss) {
      case nn::LossKind::kBinaryCrossentropy: encoding = TargetEncoding::kBinary; break;
      case nn::LossKind::kSparseCategoricalCrossentropy:
        encoding = TargetEncoding::kClassIndex;
        break;
      case nn::LossKind::kCategoricalCrossentropy: encoding = TargetEncoding::kOneHot; break;
      default: encoding = TargetEncoding::kValue;
    }
  }
  if (encoding == TargetEncoding::kValue || (!encoding && column.type() == ColumnType::kFloat64)) {
    if (!IsNumeric(column.type())) {
      return core::InvalidArgument("target column '" + column.name() +
                                   "' is categorical; a regression loss needs a numeric target");
    }
    return target;
  }
  target.labels = DistinctLabels(column);
  if (!encoding) {
    if (column.type() == ColumnType::kInt64 && !LooksLikeClassIndices(target.labels)) {
      target.labels.clear();
      return target;  // a quantity
    }
    encoding = target.labels.size() == 2 ? TargetEncoding::kBinary : TargetEncoding::kClassIndex;
  }
  if (target.labels.size() < 2) {
    return core::InvalidArgument("target column '" + column.name() +
                                 "' holds a single class; classification needs at least two");
  }
  if (encoding == TargetEncoding::kBinary && target.labels.size() != 2) {
    return core::InvalidArgument("target column '" + column.name() + "' holds " +
                                 std::to_string(target.labels.size()) +
                                 " classes; binary_crossentropy needs exactly two");
  }
  target.encoding = *encoding;
  return target;
}

}  // namespace

std::string_view ToString(TargetEncoding encoding) {
  switch (encoding) {
    case TargetEncoding::kValue: return "value";
    case TargetEncoding::kBinary: return "binary";
    case TargetEncoding::kClassIndex: return "class_index";
    case TargetEncoding::kOneHot: return "one_hot";
  }
  return "?";
}

core::Result<TargetEncoding> ParseTargetEncoding(std::string_view name) {
  for (TargetEncoding encoding : {TargetEncoding::kValue, TargetEncoding::kBinary,
                                  TargetEncoding::kClassIndex, TargetEncoding::kOneHot}) {
    if (ToString(encoding) == name) return encoding;
  }
  return core::InvalidArgument("unknown target encoding '" + std::string(name) +
                               "' (expected value, binary, class_index or one_hot)");
}

bool operator==(const FeatureSchema& a, const FeatureSchema& b) {
  return a.name == b.name && a.type == b.type;
}
bool operator==(const TargetSchema& a, const TargetSchema& b) {
  return a.name == b.name && a.type == b.type && a.encoding == b.encoding && a.labels == b.labels;
}
bool operator==(const InputSchema& a, const InputSchema& b) {
  return a.features == b.features && a.target == b.target;
}

core::Result<TargetSchema> InferTargetSchema(const data::Table& table, std::string_view target,
                                             std::optional<nn::LossKind> loss) {
  const Column* target_column = table.FindColumn(target);
  if (target_column == nullptr) {
    return core::NotFound("the data has no target column '" + std::string(target) + "'");
  }
  return InferTarget(*target_column, loss);
}

core::Result<InputSchema> InferInputSchema(const data::Table& table, std::string_view target,
                                           std::optional<nn::LossKind> loss) {
  InputSchema schema;
  MODELHOST_ASSIGN_OR_RETURN(schema.target, InferTargetSchema(table, target, loss));
  for (const Column& column : table.columns()) {
    if (column.name() == target) continue;
    if (column.type() == ColumnType::kCategorical) {
      return core::InvalidArgument("feature column '" + column.name() +
                                   "' is categorical; encode it (train --pipeline with a one_hot "
                                   "or ordinal step) or leave it out");
    }
    if (column.missing_count() > 0) {
      return core::InvalidArgument(MissingMessage(column, "feature"));
    }
    MODELHOST_RETURN_IF_ERROR(CheckFinite(column, "feature"));
    schema.features.push_back({column.name(), column.type()});
  }
  if (schema.features.empty()) {
    return core::InvalidArgument("the data has no feature column besides the target '" +
                                 std::string(target) + "'");
  }
  return schema;
}

nn::LossKind DefaultLoss(const TargetSchema& target) {
  switch (target.encoding) {
    case TargetEncoding::kBinary: return nn::LossKind::kBinaryCrossentropy;
    case TargetEncoding::kClassIndex: return nn::LossKind::kSparseCategoricalCrossentropy;
    case TargetEncoding::kOneHot: return nn::LossKind::kCategoricalCrossentropy;
    case TargetEncoding::kValue: break;
  }
  return nn::LossKind::kMeanSquaredError;
}

size_t OutputWidth(const TargetSchema& target) {
  switch (target.encoding) {
    case TargetEncoding::kClassIndex:
    case TargetEncoding::kOneHot: return target.labels.size();
    case TargetEncoding::kValue:
    case TargetEncoding::kBinary: break;
  }
  return 1;
}

core::Result<nn::Matrix> MakeFeatureMatrix(const data::Table& table, const InputSchema& schema) {
  const size_t rows = table.num_rows();
  const size_t width = schema.features.size();
  nn::Matrix features(rows, width);
  for (size_t feature = 0; feature < width; ++feature) {
    const std::string& name = schema.features[feature].name;
    const Column* column = table.FindColumn(name);
    if (column == nullptr) {
      return core::NotFound("the data has no column '" + name + "', a feature of the model");
    }
    if (!IsNumeric(column->type())) {
      return core::InvalidArgument("column '" + name + "' is categorical; the model expects " +
                                   std::string(data::ToString(schema.features[feature].type)));
    }
    if (column->missing_count() > 0) {
      return core::InvalidArgument(MissingMessage(*column, "feature"));
    }
    for (size_t row = 0; row < rows; ++row) {
      features(row, feature) = static_cast<float>(NumberAt(*column, row));
      if (!std::isfinite(features(row, feature))) return NonFiniteValue(*column, row, "feature");
    }
  }
  return features;
}

core::Result<nn::Matrix> MakeTargetMatrix(const data::Table& table, const InputSchema& schema) {
  const TargetSchema& target = schema.target;
  const Column* column = table.FindColumn(target.name);
  if (column == nullptr) {
    return core::NotFound("the data has no target column '" + target.name + "'");
  }
  if (column->missing_count() > 0) {
    return core::InvalidArgument(MissingMessage(*column, "target"));
  }
  const size_t rows = table.num_rows();
  if (target.encoding == TargetEncoding::kValue) {
    if (!IsNumeric(column->type())) {
      return core::InvalidArgument("target column '" + target.name +
                                   "' is categorical; the model predicts a number");
    }
    nn::Matrix targets(rows, 1);
    for (size_t row = 0; row < rows; ++row) {
      targets(row, 0) = static_cast<float>(NumberAt(*column, row));
      if (!std::isfinite(targets(row, 0))) return NonFiniteValue(*column, row, "target");
    }
    return targets;
  }
  std::map<std::string, size_t, std::less<>> index_of;
  for (size_t index = 0; index < target.labels.size(); ++index) {
    index_of.emplace(target.labels[index], index);
  }
  const size_t width = target.encoding == TargetEncoding::kOneHot ? target.labels.size() : 1;
  nn::Matrix targets(rows, width);
  targets.SetZero();
  for (size_t row = 0; row < rows; ++row) {
    std::string label = LabelAt(*column, row);
    auto found = index_of.find(label);
    if (found == index_of.end()) {
      return core::InvalidArgument("target column '" + target.name + "', row " +
                                   std::to_string(row + 1) + ": '" + label +
                                   "' is not one of the model's classes");
    }
    if (target.encoding == TargetEncoding::kOneHot) {
      targets(row, found->second) = 1.0f;
    } else {
      targets(row, 0) = static_cast<float>(found->second);
    }
  }
  return targets;
}

}  // namespace modelhost::model
