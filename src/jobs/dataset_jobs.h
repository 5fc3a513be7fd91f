// DatasetJobs: the dataset operations of issue 5, step 2 — transforms and
// splits of stored datasets — run as jobs, so that a large one never holds a
// request open: a FIFO queue run by one worker thread (an operation loads
// its parent whole; two at once would double the memory), with the records
// in the metadata store (kinds "transform" and "split", dataset_id the
// parent, so the parent cannot be deleted while the job is queued or running).
//
// Life of a job: Create checks the request (dataset_job_spec.h), that the
// parent exists and the new datasets' names, stores the job `queued` and
// queues it; the worker marks it `running`, runs DatasetService::Transform
// or ::Split and stores it `succeeded` with result_json {"datasets": [ids of
// the new datasets]}, or `failed` with the error's message in `error` and
// result_json {"error_code": "invalid_argument" | …} (core::ToString of the
// code).
//
// A queued job can be cancelled; a running one cannot (an operation is not
// interruptible and leaves nothing behind when it fails).
//
// Start (restart rules): a job found `running` was interrupted. If every
// dataset it makes had been stored (each one's lineage names the job), only
// its final state was lost: it becomes `succeeded` with them. Otherwise it
// becomes `failed` with error "interrupted", the parts of a split it had
// stored are removed (a retry then makes no duplicates) and
// DatasetService::SweepOrphans removes what it had staged. Jobs found
// `queued` are queued again in their order.
// Shutdown: no job starts any more; a running one finishes; queued ones stay
// queued for the next start.
//
// Thread-safety: every method may be called from any thread. Waiters run on
// the worker or on the deadline thread, without any lock held; they must be
// quick and must not call Shutdown. Watchers run on the thread that changes
// the job, one at a time; they must be quick and must not call DatasetJobs.

#ifndef MODELHOST_JOBS_DATASET_JOBS_H_
#define MODELHOST_JOBS_DATASET_JOBS_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "jobs/dataset_service.h"
#include "store/metadata_store.h"

namespace modelhost::jobs {

enum class DatasetJobKind { kTransform, kSplit };

// "transform" or "split": the kind stored in JobRecord::kind.
std::string_view ToString(DatasetJobKind kind);

class DatasetJobs {
 public:
  // Hears a job's record once (see Await).
  using Waiter = std::function<void(const store::JobRecord&)>;

  // Applies the restart rules to the dataset jobs in `store` and starts the
  // worker. `store` and `service` are not owned and must outlive this.
  // Errors: the store's.
  static core::Result<std::unique_ptr<DatasetJobs>> Start(store::MetadataStore* store,
                                                          DatasetService* service);

  // Shutdown().
  ~DatasetJobs();
  DatasetJobs(const DatasetJobs&) = delete;
  DatasetJobs& operator=(const DatasetJobs&) = delete;

  // Checks `spec_json` for `kind`, that dataset `dataset_id` exists and the
  // names of the datasets the job would make, stores the job `queued` and
  // queues it. Returns the stored record.
  // Errors: InvalidArgument naming the field, or a default name made from the
  // parent's that is too long (TransformedDatasetName, SplitPartNames);
  // NotFound naming the dataset; Unavailable after shutdown began; the store's.
  core::Result<store::JobRecord> Create(DatasetJobKind kind, std::string_view dataset_id,
                                        std::string_view spec_json);

  // Calls `waiter` exactly once: with the final record as soon as job `id`
  // ends, if it ends within `wait`; else with the record as it is when `wait`
  // has passed (or at Shutdown). A job that has already ended is heard at
  // once, on this thread. NotFound as Get (the waiter is then never called).
  core::Status Await(std::string_view id, std::chrono::milliseconds wait, Waiter waiter);

  // Hears a job's record each time it changes; returns false to hear no
  // more. Must be quick and must not call into DatasetJobs.
  using Watcher = std::function<bool(const store::JobRecord&)>;

  // Tells `watcher` job `id`'s record as it is now, on this thread before
  // Watch returns, then every later change of it (running, then its final
  // state) on the thread that makes it, in order, none missed or repeated;
  // after a final record, nothing more. At BeginShutdown a watcher still
  // watching hears the record as it is once more, and no more after.
  // NotFound as Get (the watcher is then never called).
  core::Status Watch(std::string_view id, Watcher watcher);

  // Cancels a queued job (the record returned is `cancelled`), stored before
  // it leaves the queue. FailedPrecondition naming the state for a running or
  // ended one; NotFound; the store's (the job then stays queued).
  core::Result<store::JobRecord> Cancel(std::string_view id);

  // NotFound naming the id for none (or a job of another kind).
  core::Result<store::JobRecord> Get(std::string_view id);
  // Every dataset job, oldest first.
  core::Result<std::vector<store::JobRecord>> List();

  // Starts shutting down without waiting: no job starts or is created any
  // more, and every waiter still waiting is answered now (with the job as it
  // is), so that requests awaiting jobs can be answered before the server
  // stops. Idempotent.
  void BeginShutdown();

  // BeginShutdown, then waits for a running job to finish. Idempotent.
  void Shutdown();

 private:
  struct Pending {
    std::string id;
    std::chrono::steady_clock::time_point deadline;
    Waiter waiter;
  };

  DatasetJobs(store::MetadataStore* store, DatasetService* service);
  core::Status Recover();
  // A job found `running`: `succeeded` when every dataset it makes was
  // stored (their lineage names it), else `failed`/"interrupted" with the
  // parts it had stored removed.
  core::Status RecoverInterrupted(store::JobRecord& record);
  void WorkerLoop();
  void DeadlineLoop();
  // Runs the operation of `record` (running) and returns its final record.
  store::JobRecord Run(store::JobRecord record);
  // Stores `record`, updates the active snapshot, and when it is final
  // answers the job's waiters. A store error is logged (the worker has no
  // one to return it to) and returned.
  core::Status Transition(const store::JobRecord& record);

  store::MetadataStore* const store_;
  DatasetService* const service_;

  std::mutex mu_;
  std::condition_variable work_available_;
  std::condition_variable deadlines_changed_;
  std::deque<std::string> queue_;                                // GUARDED_BY(mu_)
  std::map<std::string, store::JobRecord, std::less<>> active_;  // GUARDED_BY(mu_)
  std::vector<Pending> pending_;                                 // GUARDED_BY(mu_)
  std::multimap<std::string, Watcher, std::less<>> watchers_;    // GUARDED_BY(mu_)
  // Held while watchers hear a record, so that a job's records reach each
  // watcher in order: the first one (Watch) before any change (Transition).
  std::mutex delivery_mu_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::mutex join_mu_;     // serializes the joins of Shutdown
  std::thread worker_;
  std::thread deadlines_;
};

}  // namespace modelhost::jobs

#endif  // MODELHOST_JOBS_DATASET_JOBS_H_
