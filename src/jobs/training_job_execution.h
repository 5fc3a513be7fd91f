// ExecuteTrainingJob: one training job from its stored record to its outcome
// — the work a TrainingJobs worker thread does (training_jobs.h):
//
//   spec (training_job_spec.h) → the dataset's stored file read whole
//   (data/dataset_reader.h) → TrainingRun::Prepare → Train, checkpointing
//   every fit.checkpoint_every epochs to <data_dir>/checkpoints/<job id>
//   (and continuing from it when `resume`) → the model directory written in a
//   staging directory under <data_dir>/tmp → RegisterModelVersion as
//   spec.register_as, its registry info extended with the job's lineage
//   (dataset id and sha256, job id) and its validation and test metrics.
//
// The model directory's own lineage (model.json) holds the dataset id as
// training.data_file and the dataset's sha256 as training.data_sha256.
//
// Thread-safety: reentrant; the callbacks run on the calling thread.

#ifndef MODELHOST_JOBS_TRAINING_JOB_EXECUTION_H_
#define MODELHOST_JOBS_TRAINING_JOB_EXECUTION_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/metrics.h"
#include "jobs/training_job_event.h"
#include "store/metadata_store.h"

namespace modelhost::jobs {

// Process-wide training throughput; each pointer may be null.
struct TrainingThroughputMetrics {
  core::Counter* samples = nullptr;           // training rows processed, summed over epochs
  core::Counter* seconds = nullptr;           // seconds spent in those epochs
  core::Gauge* samples_per_second = nullptr;  // of the last epoch that ended
};

struct TrainingJobContext {
  store::MetadataStore* store = nullptr;  // not owned
  std::string data_dir;
  // Continue from the job's checkpoint (a restart found it running with one).
  bool resume = false;
  // Read between batches; true stops training (a cancel, or shutdown).
  std::function<bool()> should_stop;
  // Called with the job's record whenever its result_json changed (at least
  // once per epoch), to be stored and shown.
  std::function<void(const store::JobRecord&)> save_progress;
  // Epoch ends and batch progress.
  std::function<void(const TrainingJobEvent&)> publish;
  TrainingThroughputMetrics metrics;
};

struct TrainingJobOutcome {
  enum class End {
    kSucceeded,  // registered; result_json names the model version
    kFailed,     // `error` says why
    kStopped,    // should_stop() ended training before it finished
  };
  End end = End::kFailed;
  std::string error;
  std::string result_json;
  // kStopped only: a checkpoint is left to resume from.
  bool checkpoint_kept = false;
};

// For a job found `running` at start: when it had registered its model
// version before the server stopped (its final state was never stored), the
// result_json of its success — the history as last stored, the version and
// its evaluation — so that it is not trained and registered a second time;
// nullopt when it had not. Errors: its spec's (cannot happen for a stored
// job), the store's.
core::Result<std::optional<std::string>> RegisteredBeforeRestart(const store::JobRecord& job,
                                                                 store::MetadataStore& store);

// <data_dir>/checkpoints/<job id>.safetensors
std::string TrainingCheckpointPath(std::string_view data_dir, std::string_view job_id);

// Runs `job` (running, its spec_json valid). The checkpoint is removed unless
// the outcome keeps it. Never throws; every error becomes kFailed.
TrainingJobOutcome ExecuteTrainingJob(const store::JobRecord& job,
                                      const TrainingJobContext& context);

}  // namespace modelhost::jobs

#endif  // MODELHOST_JOBS_TRAINING_JOB_EXECUTION_H_
