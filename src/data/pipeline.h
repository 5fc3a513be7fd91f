// Pipeline: a PipelineSpec (pipeline_spec.h) ready to be fitted. Fit walks
// the steps in order over a working copy of the training table: each step
// picks its columns, learns its parameters from the data as the steps before
// it left it, then transforms that data for the next step. The result is a
// FittedPipeline (fitted_pipeline.h) that knows nothing about the training
// data beyond what it learned.
//
// Thread-safety: immutable; Fit may run concurrently.

#ifndef MODELHOST_DATA_PIPELINE_H_
#define MODELHOST_DATA_PIPELINE_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "data/feature_matrix.h"
#include "data/fitted_pipeline.h"
#include "data/pipeline_spec.h"
#include "data/table.h"
#include "data/target_encoder.h"

namespace modelhost::data {

// The column a model learns to predict, and how it is encoded.
struct TargetSpec {
  std::string column;
  TargetKind kind = TargetKind::kClassification;
};

class Pipeline {
 public:
  explicit Pipeline(PipelineSpec spec) : spec_(std::move(spec)) {}

  // Parses a spec (ParsePipelineSpec) into a Pipeline.
  static core::Result<Pipeline> FromJson(std::string_view json);

  const PipelineSpec& spec() const { return spec_; }

  struct FitResult {
    FittedPipeline fitted;
    // The training table transformed under TransformMode::kTraining, bitwise
    // what fitted.Transform(table, kTraining) gives.
    FeatureMatrix features;
  };

  // Fits every step on `table` and transforms it. Selectors never pick the
  // target column. Errors (InvalidArgument): no column called
  // target->column; a step's error, prefixed "pipeline step N (op): " (an
  // unknown column, a column of the wrong kind, nothing to learn from, …); a
  // column left categorical at the end; a missing value reaching the output;
  // as FitTargetEncoding.
  core::Result<FitResult> FitTransform(const Table& table,
                                       const std::optional<TargetSpec>& target) const;

  // FitTransform without keeping the features.
  core::Result<FittedPipeline> Fit(const Table& table,
                                   const std::optional<TargetSpec>& target) const;

 private:
  PipelineSpec spec_;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_PIPELINE_H_
