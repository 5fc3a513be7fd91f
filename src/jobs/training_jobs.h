// TrainingJobs: the server's training jobs — a FIFO queue of jobs, each one
// the training request of training_job_spec.h, run by a bounded pool of
// worker threads (default one: training uses the cores serving would), with
// their records in the metadata store (kind "training") and their progress
// delivered to watchers.
//
// Life of a job: Create validates the request in full and stores it
// `queued`; a free worker takes the oldest queued job, marks it `running` and
// executes it (training_job_execution.h); it ends `succeeded` (a new version
// of the model `register_as`), `failed` (error says why) or `cancelled`.
// Every change is written to the store (UpdateJob) before watchers hear of it;
// result_json (training_job_result.h) is rewritten at least once per epoch.
//
// Cancel: a queued job is cancelled at once; a running one stops at its next
// batch and then becomes cancelled (nothing is registered).
//
// Start (restart rules, issue 5): jobs found `running` were interrupted by a
// crash or a shutdown. One that had registered its model version already
// (the crash came before its final state was stored) becomes `succeeded`
// with that version. One whose spec set fit.checkpoint_every and whose
// checkpoint exists is queued first (oldest first) and resumes from its
// checkpoint — bit-identical to an uninterrupted run (nn/checkpoint.h); any
// other becomes `failed` with error "interrupted". Jobs found `queued` are
// queued again in their order.
//
// Shutdown: no job starts any more; a running job stops at its next batch.
// One that has a checkpoint stays `running` in the store, to resume at the
// next start; any other becomes `failed` with error "interrupted" (what the
// next start would decide, recorded while we know when it happened). Queued
// jobs stay queued for the next start.
//
// Metrics (when Options::metrics is set): modelhost_training_jobs{state}
// (gauge: training jobs in each state), modelhost_training_samples_total and
// modelhost_training_seconds_total (counters: rows trained and seconds spent
// over all epochs; their rates' ratio is samples/s), and
// modelhost_training_samples_per_second (gauge: of the last epoch).
//
// Thread-safety: every method may be called from any thread, except that
// watchers must not call back into TrainingJobs (they run with the job's
// event lock held) and Shutdown must not run on a watcher.
//
// Lock rules: `mu_` guards the queue, the active jobs and the pool's state;
// each job's `events_mu` guards its record snapshot and watchers and is held
// while watchers run. Order: events_mu, then mu_ (a watcher may call
// BeginShutdown); never events_mu while mu_ is held.

#ifndef MODELHOST_JOBS_TRAINING_JOBS_H_
#define MODELHOST_JOBS_TRAINING_JOBS_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "jobs/training_job_event.h"
#include "jobs/training_job_execution.h"
#include "store/metadata_store.h"

namespace modelhost::jobs {

class TrainingJobs {
 public:
  struct Options {
    // The server's data directory: datasets, checkpoints, staging, models. Required.
    std::string data_dir;
    // Jobs that run at the same time. Default 1. REQUIRES: >= 1.
    int max_running_jobs = 1;
    // Where the training metrics go; not owned. Default none.
    core::MetricsRegistry* metrics = nullptr;
  };

  // Hears a job's events (training_job_event.h), on the thread that causes
  // them; returns false to hear no more. Must be quick and must not call into
  // TrainingJobs.
  using Watcher = std::function<bool(const TrainingJobEvent&)>;

  // Applies the restart rules to the training jobs in `store` (not owned;
  // must outlive this) and starts the workers. Errors: InvalidArgument for
  // bad options; the store's.
  static core::Result<std::unique_ptr<TrainingJobs>> Start(store::MetadataStore* store,
                                                           Options options);

  // Shutdown().
  ~TrainingJobs();
  TrainingJobs(const TrainingJobs&) = delete;
  TrainingJobs& operator=(const TrainingJobs&) = delete;

  // Validates `spec_json` (training_job_spec.h) and the dataset it names (an
  // id, or a name: the newest dataset of that name) and its target column,
  // then stores the job `queued` and queues it. Returns the stored record.
  // `watcher`, when set, hears every event of the job, as Watch would, from
  // before it can start.
  // Errors: InvalidArgument naming the field; NotFound naming the dataset;
  // InvalidArgument naming the target column the dataset lacks;
  // FailedPrecondition after Shutdown began; the store's. Blocks only on the
  // store.
  core::Result<store::JobRecord> Create(std::string_view spec_json, Watcher watcher = {});

  // Cancels job `id`: a queued one at once (the record returned is
  // `cancelled`), a running one at its next batch (the record returned is
  // still `running`, or final when it ended meanwhile; watchers hear when it
  // ends). NotFound for an unknown job; FailedPrecondition naming its state
  // when it had already ended.
  core::Result<store::JobRecord> Cancel(std::string_view id);

  // The stored record of training job `id`. NotFound for none (or a job of
  // another kind).
  core::Result<store::JobRecord> Get(std::string_view id);

  // Every training job, oldest first.
  core::Result<std::vector<store::JobRecord>> List();

  // Returns the record of job `id` as it is now, and tells `watcher` first
  // the same record (JobStateChanged), then, if the job has ended,
  // JobFinished at once; else every later event of the job up to and
  // including JobFinished — none missed or repeated. The first calls happen
  // on this thread, before Watch returns. NotFound as Get.
  core::Result<store::JobRecord> Watch(std::string_view id, Watcher watcher);

  // Starts shutting down without waiting: no job starts any more and running
  // ones stop at their next batch. Safe on a watcher. Idempotent.
  void BeginShutdown();

  // BeginShutdown, then waits for the workers to finish (see the header
  // comment for what becomes of the jobs). Idempotent.
  void Shutdown();

 private:
  struct Job;
  struct StateGauges;

  TrainingJobs(store::MetadataStore* store, Options options);
  core::Status Recover();
  void WorkerLoop();
  void Run(const std::shared_ptr<Job>& job);
  // Stores `record` as the job's new state and tells the watchers: a
  // JobStateChanged, or JobFinished for a final state.
  void Transition(Job& job, store::JobRecord record);
  void Publish(Job& job, const TrainingJobEvent& event);
  // Moves one job from gauge `from` (none: a job counted for the first
  // time) to gauge `to`.
  void CountState(std::optional<store::JobState> from, store::JobState to);

  store::MetadataStore* const store_;
  const Options options_;
  std::unique_ptr<StateGauges> gauges_;
  TrainingThroughputMetrics throughput_;

  std::mutex mu_;
  std::condition_variable work_available_;
  std::deque<std::shared_ptr<Job>> queue_;                           // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Job>, std::less<>> active_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                                            // GUARDED_BY(mu_)
  std::atomic<bool> stop_requested_{false};
  std::mutex join_mu_;  // serializes the joins of Shutdown
  std::vector<std::thread> workers_;
};

}  // namespace modelhost::jobs

#endif  // MODELHOST_JOBS_TRAINING_JOBS_H_
