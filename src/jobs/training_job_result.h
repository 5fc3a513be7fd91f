// TrainingJobResult: the progress and outcome of a training job, kept as the
// JSON object store::JobRecord::result_json and rewritten at least once per
// epoch while the job runs:
//
//   {"epochs": 10,                                   requested
//    "history": [{"epoch": 0, "values": {"loss": 0.61, "accuracy": 0.66,
//                 "val_loss": …}, "skipped_batches": 0}, …],
//    "timings": {"prepare_seconds": …, "train_seconds": …, "register_seconds": …},
//    "training_rows": 614, "test_rows": 0, "samples_per_second": 51234.5,
//    "resumed_from_epoch": 3,                        only after a resume
//    "validation": {"loss": …, "accuracy": …},       final weights; {} without validation rows
//    "test": {…},                                    the same on the test rows
//    "model": {"name": "pima", "version": 4}}        once registered, else null
//
// A value that is not finite (a diverged loss) is written as null.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_JOBS_TRAINING_JOB_RESULT_H_
#define MODELHOST_JOBS_TRAINING_JOB_RESULT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "nn/trainer.h"

namespace modelhost::jobs {

struct RegisteredModel {
  std::string name;
  int64_t version = 0;
};

struct TrainingJobResult {
  int epochs = 0;
  std::vector<nn::EpochLog> history;
  double prepare_seconds = 0.0;   // reading the dataset, fitting the pipeline
  double train_seconds = 0.0;     // nn::Fit and the final evaluation
  double register_seconds = 0.0;  // writing and registering the model
  int64_t training_rows = 0;
  int64_t test_rows = 0;
  double samples_per_second = 0.0;  // training rows per second of the epochs so far
  std::optional<int> resumed_from_epoch;
  std::map<std::string, double> validation;
  std::map<std::string, double> test;
  std::optional<RegisteredModel> model;
};

std::string TrainingJobResultJson(const TrainingJobResult& result);

// The history of a result_json written by TrainingJobResultJson (nulls read
// back as NaN); empty for an empty text. DataLoss naming what is malformed.
core::Result<std::vector<nn::EpochLog>> ReadTrainingJobHistory(std::string_view result_json);

}  // namespace modelhost::jobs

#endif  // MODELHOST_JOBS_TRAINING_JOB_RESULT_H_
