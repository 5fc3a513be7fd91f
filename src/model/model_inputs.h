// Model inputs: the float32 matrices a network trains and predicts on, made
// from a table — through the model's fitted data pipeline when it has one
// (data/fitted_pipeline.h), else straight from the numeric columns
// (input_schema.h). Training and every later prediction go through here, so a
// served or offline prediction sees exactly the features training saw.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_MODEL_MODEL_INPUTS_H_
#define MODELHOST_MODEL_MODEL_INPUTS_H_

#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/fitted_pipeline.h"
#include "data/pipeline.h"
#include "data/table.h"
#include "model/input_schema.h"
#include "nn/loss.h"
#include "nn/matrix.h"

namespace modelhost::model {

struct PipelineTrainingSet {
  // The target as InferTargetSchema infers it; features are the pipeline's
  // output features, in order, typed float64.
  InputSchema schema;
  data::FittedPipeline pipeline;
  nn::Matrix features;  // [rows kept, features]
  nn::Matrix targets;   // [rows kept, OutputWidth(schema.target)]
};

// Fits `pipeline` on `table`, predicting column `target` (a class target when
// InferTargetSchema says so under `loss`, else a number), and transforms it
// for training: the row-dropping steps apply. Errors: as InferTargetSchema;
// the pipeline's, naming the step; no row left.
core::Result<PipelineTrainingSet> FitPipelineForTraining(const data::Pipeline& pipeline,
                                                         const data::Table& table,
                                                         std::string_view target,
                                                         std::optional<nn::LossKind> loss);

// The [rows, features] matrix of `table` for a model with `schema` and, when
// not null, `pipeline` (applied for inference: every row is kept and gets its
// answer). Errors: as MakeFeatureMatrix, or the pipeline's Transform.
core::Result<nn::Matrix> ModelFeatures(const data::Table& table, const InputSchema& schema,
                                       const data::FittedPipeline* pipeline);

// The [records.size(), features] matrix of raw records — what a prediction
// request sends — for a model with `schema` and, when not null, `pipeline`
// (FittedPipeline::TransformRecords: all records as one table, row i bitwise
// what the table path gives record i alone). Without a pipeline each feature must be a number or a
// bool. A field named as the target is ignored. Errors (InvalidArgument):
// "instance I: …" naming the field — unknown, missing (and not imputed by the
// pipeline), or of the wrong kind — or the pipeline's error.
core::Result<nn::Matrix> RecordFeatures(const std::vector<data::Record>& records,
                                        const InputSchema& schema,
                                        const data::FittedPipeline* pipeline);

}  // namespace modelhost::model

#endif  // MODELHOST_MODEL_MODEL_INPUTS_H_
