// ApplyStep (fitted_step.h): each op's effect on a Frame. The numeric kernels
// are plain loops over one contiguous column, with the learned parameters
// hoisted, so that they vectorize; a missing value (NaN) passes through the
// arithmetic as missing.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "data/field_parser.h"
#include "data/fitted_step.h"
#include "data/value_maps.h"

namespace modelhost::data {

namespace {

using core::InvalidArgument;
using core::Result;
using core::Status;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string RowPlace(const FrameColumn& column, size_t row) {
  return "column '" + column.name() + "', row " + std::to_string(row + 1);
}

// The frame index of each named column, each checked to be of the wanted
// kind (numeric, categorical, or either when `numeric` is nullopt).
Result<std::vector<size_t>> Lookup(const Frame& frame, const std::vector<std::string>& names,
                                   std::optional<bool> numeric) {
  std::vector<size_t> indices;
  for (const std::string& name : names) {
    MODELHOST_ASSIGN_OR_RETURN(size_t index, frame.Require(name));
    const FrameColumn& column = frame.columns()[index];
    if (numeric && column.is_numeric() != *numeric) {
      return InvalidArgument("column '" + name + "' is " + std::string(ToString(column.type())) +
                             "; this op takes " + (*numeric ? "numeric" : "categorical") +
                             " columns");
    }
    indices.push_back(index);
  }
  return indices;
}

Status DropMissingRows(const FittedDropMissing& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, std::nullopt));
  if (indices.empty()) return core::OkStatus();
  // present[row]: how many of the columns hold a value.
  std::vector<uint32_t> present(frame.num_rows(), 0);
  for (size_t index : indices) {
    const FrameColumn& column = frame.columns()[index];
    if (column.is_numeric()) {
      auto values = column.values();
      for (size_t row = 0; row < values.size(); ++row) present[row] += values[row] == values[row];
    } else {
      auto codes = column.codes();
      for (size_t row = 0; row < codes.size(); ++row) {
        present[row] += codes[row] != Column::kMissingCode;
      }
    }
  }
  std::vector<uint8_t> keep(frame.num_rows());
  const uint32_t needed = step.how == MissingHow::kAny ? static_cast<uint32_t>(indices.size()) : 1;
  for (size_t row = 0; row < keep.size(); ++row) keep[row] = present[row] >= needed;
  frame.KeepRows(keep);
  return core::OkStatus();
}

Status DropDuplicateRows(const FittedDropDuplicates& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, std::nullopt));
  // A value's identity: a category code, or the bits of a double with every
  // NaN made the canonical quiet NaN (no number has those bits; pandas counts
  // NaN equal to NaN) and both zeros made one.
  constexpr uint64_t kNaNKey = 0x7ff8000000000000ULL;
  auto cell = [&frame](size_t index, size_t row) -> uint64_t {
    const FrameColumn& column = frame.columns()[index];
    if (!column.is_numeric()) return static_cast<uint64_t>(column.codes()[row]);
    double value = column.values()[row];
    if (value != value) return kNaNKey;
    if (value == 0) return 0;
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
  };
  auto hash = [&](size_t row) {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t index : indices) h = (h ^ cell(index, row)) * 0x100000001b3ULL;
    return static_cast<size_t>(h ^ (h >> 29));
  };
  auto equal = [&](size_t a, size_t b) {
    for (size_t index : indices) {
      if (cell(index, a) != cell(index, b)) return false;
    }
    return true;
  };
  std::unordered_set<size_t, decltype(hash), decltype(equal)> seen(frame.num_rows(), hash, equal);
  std::vector<uint8_t> keep(frame.num_rows());
  for (size_t row = 0; row < keep.size(); ++row) keep[row] = seen.insert(row).second;
  frame.KeepRows(keep);
  return core::OkStatus();
}

Status MarkMissing(const FittedMarkMissing& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, std::nullopt));
  for (size_t index : indices) {
    FrameColumn& column = frame.columns()[index];
    if (column.is_numeric()) {
      for (const SpecValue& value : step.values) {
        if (const double* number = std::get_if<double>(&value)) {
          const double marked = *number;
          column.MapValues([marked](double x) { return MarkMissingValue(x, marked); });
        }
      }
      continue;
    }
    std::vector<std::optional<std::string>> replacement(column.categories().begin(),
                                                        column.categories().end());
    for (auto& category : replacement) {
      for (const SpecValue& value : step.values) {
        const std::string* text = std::get_if<std::string>(&value);
        if (text != nullptr && *category == *text) {
          category.reset();
          break;
        }
      }
    }
    column.ReplaceCategories(replacement);
  }
  return core::OkStatus();
}

