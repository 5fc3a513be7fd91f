// FittedPipeline: a Pipeline after Fit (pipeline.h) — the input columns it was
// fitted on, each step with the columns it picked and the parameters it
// learned, the target encoding and the names of the output features. It turns
// a table, or one record, into a float32 FeatureMatrix the same way every
// time, and serializes to JSON and back without loss.
//
// Two modes. kTraining applies the row-dropping steps (drop_missing,
// drop_duplicates, drop_outliers) and encodes the target, which the table must
// hold. kInference keeps every row — each input row gets its answer — and
// ignores the target; a value that the skipped steps would have dropped then
// meets the later steps as it is, and a missing value that reaches the output
// is an error naming the feature. TransformRecords gives each record what the
// kInference path gives it alone as a one-row table, bit for bit.
//
// Thread-safety: immutable after construction; Transform and TransformRecords
// may run concurrently.

#ifndef MODELHOST_DATA_FITTED_PIPELINE_H_
#define MODELHOST_DATA_FITTED_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "data/feature_matrix.h"
#include "data/fitted_step.h"
#include "data/row_program.h"
#include "data/table.h"
#include "data/target_encoder.h"

namespace modelhost::data {

struct InputColumn {
  std::string name;
  ColumnType type = ColumnType::kFloat64;
  friend bool operator==(const InputColumn&, const InputColumn&) = default;
};

enum class TransformMode { kTraining, kInference };

// A record: field name → value.
using Record = std::map<std::string, FieldValue, std::less<>>;

class FittedPipeline {
 public:
  // REQUIRES: the parts come from Pipeline::Fit or from FromJson (which
  // checks them); they are not re-validated.
  FittedPipeline(std::vector<InputColumn> input, std::optional<TargetEncoding> target,
                 std::vector<FittedStep> steps, std::vector<std::string> features);

  // The columns Transform reads, in training order (the target excluded).
  const std::vector<InputColumn>& input_columns() const { return input_; }
  const std::optional<TargetEncoding>& target() const { return target_; }
  const std::vector<FittedStep>& steps() const { return steps_; }
  const std::vector<std::string>& feature_names() const { return features_; }

  // The features of `table`'s rows (and, under kTraining with a target, the
  // encoded target). `table` must hold every input column, numeric where it
  // was numeric (float64, int64 and bool are interchangeable) and categorical
  // where it was categorical (a column with no present value, of any type,
  // is all missing of its training type); other columns are ignored. Errors
  // (InvalidArgument): a missing or mistyped column; the errors of a step,
  // prefixed "pipeline step N (op): "; as ToFeatureMatrix.
  core::Result<FeatureMatrix> Transform(const Table& table, TransformMode mode) const;

  // The features of `records` under kInference: row i holds bitwise what
  // Transform gives record i alone as a one-row table of the training column
  // types. A field absent or null is missing. Errors (InvalidArgument), for
  // the first record in error, prefixed "<noun> i: ": a field that is not an
  // input column or the target; a value of the wrong kind for its column (a
  // string for a number, a fraction for int64, …); as Transform.
  core::Result<FeatureMatrix> TransformRecords(std::span<const Record> records,
                                               std::string_view noun = "record") const;
  // TransformRecords' values alone, written row-major to `out`: the predict
  // routes' path, which has the names already and owns the matrix (copying
  // a one-hot pipeline's hundred names cost more than the features).
  // REQUIRES: out.size() == records.size() * feature_names().size(). On an
  // error `out` is unspecified.
  core::Status TransformRecordsInto(std::span<const Record> records, std::span<float> out,
                                    std::string_view noun = "record") const;

  // The JSON form (docs/design/data.md, "Fitted pipeline JSON"). Numbers are
  // written so that they parse back to the same doubles. InvalidArgument when
  // a name or category is not valid UTF-8 (JSON cannot hold it).
  core::Result<std::string> ToJson() const;
  // Parses ToJson's output. InvalidArgument naming what is wrong for anything
  // else: invalid JSON, an unknown key, op or version, a missing field,
  // per-column lists of the wrong length, unsorted categories, a non-finite
  // or zero scale, a feature list inconsistent with the steps is caught by
  // Transform.
  static core::Result<FittedPipeline> FromJson(std::string_view json);

  // Equal parts (the column slices follow from the steps).
  friend bool operator==(const FittedPipeline& a, const FittedPipeline& b) {
    return a.input_ == b.input_ && a.target_ == b.target_ && a.steps_ == b.steps_ &&
           a.features_ == b.features_;
  }

 private:
  core::Result<Frame> MakeFrame(const Table& table, TransformMode mode) const;
  // TransformRecordsInto's work, with errors not naming the record: through
  // the row program when it has one and takes every record, else as a table.
  core::Status TransformRecordTable(std::span<const Record> records, std::span<float> out) const;
  // Points values[i] at the record's field for input i (nullptr: absent).
  // InvalidArgument for a field that is neither an input nor the target.
  core::Status MatchFields(const Record& record, std::vector<const FieldValue*>& values) const;

  std::vector<InputColumn> input_;
  std::optional<TargetEncoding> target_;
  std::vector<FittedStep> steps_;
  std::vector<std::string> features_;
  // The positions in input_ ordered by name, to match a record's (sorted)
  // fields in one pass. Positions, not views of the names: a copied pipeline
  // must not point into the one it was copied from.
  std::vector<size_t> sorted_input_;
  // Per step: SliceByColumn of a columnwise step, empty for the others.
  std::vector<std::vector<FittedStep>> column_slices_;
  // One record at a time without a table, where the steps allow it.
  std::optional<RowProgram> row_program_;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_FITTED_PIPELINE_H_
