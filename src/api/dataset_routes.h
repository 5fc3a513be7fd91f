// The dataset routes (issue 5, steps 1 and 2), over jobs::DatasetService:
//
//   POST   /v1/datasets?name=N[&format=csv|jsonl][&on_error=fail|skip]   write
//          body: the CSV or JSON Lines file, streamed to disk (an upload
//          route: Router::AddUpload) → 201 the dataset, with Location
//   GET    /v1/datasets[?name=N]                                         read
//   GET    /v1/datasets/{id}               schema + profile + lineage    read
//   GET    /v1/datasets/{id}/rows?offset=&limit=                         read
//   GET    /v1/datasets/{id}/export?format=csv|jsonl   streamed back     read
//   DELETE /v1/datasets/{id}               409 while a job reads it      write
//
// (Transforms and splits are jobs: api/dataset_job_routes.h.)
//
// Without `format`, an upload's Content-Type decides (text/csv;
// application/x-ndjson, application/jsonl), else its first byte ('{' is
// JSON Lines, anything else CSV).
//
// Every handler hands its work to `workers`, never blocking an I/O thread;
// when their queue is full the answer is 429.
//
// Thread-safety: handlers run on any thread; the service is thread-safe.

#ifndef MODELHOST_API_DATASET_ROUTES_H_
#define MODELHOST_API_DATASET_ROUTES_H_

#include <cstdint>

#include "api/router.h"
#include "core/thread_pool.h"
#include "jobs/dataset_service.h"

namespace modelhost::api {

struct DatasetRoutesOptions {
  // Both must outlive the server.
  jobs::DatasetService* service = nullptr;
  core::ThreadPool* workers = nullptr;
  // Most rows one GET …/rows returns (`limit` above it is 400).
  uint64_t max_rows_per_page = 10'000;
};

void AddDatasetRoutes(Router& router, DatasetRoutesOptions options);

}  // namespace modelhost::api

#endif  // MODELHOST_API_DATASET_ROUTES_H_