Status Impute(const FittedImpute& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, std::nullopt));
  for (size_t position = 0; position < indices.size(); ++position) {
    FrameColumn& column = frame.columns()[indices[position]];
    const SpecValue& fill = step.fill[position];
    if (column.is_numeric() != std::holds_alternative<double>(fill)) {
      return InvalidArgument("column '" + column.name() + "' is " +
                             std::string(ToString(column.type())) +
                             " but its fill value is not of that kind");
    }
    if (column.is_numeric()) {
      const double value = std::get<double>(fill);
      column.MapValues([value](double x) { return ImputeValue(x, value); });
      continue;
    }
    if (std::none_of(column.codes().begin(), column.codes().end(),
                     [](int32_t code) { return code == Column::kMissingCode; })) {
      continue;
    }
    const int32_t code = column.InternCategory(std::get<std::string>(fill));
    for (int32_t& existing : column.MutableCodes()) {
      existing = existing == Column::kMissingCode ? code : existing;
    }
  }
  return core::OkStatus();
}

Status ApplyOutliers(const FittedOutliers& step, Frame& frame, RowDropping rows) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, true));
  if (step.action == OutlierAction::kClip) {
    for (size_t position = 0; position < indices.size(); ++position) {
      const double lower = step.lower[position];
      const double upper = step.upper[position];
      frame.columns()[indices[position]].MapValues(
          [lower, upper](double x) { return ClipValue(x, lower, upper); });
    }
    return core::OkStatus();
  }
  if (rows == RowDropping::kSkip) return core::OkStatus();
  std::vector<uint8_t> keep(frame.num_rows(), 1);
  for (size_t position = 0; position < indices.size(); ++position) {
    const double lower = step.lower[position];
    const double upper = step.upper[position];
    auto values = frame.columns()[indices[position]].values();
    for (size_t row = 0; row < values.size(); ++row) {
      keep[row] &= !(values[row] < lower || values[row] > upper);
    }
  }
  frame.KeepRows(keep);
  return core::OkStatus();
}

// Parses each category on its first row, in row order: a category no row
// uses any more (its rows dropped by an earlier step) is not cast, and an
// error names the first row holding the value.
Status CastFromCategorical(FrameColumn& column, ColumnType to) {
  auto parse = [to](const std::string& text) -> std::optional<double> {
    if (to == ColumnType::kFloat64) return ParseFloat64(text);
    if (to == ColumnType::kInt64) {
      if (auto integer = ParseInt64(text)) return static_cast<double>(*integer);
      return std::nullopt;
    }
    if (auto flag = ParseBool(text)) return *flag ? 1.0 : 0.0;
    return std::nullopt;
  };
  std::vector<double> value_of(column.categories().size());
  std::vector<uint8_t> parsed(column.categories().size(), 0);
  std::vector<double> values(column.codes().size());
  for (size_t row = 0; row < values.size(); ++row) {
    int32_t code = column.codes()[row];
    if (code == Column::kMissingCode) {
      values[row] = kNaN;
      continue;
    }
    if (!parsed[code]) {
      const std::string& text = column.categories()[code];
      std::optional<double> value = parse(text);
      if (!value) {
        return InvalidArgument(RowPlace(column, row) + ": value " + QuoteForMessage(text) +
                               " is not " + std::string(ToString(to)));
      }
      value_of[code] = *value;
      parsed[code] = 1;
    }
    values[row] = value_of[code];
  }
  column.SetNumeric(to, std::move(values));
  return core::OkStatus();
}

