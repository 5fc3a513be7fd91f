// RowProgram: a fitted pipeline compiled to run on one record's values, with
// no table, frame or column lookup — the predict routes' hot path. It covers
// every input type (float64, int64, bool, categorical) and every step but
// cast: the columnwise numeric ops (mark_missing, impute, clip_outliers,
// standardize, robust_scale, minmax, maxabs, log1p), normalize_rows, the
// categorical ones (mark_missing, impute, trim, lowercase, one_hot, ordinal),
// drop_columns, and the row-dropping steps, which inference skips
// (drop_missing, drop_duplicates, drop_outliers).
//
// Compile walks the steps over the frame's columns as the table path would
// see them, giving each column a register; Run loads a record's fields into
// the registers and executes the instructions in step order.
//
// Its features are bitwise those of FittedPipeline::Transform under
// kInference on a one-row table: the numeric ops share their arithmetic
// (value_maps.h) and the categorical ones their lookups with the table path.
// It declines wherever the table path would fail — a value of the wrong
// kind, log1p out of its domain, a missing or unseen category where the
// encoder refuses one, a feature missing or beyond float range — so that the
// caller takes the table path and reports that path's exact error.
//
// Thread-safety: immutable after Compile; Run may be called concurrently
// (each thread keeps its own registers).

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
  // types, steps and feature names); nullopt when they hold a step it does
  // not cover (cast) or one the table path would refuse for every record (a
  // column of the wrong kind, features other than the steps give).
  static std::optional<RowProgram> Compile(const std::vector<std::string>& input_names,
                                           const std::vector<ColumnType>& input_types,
                                           const std::vector<FittedStep>& steps,
                                           const std::vector<std::string>& features);

  // Writes the features of one record to `out` (one float per feature).
  // fields[i] is the record's value for input column i, nullptr when absent.
  // False when it declines (see above); `out` is then unspecified.
  // REQUIRES: fields.size() == the number of input columns.
  bool Run(std::span<const FieldValue* const> fields, float* out) const;

 private:
  enum class OpKind {
    // On numeric register `target`.
    kMarkMissing,    // a: the marked value
    kImpute,         // a: the fill
    kClip,           // a, b: lower, upper
    kMinMax,         // a, b: scale, offset
    kCenterScale,    // a, b: center, scale
    kLog1p,          //
    kNormalizeRows,  // registers: the row's columns; l1: L1 (else L2)
    // On text register `source`.
    kMarkMissingText,  // texts: the marked values
    kImputeText,       // texts[0]: the fill
    kTrim,             //
    kLowercase,        //
    kOneHot,           // texts: the categories; numeric registers target.. get 0/1
    kOrdinal,          // texts: the categories; numeric register target gets the index
  };
  struct Op {
    OpKind kind = OpKind::kImpute;
    uint32_t target = 0;  // numeric register (first of a one-hot's)
    uint32_t source = 0;  // text register
    double a = 0;
    double b = 0;
    bool l1 = false;
    bool refuse_unknown = true;  // one_hot: unknown "error"; ordinal: no unknown_value
    std::vector<uint32_t> registers;
    std::vector<std::string> texts;
  };

  std::vector<ColumnType> input_types_;
  std::vector<uint32_t> input_registers_;  // numeric or text register, by input type
  uint32_t numeric_registers_ = 0;
  uint32_t text_registers_ = 0;
  std::vector<Op> ops_;                      // in step order
  std::vector<uint32_t> feature_registers_;  // numeric registers, in feature order
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_ROW_PROGRAM_H_
