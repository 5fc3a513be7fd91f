// The dataset operations (issue 5, step 2) as jobs, over jobs::DatasetJobs:
//
//   POST /v1/datasets/{id}:transform   {"pipeline", "name", "target", "task"}  write
//   POST /v1/datasets/{id}:split       {"train", "validation", "test", "seed",
//                                        "stratify", "name"}                   write
//   GET  /v1/dataset-jobs                                                      read
//   GET  /v1/dataset-jobs/{id}                                                 read
//   POST /v1/dataset-jobs/{id}:cancel  a queued job; 409 once it runs          write
//
// A transform or split is checked (400 naming the field), queued as a job
// and then awaited for a while, as the client prefers (RFC 7240):
//   - `Prefer: respond-async`: 202 at once with the job, its Location
//     (/v1/dataset-jobs/{id}) and `Preference-Applied: respond-async`;
//   - otherwise the request waits up to `Prefer: wait=N` seconds (at most
//     `max_wait`; default `default_wait`). A job that ends in time answers as
//     the operation itself: 201 with the derived dataset (transform) or
//     {"datasets": [...]} (split), each with "job_id"; a failed one answers
//     its error (400 naming the step or column, …), a cancelled one 409.
//     One still queued or running answers 202 with the job, to be polled.
// A dataset job: {"id", "kind": "transform"|"split", "state", "dataset_id"
// (the parent), "created_at", "started_at", "finished_at", "error", "spec",
// "datasets": [ids made, once succeeded]}.
//
// Store work runs on `workers` (429 when their queue is full); waiting holds
// no thread.
//
// Thread-safety: handlers run on any thread; DatasetJobs is thread-safe.

#ifndef MODELHOST_API_DATASET_JOB_ROUTES_H_
#define MODELHOST_API_DATASET_JOB_ROUTES_H_

#include <chrono>

#include "api/router.h"
#include "core/thread_pool.h"
#include "jobs/dataset_jobs.h"
#include "jobs/dataset_service.h"

namespace modelhost::api {

struct DatasetJobRoutesOptions {
  // All must outlive the server.
  jobs::DatasetJobs* jobs = nullptr;
  jobs::DatasetService* service = nullptr;
  core::ThreadPool* workers = nullptr;
  std::chrono::milliseconds default_wait{2000};
  std::chrono::milliseconds max_wait{60000};
};

void AddDatasetJobRoutes(Router& router, DatasetJobRoutesOptions options);

}  // namespace modelhost::api

#endif  // MODELHOST_API_DATASET_JOB_ROUTES_H_
