// TrainingJobSpec: the request that creates a training job
// (POST /v1/training-jobs), parsed and checked field by field:
//
//   {"dataset": "ds_… or a dataset name",          required
//    "target": "diabetes",                          required
//    "register_as": "pima",                         required, a resource name
//    "pipeline": {"steps": [...]},                  optional, data/pipeline_spec.h
//    "model": {Keras Sequential config},            optional, nn/network_spec.h
//    "compile": {"loss": "binary_crossentropy",     optional, all three
//                "optimizer": "adam" | {"class_name": "Adam", "config": {...}},
//                "metrics": ["accuracy"]},
//    "fit": {"epochs": 10, "batch_size": 32, "shuffle": true, "seed": 0,
//            "validation_split": 0.2, "test_split": 0.1, "checkpoint_every": 0,
//            "class_weight": {"0": 1, "1": 2},
//            "early_stopping": {"monitor", "patience", "min_delta",
//                               "restore_best_weights"}}}  optional, each key too
//
// Defaults are those of jobs::TrainingSetup and nn::FitOptions (epochs 10 and
// batch size 32, as `modelhost train`). An unknown field anywhere, a value of
// the wrong type or range, and a pipeline, network, loss, optimizer or metric
// the engine refuses are InvalidArgument naming the field by its path
// ("fit.epochs", "compile.optimizer.config.beta_1", "model: …"), and so is an
// early stopping monitor the history will not have ("fit.early_stopping.monitor":
// val_loss without validation_split, a metric not in compile.metrics). What needs the
// dataset (does it exist, has it the target column) is checked by
// TrainingJobs::Create; what needs the data (the pipeline's columns, the
// network's widths) when the job runs.
//
// Thread-safety: a pure function.

#ifndef MODELHOST_JOBS_TRAINING_JOB_SPEC_H_
#define MODELHOST_JOBS_TRAINING_JOB_SPEC_H_

#include <string>
#include <string_view>

#include "core/result.h"
#include "jobs/training_run.h"

namespace modelhost::jobs {

struct TrainingJobSpec {
  // A dataset id, or a name meaning the newest dataset of that name.
  std::string dataset;
  // The model the result is registered as (store/resource_name.h).
  std::string register_as;
  // What to train; setup.target is the request's "target".
  TrainingSetup setup;
  // Checkpoint every this many epochs, so that a job interrupted by a restart
  // resumes instead of failing. Default 0: never.
  int checkpoint_every = 0;
};

// Parses and checks `json` (see the header comment).
core::Result<TrainingJobSpec> ParseTrainingJobSpec(std::string_view json);

}  // namespace modelhost::jobs

#endif  // MODELHOST_JOBS_TRAINING_JOB_SPEC_H_