Status Cast(const FittedCast& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, std::nullopt));
  for (size_t index : indices) {
    FrameColumn& column = frame.columns()[index];
    if (!column.is_numeric()) {
      if (step.to != ColumnType::kCategorical) {
        MODELHOST_RETURN_IF_ERROR(CastFromCategorical(column, step.to));
      }
      continue;
    }
    if (step.to == ColumnType::kCategorical) {
      std::vector<int32_t> codes(column.size());
      FrameColumn text(column.name(), {}, {});
      for (size_t row = 0; row < codes.size(); ++row) {
        double value = column.values()[row];
        codes[row] = value == value ? text.InternCategory(FormatNumber(value, column.type()))
                                    : Column::kMissingCode;
      }
      std::vector<std::string> categories(text.categories().begin(), text.categories().end());
      column.SetCategorical(std::move(codes), std::move(categories));
      continue;
    }
    std::vector<double> values(column.values().begin(), column.values().end());
    if (step.to == ColumnType::kInt64) {
      for (double& value : values) value = std::trunc(value);
    } else if (step.to == ColumnType::kBool) {
      for (double& value : values) value = value == value ? (value != 0 ? 1.0 : 0.0) : value;
    }
    column.SetNumeric(step.to, std::move(values));
  }
  return core::OkStatus();
}

Status ApplyText(const FittedText& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, false));
  for (size_t index : indices) {
    FrameColumn& column = frame.columns()[index];
    std::vector<std::optional<std::string>> replacement;
    for (const std::string& category : column.categories()) {
      std::string text;
      if (step.op == TextOp::kTrim) {
        text = TrimmedText(category);
      } else {
        text = category;
        for (char& c : text) c = LowercaseAscii(c);
      }
      replacement.emplace_back(std::move(text));
    }
    column.ReplaceCategories(replacement);
  }
  return core::OkStatus();
}

Status Scale(const FittedScale& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, true));
  for (size_t position = 0; position < indices.size(); ++position) {
    FrameColumn& column = frame.columns()[indices[position]];
    const double scale = step.scale[position];
    if (step.kind == ScaleKind::kMinMax) {
      const double offset = step.offset[position];
      column.MapValues([scale, offset](double x) { return MinMaxValue(x, scale, offset); });
    } else {
      const double center = step.center[position];
      column.MapValues([center, scale](double x) { return CenterScaleValue(x, center, scale); });
    }
  }
  return core::OkStatus();
}

Status NormalizeRows(const FittedNormalizeRows& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, true));
  std::vector<double> norms(frame.num_rows(), 0.0);
  for (size_t index : indices) {
    auto values = frame.columns()[index].values();
    if (step.norm == RowNorm::kL1) {
      for (size_t row = 0; row < norms.size(); ++row) norms[row] += std::fabs(values[row]);
    } else {
      for (size_t row = 0; row < norms.size(); ++row) norms[row] += values[row] * values[row];
    }
  }
  for (size_t row = 0; row < norms.size(); ++row) {
    if (norms[row] != norms[row]) {
      for (size_t index : indices) {
        const FrameColumn& column = frame.columns()[index];
        if (std::isnan(column.values()[row])) {
          return InvalidArgument(RowPlace(column, row) + ": missing value (impute it first)");
        }
      }
    }
    if (step.norm == RowNorm::kL2) norms[row] = std::sqrt(norms[row]);
    // A zero row stays zero, as in scikit-learn's normalize.
    if (norms[row] == 0) norms[row] = 1;
  }
  for (size_t index : indices) {
    auto values = frame.columns()[index].MutableValues();
    for (size_t row = 0; row < norms.size(); ++row) values[row] /= norms[row];
  }
  return core::OkStatus();
}

Status Log1p(const FittedLog1p& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, true));
  for (size_t index : indices) {
    FrameColumn& column = frame.columns()[index];
    auto values = column.values();
    for (size_t row = 0; row < values.size(); ++row) {
      if (!InLog1pDomain(values[row])) {
        return InvalidArgument(RowPlace(column, row) + ": log1p of " +
                               FormatNumber(values[row], ColumnType::kFloat64) +
                               " (values must be > -1)");
      }
    }
    column.MapValues([](double x) { return Log1pValue(x); });
  }
  return core::OkStatus();
}

Status UnseenCategory(const FrameColumn& column, size_t row) {
  return InvalidArgument(RowPlace(column, row) + ": category " +
                         QuoteForMessage(column.categories()[column.codes()[row]]) +
                         " was not seen in training");
}

