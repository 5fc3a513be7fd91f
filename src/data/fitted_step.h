// FittedStep: one pipeline step after Fit — the op, the concrete columns its
// selector picked, and every parameter it learned from the training data —
// and the two operations on it: FitStep (learn from a Frame) and ApplyStep
// (rewrite a Frame).
//
// Each alternative mirrors a StepSpec alternative (pipeline_spec.h). Per-column
// vectors are parallel to `columns`. All learned numbers are finite (FitStep
// rejects what would not be), so a FittedStep survives JSON unchanged.
//
// Thread-safety: plain values; the functions are reentrant.

#ifndef MODELHOST_DATA_FITTED_STEP_H_
#define MODELHOST_DATA_FITTED_STEP_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "data/frame.h"
#include "data/pipeline_spec.h"

namespace modelhost::data {

struct FittedDropMissing {
  static constexpr std::string_view kOp = "drop_missing";
  std::vector<std::string> columns;
  MissingHow how = MissingHow::kAny;
  friend bool operator==(const FittedDropMissing&, const FittedDropMissing&) = default;
};

struct FittedDropColumns {
  static constexpr std::string_view kOp = "drop_columns";
  std::vector<std::string> columns;
  friend bool operator==(const FittedDropColumns&, const FittedDropColumns&) = default;
};

struct FittedDropDuplicates {
  static constexpr std::string_view kOp = "drop_duplicates";
  std::vector<std::string> columns;
  friend bool operator==(const FittedDropDuplicates&, const FittedDropDuplicates&) = default;
};

struct FittedMarkMissing {
  static constexpr std::string_view kOp = "mark_missing";
  std::vector<std::string> columns;
  std::vector<SpecValue> values;
  friend bool operator==(const FittedMarkMissing&, const FittedMarkMissing&) = default;
};

struct FittedImpute {
  static constexpr std::string_view kOp = "impute";
  std::vector<std::string> columns;
  std::vector<SpecValue> fill;  // a number for a numeric column, a string for a categorical one
  friend bool operator==(const FittedImpute&, const FittedImpute&) = default;
};

struct FittedOutliers {
  OutlierAction action = OutlierAction::kClip;
  std::vector<std::string> columns;
  std::vector<double> lower;
  std::vector<double> upper;
  friend bool operator==(const FittedOutliers&, const FittedOutliers&) = default;
};

struct FittedCast {
  static constexpr std::string_view kOp = "cast";
  std::vector<std::string> columns;
  ColumnType to = ColumnType::kFloat64;
  friend bool operator==(const FittedCast&, const FittedCast&) = default;
};

struct FittedText {
  TextOp op = TextOp::kTrim;
  std::vector<std::string> columns;
  friend bool operator==(const FittedText&, const FittedText&) = default;
};

// kMinMax maps x to x·scale + offset (scikit-learn's MinMaxScaler); the other
// kinds map x to (x - center) / scale, with center 0 for kMaxAbs.
struct FittedScale {
  ScaleKind kind = ScaleKind::kStandardize;
  std::vector<std::string> columns;
  std::vector<double> center;  // empty for kMinMax
  std::vector<double> scale;
  std::vector<double> offset;  // kMinMax only
  friend bool operator==(const FittedScale&, const FittedScale&) = default;
};

struct FittedNormalizeRows {
  static constexpr std::string_view kOp = "normalize_rows";
  std::vector<std::string> columns;
  RowNorm norm = RowNorm::kL2;
  friend bool operator==(const FittedNormalizeRows&, const FittedNormalizeRows&) = default;
};

struct FittedLog1p {
  static constexpr std::string_view kOp = "log1p";
  std::vector<std::string> columns;
  friend bool operator==(const FittedLog1p&, const FittedLog1p&) = default;
};

// Categories sorted by byte order (scikit-learn's order for strings); column
// c becomes one column "c=<category>" per category, in place.
struct FittedOneHot {
  static constexpr std::string_view kOp = "one_hot";
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> categories;
  UnknownCategory unknown = UnknownCategory::kError;
  friend bool operator==(const FittedOneHot&, const FittedOneHot&) = default;
};

struct FittedOrdinal {
  static constexpr std::string_view kOp = "ordinal";
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> categories;
  std::optional<double> unknown_value;
  friend bool operator==(const FittedOrdinal&, const FittedOrdinal&) = default;
};

using FittedStep =
    std::variant<FittedDropMissing, FittedDropColumns, FittedDropDuplicates, FittedMarkMissing,
                 FittedImpute, FittedOutliers, FittedCast, FittedText, FittedScale,
                 FittedNormalizeRows, FittedLog1p, FittedOneHot, FittedOrdinal>;

// The op name, as OpName(const StepSpec&) gives it.
std::string_view OpName(const FittedStep& step);

// "pipeline step N (op)", N counting from 1: the prefix of every error a
// step's fit or application returns.
std::string StepPlace(size_t index, std::string_view op);

// The column names a fitted step works on.
const std::vector<std::string>& StepColumns(const FittedStep& step);

// What ApplyStep does with steps that drop rows (drop_missing,
// drop_duplicates, drop_outliers).
enum class RowDropping {
  kApply,  // training data: the rows go
  kSkip,   // inference: every row is kept and answered
};

// Learns `spec`'s parameters from `frame`, which holds the output of the
// steps before it. Does not change `frame`. Errors (InvalidArgument, naming
// the column): a selected column missing or of a kind the op does not take, no
// value to learn from, a learned number that is not finite (an overflow).
core::Result<FittedStep> FitStep(const StepSpec& spec, const Frame& frame);

// Applies `step` to `frame`. Errors (InvalidArgument, naming column and row
// where there is one): a column missing or of the wrong kind; an unseen
// category under unknown "error"; log1p of a value <= -1; a missing value in
// normalize_rows or one_hot; a cast that cannot convert a value.
core::Status ApplyStep(const FittedStep& step, Frame& frame, RowDropping rows);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_FITTED_STEP_H_
