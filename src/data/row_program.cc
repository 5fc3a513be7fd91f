#include "data/row_program.h"

#include <cfloat>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>

#include "data/value_maps.h"

namespace modelhost::data {

std::optional<RowProgram> RowProgram::Compile(const std::vector<std::string>& input_names,
                                              const std::vector<ColumnType>& input_types,
                                              const std::vector<FittedStep>& steps,
                                              const std::vector<std::string>& features) {
  // Steps that neither add nor remove columns leave the inputs as the features.
  if (features != input_names) return std::nullopt;
  for (ColumnType type : input_types) {
    if (type == ColumnType::kCategorical) return std::nullopt;
  }
  std::map<std::string_view, size_t> slot;
  for (size_t index = 0; index < input_names.size(); ++index) slot[input_names[index]] = index;
  RowProgram program;
  program.types_ = input_types;
  program.ops_.resize(input_names.size());
  // Adds `op` for each column of a step; false when one is not an input.
  auto for_columns = [&](const std::vector<std::string>& columns, auto make_op) {
    for (size_t position = 0; position < columns.size(); ++position) {
      auto found = slot.find(columns[position]);
      if (found == slot.end()) return false;
      if (!make_op(program.ops_[found->second], position)) return false;
    }
    return true;
  };
  for (const FittedStep& step : steps) {
    bool covered = false;
    if (std::holds_alternative<FittedDropMissing>(step) ||
        std::holds_alternative<FittedDropDuplicates>(step)) {
      covered = true;  // inference keeps every row
    } else if (const auto* marks = std::get_if<FittedMarkMissing>(&step)) {
      covered = for_columns(marks->columns, [marks](std::vector<Op>& ops, size_t) {
        // A numeric column ignores marked strings, as the table path does.
        for (const SpecValue& value : marks->values) {
          if (const double* number = std::get_if<double>(&value)) {
            ops.push_back({.kind = OpKind::kMarkMissing, .a = *number, .b = 0});
          }
        }
        return true;
      });
    } else if (const auto* impute = std::get_if<FittedImpute>(&step)) {
      covered = for_columns(impute->columns, [impute](std::vector<Op>& ops, size_t position) {
        const double* fill = std::get_if<double>(&impute->fill[position]);
        if (fill == nullptr) return false;  // the table path refuses it
        ops.push_back({.kind = OpKind::kImpute, .a = *fill, .b = 0});
        return true;
      });
    } else if (const auto* outliers = std::get_if<FittedOutliers>(&step)) {
      const bool clip = outliers->action == OutlierAction::kClip;
      // drop_outliers keeps every row in inference: only its columns are checked.
      covered =
          for_columns(outliers->columns, [outliers, clip](std::vector<Op>& ops, size_t position) {
            if (clip) {
              ops.push_back({.kind = OpKind::kClip,
                             .a = outliers->lower[position],
                             .b = outliers->upper[position]});
            }
            return true;
          });
    } else if (const auto* scale = std::get_if<FittedScale>(&step)) {
      const bool minmax = scale->kind == ScaleKind::kMinMax;
      covered = for_columns(scale->columns, [scale, minmax](std::vector<Op>& ops, size_t position) {
        if (minmax) {
          ops.push_back(
              {.kind = OpKind::kMinMax, .a = scale->scale[position], .b = scale->offset[position]});
        } else {
          ops.push_back({.kind = OpKind::kCenterScale,
                         .a = scale->center[position],
                         .b = scale->scale[position]});
        }
        return true;
      });
    } else if (const auto* log1p = std::get_if<FittedLog1p>(&step)) {
      covered = for_columns(log1p->columns, [](std::vector<Op>& ops, size_t) {
        ops.push_back({.kind = OpKind::kLog1p, .a = 0, .b = 0});
        return true;
      });
    }
    if (!covered) return std::nullopt;
  }
  return program;
}

namespace {

// The value a column of `type` holds for `field`, as a one-row table holds it
// (ColumnBuilder, then widened to double); nullopt where the table path
// refuses the field's kind.
std::optional<double> NumericValue(const FieldValue* field, ColumnType type) {
  if (field == nullptr || std::holds_alternative<std::monostate>(*field)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const double* number = std::get_if<double>(field);
  const int64_t* integer = std::get_if<int64_t>(field);
  switch (type) {
    case ColumnType::kFloat64:
      if (number != nullptr) return *number;
      if (integer != nullptr) return static_cast<double>(*integer);
      return std::nullopt;
    case ColumnType::kInt64:
      if (integer != nullptr) return static_cast<double>(*integer);
      if (number != nullptr && std::trunc(*number) == *number && std::fabs(*number) < 0x1p63) {
        return static_cast<double>(static_cast<int64_t>(*number));
      }
      return std::nullopt;
    case ColumnType::kBool:
      if (const bool* flag = std::get_if<bool>(field)) return *flag ? 1.0 : 0.0;
      return std::nullopt;
    case ColumnType::kCategorical: break;
  }
  return std::nullopt;
}

}  // namespace

bool RowProgram::Run(std::span<const FieldValue* const> fields, float* out) const {
  for (size_t column = 0; column < types_.size(); ++column) {
    std::optional<double> value = NumericValue(fields[column], types_[column]);
    if (!value) return false;
    double x = *value;
    for (const Op& op : ops_[column]) {
      switch (op.kind) {
        case OpKind::kMarkMissing: x = MarkMissingValue(x, op.a); break;
        case OpKind::kImpute: x = ImputeValue(x, op.a); break;
        case OpKind::kClip: x = ClipValue(x, op.a, op.b); break;
        case OpKind::kMinMax: x = MinMaxValue(x, op.a, op.b); break;
        case OpKind::kCenterScale: x = CenterScaleValue(x, op.a, op.b); break;
        case OpKind::kLog1p:
          if (!InLog1pDomain(x)) return false;
          x = Log1pValue(x);
          break;
      }
    }
    // As ToFeatureMatrix: false for NaN (missing) and beyond float range alike.
    const float feature = static_cast<float>(x);
    if (!(std::fabs(feature) <= FLT_MAX)) return false;
    out[column] = feature;
  }
  return true;
}

}  // namespace modelhost::data
