// PipelineSpec: what a data pipeline should do, as written by a user — an
// ordered list of steps, each an operation ("op") on the columns a selector
// picks, with that operation's parameters — parsed from JSON and written back.
//
//   {"steps": [
//     {"op": "mark_missing", "columns": ["insulin", "mass"], "values": [0]},
//     {"op": "impute", "columns": "numeric", "strategy": "median"},
//     {"op": "standardize", "columns": "numeric"},
//     {"op": "one_hot", "columns": "categorical", "unknown": "ignore"}]}
//
// The ops, their parameters and defaults are listed in docs/design/data.md
// ("Transforms and the pipeline"). A spec says nothing about the data: which
// columns a selector picks, and what each step learns, is decided by
// Pipeline::Fit (pipeline.h).
//
// Thread-safety: plain values and pure functions.

#ifndef MODELHOST_DATA_PIPELINE_SPEC_H_
#define MODELHOST_DATA_PIPELINE_SPEC_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "data/column.h"
#include "data/column_selector.h"

namespace modelhost::data {

enum class MissingHow { kAny, kAll };  // "any", "all"
enum class ImputeStrategy { kMean, kMedian, kMostFrequent, kConstant };
enum class OutlierAction { kClip, kDrop };                // op clip_outliers / drop_outliers
enum class OutlierMethod { kIqr, kZScore, kPercentile };  // "iqr", "zscore", "percentile"
enum class TextOp { kTrim, kLowercase };                  // op trim / lowercase
enum class ScaleKind { kStandardize, kRobust, kMinMax, kMaxAbs };
enum class RowNorm { kL1, kL2 };                 // "l1", "l2"
enum class UnknownCategory { kError, kIgnore };  // "error", "ignore"

// A value given in a spec for a column of either kind: a number for numeric
// columns, a string for categorical ones.
using SpecValue = std::variant<double, std::string>;

// Rows with a missing value (any, or all of them) among the selected columns
// are dropped. Default selector: every column but the target.
struct DropMissingStep {
  static constexpr std::string_view kOp = "drop_missing";
  ColumnSelector columns;
  MissingHow how = MissingHow::kAny;
  friend bool operator==(const DropMissingStep&, const DropMissingStep&) = default;
};

struct DropColumnsStep {
  static constexpr std::string_view kOp = "drop_columns";
  ColumnSelector columns;
  friend bool operator==(const DropColumnsStep&, const DropColumnsStep&) = default;
};

// Rows equal to an earlier row on the selected columns are dropped (the first
// is kept). Default selector: every column but the target.
struct DropDuplicatesStep {
  static constexpr std::string_view kOp = "drop_duplicates";
  ColumnSelector columns;
  friend bool operator==(const DropDuplicatesStep&, const DropDuplicatesStep&) = default;
};

// Values equal to one of `values` become missing; numbers apply to numeric
// columns, strings to categorical ones.
struct MarkMissingStep {
  static constexpr std::string_view kOp = "mark_missing";
  ColumnSelector columns;
  std::vector<SpecValue> values;
  friend bool operator==(const MarkMissingStep&, const MarkMissingStep&) = default;
};

struct ImputeStep {
  static constexpr std::string_view kOp = "impute";
  ColumnSelector columns;
  ImputeStrategy strategy = ImputeStrategy::kMean;
  // Present exactly when strategy is kConstant.
  std::optional<SpecValue> fill_value;
  friend bool operator==(const ImputeStep&, const ImputeStep&) = default;
};

// Bounds learned per column: IQR [q1 - k·iqr, q3 + k·iqr], z-score
// [mean - k·std, mean + k·std], percentile [p_lower, p_upper]; values outside
// are clipped to the bound or their rows dropped.
struct OutlierStep {
  ColumnSelector columns;
  OutlierAction action = OutlierAction::kClip;
  OutlierMethod method = OutlierMethod::kIqr;
  double k = 1.5;                // kIqr default 1.5, kZScore default 3
  double lower_percentile = 1;   // kPercentile, in [0, upper)
  double upper_percentile = 99;  // kPercentile, in (lower, 100]
  friend bool operator==(const OutlierStep&, const OutlierStep&) = default;
};

struct CastStep {
  static constexpr std::string_view kOp = "cast";
  ColumnSelector columns;
  ColumnType to = ColumnType::kFloat64;
  friend bool operator==(const CastStep&, const CastStep&) = default;
};

struct TextStep {
  ColumnSelector columns;
  TextOp op = TextOp::kTrim;
  friend bool operator==(const TextStep&, const TextStep&) = default;
};

struct ScaleStep {
  ColumnSelector columns;
  ScaleKind kind = ScaleKind::kStandardize;
  double range_low = 0;  // kMinMax: the target range, low < high
  double range_high = 1;
  double quantile_low = 25;  // kRobust: the quantile range in percent, low < high
  double quantile_high = 75;
  friend bool operator==(const ScaleStep&, const ScaleStep&) = default;
};

struct NormalizeRowsStep {
  static constexpr std::string_view kOp = "normalize_rows";
  ColumnSelector columns;
  RowNorm norm = RowNorm::kL2;
  friend bool operator==(const NormalizeRowsStep&, const NormalizeRowsStep&) = default;
};

struct Log1pStep {
  static constexpr std::string_view kOp = "log1p";
  ColumnSelector columns;
  friend bool operator==(const Log1pStep&, const Log1pStep&) = default;
};

struct OneHotStep {
  static constexpr std::string_view kOp = "one_hot";
  ColumnSelector columns;
  UnknownCategory unknown = UnknownCategory::kError;
  friend bool operator==(const OneHotStep&, const OneHotStep&) = default;
};

// Categories become their index in sorted order; an unseen one becomes
// `unknown_value` when given, else an error.
struct OrdinalStep {
  static constexpr std::string_view kOp = "ordinal";
  ColumnSelector columns;
  std::optional<double> unknown_value;
  friend bool operator==(const OrdinalStep&, const OrdinalStep&) = default;
};

using StepSpec = std::variant<DropMissingStep, DropColumnsStep, DropDuplicatesStep, MarkMissingStep,
                              ImputeStep, OutlierStep, CastStep, TextStep, ScaleStep,
                              NormalizeRowsStep, Log1pStep, OneHotStep, OrdinalStep>;

// The op names of the steps whose op is a field.
std::string_view OpName(OutlierAction action);  // "clip_outliers", "drop_outliers"
std::string_view OpName(TextOp op);             // "trim", "lowercase"
std::string_view OpName(ScaleKind kind);        // "standardize", "robust_scale", "minmax", "maxabs"

// The op name of one step of a spec or of a fitted pipeline (fitted_step.h):
// its kOp, or the name of its action / op / kind field.
template <typename Step>
std::string_view OpNameOf(const Step& step) {
  if constexpr (requires { Step::kOp; }) {
    return Step::kOp;
  } else if constexpr (requires { step.action; }) {
    return OpName(step.action);
  } else if constexpr (requires { step.op; }) {
    return OpName(step.op);
  } else {
    return OpName(step.kind);
  }
}

// The "op" name of a step ("impute", "clip_outliers", "minmax", …).
std::string_view OpName(const StepSpec& step);

struct PipelineSpec {
  std::vector<StepSpec> steps;
  friend bool operator==(const PipelineSpec&, const PipelineSpec&) = default;
};

// Parses {"steps": [...]}. Errors, all InvalidArgument naming the step as
// "pipeline step N (op): …" (N counts from 1): invalid JSON, an unknown op or
// parameter, a parameter of the wrong JSON type or out of range, a missing
// required parameter ("columns" for every op but drop_missing and
// drop_duplicates; "values"; "fill_value" for strategy "constant"), a
// non-finite number.
core::Result<PipelineSpec> ParsePipelineSpec(std::string_view json);

// The canonical JSON of `spec`: every parameter written out, defaults
// included. ParsePipelineSpec(PipelineSpecToJson(s)) == s.
std::string PipelineSpecToJson(const PipelineSpec& spec);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_PIPELINE_SPEC_H_
