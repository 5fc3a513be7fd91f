#include "data/target_encoder.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "data/field_parser.h"

namespace modelhost::data {

namespace {

using core::InvalidArgument;

std::string RowPlace(const FrameColumn& column, size_t row) {
  return "target '" + column.name() + "', row " + std::to_string(row + 1);
}

core::Status MissingTarget(const FrameColumn& column, size_t row) {
  return InvalidArgument(RowPlace(column, row) +
                         ": missing value (drop such rows with {\"op\": \"drop_missing\", "
                         "\"columns\": [\"" +
                         column.name() + "\"]})");
}

// The first missing row of `column`, if any.
std::optional<size_t> FirstMissing(const FrameColumn& column) {
  for (size_t row = 0; row < column.size(); ++row) {
    bool missing = column.is_numeric() ? std::isnan(column.values()[row])
                                       : column.codes()[row] == Column::kMissingCode;
    if (missing) return row;
  }
  return std::nullopt;
}

}  // namespace

std::string_view ToString(TargetKind kind) {
  return kind == TargetKind::kClassification ? "classification" : "regression";
}

core::Result<TargetKind> ParseTargetKind(std::string_view text) {
  if (text == "classification") return TargetKind::kClassification;
  if (text == "regression") return TargetKind::kRegression;
  return InvalidArgument("unknown target kind " + QuoteForMessage(text) +
                         " (expected classification or regression)");
}

core::Result<TargetEncoding> FitTargetEncoding(const FrameColumn& column, TargetKind kind) {
  TargetEncoding encoding{column.name(), kind, {}, {}};
  if (std::optional<size_t> row = FirstMissing(column)) return MissingTarget(column, *row);
  if (kind == TargetKind::kRegression) {
    if (!column.is_numeric()) {
      return InvalidArgument("target '" + column.name() +
                             "' is categorical; regression needs "
                             "numbers (cast it, or choose classification)");
    }
    return encoding;
  }
  if (column.is_numeric()) {
    // A fitted pipeline document stores labels as JSON numbers, which have no
    // infinity: such a label could be saved but never loaded again.
    for (size_t row = 0; row < column.size(); ++row) {
      if (!std::isfinite(column.values()[row])) {
        return InvalidArgument(RowPlace(column, row) + ": label " +
                               FormatNumber(column.values()[row], column.type()) +
                               " is not a finite number");
      }
    }
    encoding.label_values.assign(column.values().begin(), column.values().end());
    std::sort(encoding.label_values.begin(), encoding.label_values.end());
    encoding.label_values.erase(
        std::unique(encoding.label_values.begin(), encoding.label_values.end()),
        encoding.label_values.end());
    for (double value : encoding.label_values) {
      encoding.labels.push_back(FormatNumber(value, column.type()));
    }
  } else {
    std::vector<uint8_t> used(column.categories().size(), 0);
    for (int32_t code : column.codes()) used[code] = 1;
    for (size_t code = 0; code < used.size(); ++code) {
      if (used[code]) encoding.labels.push_back(column.categories()[code]);
    }
    std::sort(encoding.labels.begin(), encoding.labels.end());
  }
  if (encoding.labels.size() > TargetEncoding::kMaxClasses) {
    return InvalidArgument("target '" + column.name() + "' has " +
                           std::to_string(encoding.labels.size()) + " classes, more than " +
                           std::to_string(TargetEncoding::kMaxClasses));
  }
  return encoding;
}

core::Result<std::vector<float>> EncodeTarget(const TargetEncoding& encoding,
                                              const FrameColumn& column) {
  if (std::optional<size_t> row = FirstMissing(column)) return MissingTarget(column, *row);
  const bool numeric_labels =
      encoding.kind == TargetKind::kRegression || !encoding.label_values.empty();
  if (column.is_numeric() != numeric_labels) {
    return InvalidArgument("target '" + column.name() + "' is " +
                           std::string(ToString(column.type())) + ", unlike in training");
  }
  std::vector<float> target(column.size());
  if (encoding.kind == TargetKind::kRegression) {
    for (size_t row = 0; row < target.size(); ++row) {
      target[row] = static_cast<float>(column.values()[row]);
      if (!(std::fabs(target[row]) <= FLT_MAX)) {
        return InvalidArgument(RowPlace(column, row) + ": " +
                               FormatNumber(column.values()[row], ColumnType::kFloat64) +
                               " does not fit a float");
      }
    }
    return target;
  }
  auto unseen = [&](size_t row, std::string_view label) {
    return InvalidArgument(RowPlace(column, row) + ": label " + QuoteForMessage(label) +
                           " was not seen in training");
  };
  if (column.is_numeric()) {
    const auto& values = encoding.label_values;
    for (size_t row = 0; row < target.size(); ++row) {
      double value = column.values()[row];
      auto found = std::lower_bound(values.begin(), values.end(), value);
      if (found == values.end() || *found != value) {
        return unseen(row, FormatNumber(value, column.type()));
      }
      target[row] = static_cast<float>(found - values.begin());
    }
    return target;
  }
  // One lookup per distinct category, not per row.
  std::vector<int64_t> index_by_code = column.PositionsIn(encoding.labels);
  for (size_t row = 0; row < target.size(); ++row) {
    int32_t code = column.codes()[row];
    if (index_by_code[code] < 0) return unseen(row, column.categories()[code]);
    target[row] = static_cast<float>(index_by_code[code]);
  }
  return target;
}

}  // namespace modelhost::data
