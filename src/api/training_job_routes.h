// The training job routes (issue 5, step 3), over jobs::TrainingJobs:
//
//   POST /v1/training-jobs                write  the request of jobs/training_job_spec.h
//                                                → 202 job; 400 naming the field,
//                                                404 naming an unknown dataset
//   GET  /v1/training-jobs                read   {"training_jobs": [job, …]} oldest first
//   GET  /v1/training-jobs/{id}           read   job
//   POST /v1/training-jobs/{id}:cancel    write  200 job cancelled (it was queued), 202 job
//                                                still running (it stops at its next batch);
//                                                409 when it has already ended
//   GET  /v1/training-jobs/{id}/events    read   Server-Sent Events (below)
//
// A job is {"id", "state": queued|running|succeeded|failed|cancelled,
// "dataset_id", "created_at", "started_at", "finished_at" (null until then),
// "error" (null unless failed), "spec" (the request), "epochs", "history",
// "timings", "validation", "test", "model": {"name", "version"} | null, …}: the
// record's fields and its result (jobs/training_job_result.h).
//
// Events: first "state" with the job as it is now, then as they happen
// "state" (the job, on a state change), "epoch" ({"epoch", "epochs",
// "values", "skipped_batches"}), "progress" ({"epoch", "epochs", "batch",
// "batches", "loss"}), and last "end" (the final job), after which the stream
// closes; a job that has ended already gets "state" and "end" at once.
//
// Every handler answers at once: training runs on the jobs' own threads, and
// events are written by the connection's I/O thread as they are queued.
//
// Thread-safety: AddTrainingJobRoutes is called while building a Router; the
// handlers run on any I/O thread.

#ifndef MODELHOST_API_TRAINING_JOB_ROUTES_H_
#define MODELHOST_API_TRAINING_JOB_ROUTES_H_

#include "api/router.h"
#include "jobs/training_jobs.h"

namespace modelhost::api {

// `jobs` must outlive the server.
void AddTrainingJobRoutes(Router& router, jobs::TrainingJobs* jobs);

}  // namespace modelhost::api

#endif  // MODELHOST_API_TRAINING_JOB_ROUTES_H_