Status OneHot(const FittedOneHot& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, false));
  for (size_t position = 0; position < step.columns.size(); ++position) {
    // Earlier columns' expansions shift indices: look the column up again.
    MODELHOST_ASSIGN_OR_RETURN(size_t index, frame.Require(step.columns[position]));
    const FrameColumn& column = frame.columns()[index];
    const std::vector<std::string>& categories = step.categories[position];
    std::vector<int64_t> index_by_code = column.PositionsIn(categories);
    std::vector<std::vector<double>> outputs(categories.size(),
                                             std::vector<double>(column.size(), 0.0));
    for (size_t row = 0; row < column.size(); ++row) {
      int32_t code = column.codes()[row];
      if (code == Column::kMissingCode) {
        return InvalidArgument(RowPlace(column, row) + ": missing value (impute it first)");
      }
      int64_t category = index_by_code[code];
      if (category >= 0) {
        outputs[category][row] = 1.0;
      } else if (step.unknown == UnknownCategory::kError) {
        return UnseenCategory(column, row);
      }
    }
    std::vector<FrameColumn> replacement;
    for (size_t category = 0; category < categories.size(); ++category) {
      replacement.emplace_back(column.name() + "=" + categories[category], ColumnType::kFloat64,
                               std::move(outputs[category]));
    }
    MODELHOST_RETURN_IF_ERROR(frame.ReplaceColumn(index, std::move(replacement)));
  }
  return core::OkStatus();
}

Status Ordinal(const FittedOrdinal& step, Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(auto indices, Lookup(frame, step.columns, false));
  for (size_t position = 0; position < indices.size(); ++position) {
    FrameColumn& column = frame.columns()[indices[position]];
    std::vector<int64_t> index_by_code = column.PositionsIn(step.categories[position]);
    std::vector<double> values(column.size());
    for (size_t row = 0; row < values.size(); ++row) {
      int32_t code = column.codes()[row];
      if (code == Column::kMissingCode) {
        values[row] = kNaN;
      } else if (index_by_code[code] >= 0) {
        values[row] = static_cast<double>(index_by_code[code]);
      } else if (step.unknown_value) {
        values[row] = *step.unknown_value;
      } else {
        return UnseenCategory(column, row);
      }
    }
    column.SetNumeric(ColumnType::kFloat64, std::move(values));
  }
  return core::OkStatus();
}

}  // namespace

Status ApplyStep(const FittedStep& step, Frame& frame, RowDropping rows) {
  if (const auto* typed = std::get_if<FittedDropMissing>(&step)) {
    return rows == RowDropping::kApply ? DropMissingRows(*typed, frame) : core::OkStatus();
  }
  if (const auto* typed = std::get_if<FittedDropColumns>(&step)) {
    for (const std::string& name : typed->columns) {
      MODELHOST_ASSIGN_OR_RETURN(size_t index, frame.Require(name));
      frame.RemoveColumn(index);
    }
    return core::OkStatus();
  }
  if (const auto* typed = std::get_if<FittedDropDuplicates>(&step)) {
    return rows == RowDropping::kApply ? DropDuplicateRows(*typed, frame) : core::OkStatus();
  }
  if (const auto* typed = std::get_if<FittedMarkMissing>(&step)) return MarkMissing(*typed, frame);
  if (const auto* typed = std::get_if<FittedImpute>(&step)) return Impute(*typed, frame);
  if (const auto* typed = std::get_if<FittedOutliers>(&step)) {
    return ApplyOutliers(*typed, frame, rows);
  }
  if (const auto* typed = std::get_if<FittedCast>(&step)) return Cast(*typed, frame);
  if (const auto* typed = std::get_if<FittedText>(&step)) return ApplyText(*typed, frame);
  if (const auto* typed = std::get_if<FittedScale>(&step)) return Scale(*typed, frame);
  if (const auto* typed = std::get_if<FittedNormalizeRows>(&step)) {
    return NormalizeRows(*typed, frame);
  }
  if (const auto* typed = std::get_if<FittedLog1p>(&step)) return Log1p(*typed, frame);
  if (const auto* typed = std::get_if<FittedOneHot>(&step)) return OneHot(*typed, frame);
  return Ordinal(std::get<FittedOrdinal>(step), frame);
}

}  // namespace modelhost::data
