// RowProgram: a fitted pipeline compiled to run on one record's values, with
// no table, frame or column lookup — the predict routes' hot path. It covers
// the common numeric pipeline: every input column numeric (float64, int64 or
// bool) and every step a columnwise numeric op (mark_missing, impute,
// clip_outliers, standardize, robust_scale, minmax, maxabs, log1p) or a
// row-dropping step, which inference skips (drop_missing, drop_duplicates,
// drop_outliers).
//
// Its features are bitwise those of FittedPipeline::Transform under
// kInference on a one-row table: the ops share their arithmetic
// (value_maps.h) and run in step order on each column, as the table path
// does. It declines wherever the table path would fail — a value of the
// wrong kind, log1p out of its domain, a feature missing or beyond float
// range — so that the caller takes the table path and reports that path's
// exact error.
//
// Thread-safety: immutable after Compile; Run may be called concurrently.

#ifndef MODELHOST_DATA_ROW_PROGRAM_H_
#define MODELHOST_DATA_ROW_PROGRAM_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "data/column.h"
#include "data/fitted_step.h"

namespace modelhost::data {

// One field of a record, as a JSON object gives it: missing (null or absent),
// a bool, an integer, a number or a string.
using FieldValue = std::variant<std::monostate, bool, int64_t, double, std::string>;

class RowProgram {
 public:
  // The program of a fitted pipeline's parts (its input column names and
  // types, steps and feature names); nullopt when they hold a column or step
  // it does not cover.
  static std::optional<RowProgram> Compile(const std::vector<std::string>& input_names,
                                           const std::vector<ColumnType>& input_types,
                                           const std::vector<FittedStep>& steps,
                                           const std::vector<std::string>& features);

  // Writes the features of one record to `out` (one float per input column).
  // fields[i] is the record's value for input column i, nullptr when absent.
  // False when it declines (see above); `out` is then unspecified.
  // REQUIRES: fields.size() == the number of input columns.
  bool Run(std::span<const FieldValue* const> fields, float* out) const;

 private:
  enum class OpKind { kMarkMissing, kImpute, kClip, kMinMax, kCenterScale, kLog1p };
  struct Op {
    OpKind kind = OpKind::kImpute;
    double a = 0;  // marked, fill, lower, scale (minmax) or center
    double b = 0;  // upper, offset (minmax) or scale
  };

  std::vector<ColumnType> types_;     // per input column
  std::vector<std::vector<Op>> ops_;  // per input column, in step order
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_ROW_PROGRAM_H_
