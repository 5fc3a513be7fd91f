// TrainingJobEvent: what a watcher of a training job (TrainingJobs::Watch)
// hears while it lives — one of:
//   JobStateChanged  the job entered a state that is not final (running);
//   EpochEnded       an epoch ended: its loss and metrics, validation ones as "val_…";
//   BatchProgress    batches done in the current epoch, about ten times per
//                    epoch (every ⌈batches / 10⌉ batches and at its last);
//   JobFinished      the job ended (succeeded, failed, cancelled): the last event.
//
// Thread-safety: value types.

#ifndef MODELHOST_JOBS_TRAINING_JOB_EVENT_H_
#define MODELHOST_JOBS_TRAINING_JOB_EVENT_H_

#include <map>
#include <string>
#include <variant>

#include "store/metadata_store.h"

namespace modelhost::jobs {

struct JobStateChanged {
  store::JobRecord job;  // as stored after the change
};

struct EpochEnded {
  int epoch = 0;   // 0-based
  int epochs = 0;  // requested
  std::map<std::string, double> values;
  int skipped_batches = 0;
};

struct BatchProgress {
  int epoch = 0;  // 0-based
  int epochs = 0;
  int batch = 0;  // batches done in this epoch, 1 … batches
  int batches = 0;
  double loss = 0.0;  // mean loss of this epoch's batches so far
};

struct JobFinished {
  store::JobRecord job;  // as stored: final state, error, result
};

using TrainingJobEvent = std::variant<JobStateChanged, EpochEnded, BatchProgress, JobFinished>;

}  // namespace modelhost::jobs

#endif  // MODELHOST_JOBS_TRAINING_JOB_EVENT_H_
