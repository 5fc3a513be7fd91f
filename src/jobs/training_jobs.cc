#include "jobs/training_jobs.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/log.h"
#include "core/random_id.h"
#include "core/utc_time.h"
#include "jobs/training_job_spec.h"

namespace modelhost::jobs {
namespace {

constexpr std::string_view kTrainingKind = "training";
constexpr std::string_view kInterrupted = "interrupted";
constexpr std::array<store::JobState, 5> kStates = {
    store::JobState::kQueued, store::JobState::kRunning, store::JobState::kSucceeded,
    store::JobState::kFailed, store::JobState::kCancelled};

// The dataset `reference` names: the one with that id, else the newest one
// with that name.
core::Result<store::DatasetRecord> ResolveDataset(store::MetadataStore& store,
                                                  const std::string& reference) {
  core::Result<store::DatasetRecord> by_id = store.GetDataset(reference);
  if (by_id.ok() || by_id.status().code() != core::StatusCode::kNotFound) return by_id;
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::DatasetRecord> datasets, store.ListDatasets());
  for (auto it = datasets.rbegin(); it != datasets.rend(); ++it) {
    if (it->name == reference) return std::move(*it);
  }
  return core::NotFound("dataset: no dataset has the id or name '" + reference + "'");
}

// InvalidArgument naming `target` when the dataset has no such column.
core::Status CheckTargetColumn(const store::DatasetRecord& dataset, const std::string& target) {
  nlohmann::json schema =
      nlohmann::json::parse(dataset.schema_json, nullptr, /*allow_exceptions=*/false);
  if (!schema.is_array()) {
    return core::DataLoss("dataset " + dataset.id + ": its stored schema is not a JSON array");
  }
  std::string columns;
  for (const nlohmann::json& column : schema) {
    if (!column.is_object() || !column.contains("name") || !column["name"].is_string()) {
      return core::DataLoss("dataset " + dataset.id +
                            ": its stored schema has a column without "
                            "a name");
    }
    const std::string name = column["name"].get<std::string>();
    if (name == target) return core::OkStatus();
    columns += (columns.empty() ? "" : ", ") + name;
  }
  return core::InvalidArgument("target: dataset " + dataset.id + " ('" + dataset.name +
                               "') has no column '" + target + "' (its columns: " + columns + ")");
}

// Whether a job found running at start can continue from a checkpoint.
bool HasCheckpoint(const store::JobRecord& job, const std::string& data_dir) {
  core::Result<TrainingJobSpec> spec = ParseTrainingJobSpec(job.spec_json);
  std::error_code error;
  return spec.ok() && spec->checkpoint_every > 0 &&
         std::filesystem::exists(TrainingCheckpointPath(data_dir, job.id), error);
}

// FailedPrecondition for cancelling `job`, which is not queued or running here.
core::Status NothingToCancel(const store::JobRecord& job) {
  return core::FailedPrecondition("training job " + job.id + " is " +
                                  std::string(store::ToString(job.state)) +
                                  (store::IsFinal(job.state) ? " already" : " but not active") +
                                  "; there is nothing to cancel");
}

}  // namespace

struct TrainingJobs::Job {
  explicit Job(store::JobRecord initial, bool resume_from_checkpoint)
      : record(std::move(initial)), resume(resume_from_checkpoint) {}

  std::mutex events_mu;
  store::JobRecord record;        // GUARDED_BY(events_mu): as last stored
  std::vector<Watcher> watchers;  // GUARDED_BY(events_mu)
  const bool resume;
  std::atomic<bool> cancel_requested{false};
  // Set once its final state is stored, before watchers hear of it.
  std::atomic<bool> ended{false};
};

struct TrainingJobs::StateGauges {
  std::array<core::Gauge*, kStates.size()> by_state{};
};

TrainingJobs::TrainingJobs(store::MetadataStore* store, Options options)
    : store_(store), options_(std::move(options)), gauges_(std::make_unique<StateGauges>()) {
  if (options_.metrics == nullptr) return;
  core::GaugeFamily& jobs = options_.metrics->AddGauge("modelhost_training_jobs",
                                                       "Training jobs in each state.", {"state"});
  for (size_t index = 0; index < kStates.size(); ++index) {
    gauges_->by_state[index] = &jobs.WithLabels({store::ToString(kStates[index])});
  }
  throughput_.samples =
      &options_.metrics
           ->AddCounter("modelhost_training_samples_total",
                        "Training rows processed by training jobs, summed over epochs.")
           .WithLabels({});
  throughput_.seconds = &options_.metrics
                             ->AddCounter("modelhost_training_seconds_total",
                                          "Seconds training jobs spent in the epochs counted by "
                                          "modelhost_training_samples_total.")
                             .WithLabels({});
  throughput_.samples_per_second =
      &options_.metrics
           ->AddGauge("modelhost_training_samples_per_second",
                      "Training rows per second of the last epoch that ended.")
           .WithLabels({});
}

core::Result<std::unique_ptr<TrainingJobs>> TrainingJobs::Start(store::MetadataStore* store,
                                                                Options options) {
  if (store == nullptr) return core::InvalidArgument("training jobs: no metadata store");
  if (options.data_dir.empty()) return core::InvalidArgument("training jobs: no data directory");
  if (options.max_running_jobs < 1) {
    return core::InvalidArgument("training jobs: max_running_jobs must be at least 1");
  }
  std::unique_ptr<TrainingJobs> jobs(new TrainingJobs(store, std::move(options)));
  MODELHOST_RETURN_IF_ERROR(jobs->Recover());
  for (int worker = 0; worker < jobs->options_.max_running_jobs; ++worker) {
    jobs->workers_.emplace_back([raw = jobs.get()] { raw->WorkerLoop(); });
  }
  return jobs;
}

TrainingJobs::~TrainingJobs() { Shutdown(); }

core::Status TrainingJobs::Recover() {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::JobRecord> stored, store_->ListJobs());
  std::vector<std::shared_ptr<Job>> resumed;
  std::vector<std::shared_ptr<Job>> queued;
  for (store::JobRecord& record : stored) {
    if (record.kind != kTrainingKind) continue;
    CountState(std::nullopt, record.state);
    if (record.state == store::JobState::kRunning) {
      core::Result<std::optional<std::string>> registered =
          RegisteredBeforeRestart(record, *store_);
      if (!registered.ok()) {
        // The rules below still apply; only this shortcut is lost.
        core::LogWarn("could not check whether a training job registered before the restart",
                      {{"job", record.id}, {"error", registered.status().message()}});
      } else if (*registered) {
        record.state = store::JobState::kSucceeded;
        record.result_json = std::move(**registered);
        record.finished_at = core::UtcNowRfc3339();
        MODELHOST_RETURN_IF_ERROR(store_->UpdateJob(record));
        CountState(store::JobState::kRunning, store::JobState::kSucceeded);
        std::error_code error;
        std::filesystem::remove(TrainingCheckpointPath(options_.data_dir, record.id), error);
        core::LogInfo("training job had registered its model before the restart",
                      {{"job", record.id}});
        continue;
      }
      if (HasCheckpoint(record, options_.data_dir)) {
        core::LogInfo("training job resumes from its checkpoint", {{"job", record.id}});
        resumed.push_back(std::make_shared<Job>(std::move(record), true));
        continue;
      }
      record.state = store::JobState::kFailed;
      record.error = std::string(kInterrupted);
      record.finished_at = core::UtcNowRfc3339();
      MODELHOST_RETURN_IF_ERROR(store_->UpdateJob(record));
      CountState(store::JobState::kRunning, store::JobState::kFailed);
      core::LogWarn("training job was interrupted", {{"job", record.id}});
    } else if (record.state == store::JobState::kQueued) {
      queued.push_back(std::make_shared<Job>(std::move(record), false));
    }
  }
  std::lock_guard lock(mu_);
  for (auto* list : {&resumed, &queued}) {
    for (std::shared_ptr<Job>& job : *list) {
      active_.emplace(job->record.id, job);
      queue_.push_back(std::move(job));
    }
  }
  return core::OkStatus();
}

core::Result<store::JobRecord> TrainingJobs::Create(std::string_view spec_json, Watcher watcher) {
  MODELHOST_ASSIGN_OR_RETURN(TrainingJobSpec spec, ParseTrainingJobSpec(spec_json));
  MODELHOST_ASSIGN_OR_RETURN(store::DatasetRecord dataset, ResolveDataset(*store_, spec.dataset));
  MODELHOST_RETURN_IF_ERROR(CheckTargetColumn(dataset, spec.setup.target));
  store::JobRecord record;
  record.id = core::RandomId("job_");
  record.kind = std::string(kTrainingKind);
  record.state = store::JobState::kQueued;
  record.dataset_id = dataset.id;
  record.spec_json = std::string(spec_json);
  record.created_at = core::UtcNowRfc3339();
  record.result_json = "{}";
  {
    // The insert and the enqueue under one lock keep the queue in the
    // store's order.
    std::lock_guard lock(mu_);
    if (stopping_) return core::FailedPrecondition("the server is shutting down");
    MODELHOST_RETURN_IF_ERROR(store_->InsertJob(record));
    auto job = std::make_shared<Job>(record, false);
    if (watcher) job->watchers.push_back(std::move(watcher));  // not shared yet
    active_.emplace(record.id, job);
    queue_.push_back(std::move(job));
  }
  CountState(std::nullopt, store::JobState::kQueued);
  work_available_.notify_one();
  core::LogInfo("training job queued",
                {{"job", record.id}, {"dataset", dataset.id}, {"model", spec.register_as}});
  return record;
}

core::Result<store::JobRecord> TrainingJobs::Cancel(std::string_view id) {
  std::shared_ptr<Job> cancelled_while_queued;
  bool running_cancelled = false;
  {
    std::lock_guard lock(mu_);
    auto active = active_.find(id);
    if (active != active_.end()) {
      std::shared_ptr<Job> job = active->second;
      auto queued = std::find(queue_.begin(), queue_.end(), job);
      if (job->ended) {
        // Stored final, not yet gone from active_: falls through to the store.
      } else if (queued == queue_.end()) {
        // Running: it stops at its next batch. Its record comes from the
        // store, not the snapshot, whose lock a watcher may hold.
        job->cancel_requested = true;
        running_cancelled = true;
      } else {
        queue_.erase(queued);
        active_.erase(active);
        cancelled_while_queued = std::move(job);
      }
    }
  }
  if (running_cancelled) {
    // As stored: still running, or ended meanwhile (by this cancel, or by
    // finishing first).
    MODELHOST_ASSIGN_OR_RETURN(store::JobRecord record, Get(id));
    core::LogInfo("training job cancel requested", {{"job", record.id}});
    return record;
  }
  if (cancelled_while_queued != nullptr) {
    store::JobRecord record;
    {
      std::lock_guard events(cancelled_while_queued->events_mu);
      record = cancelled_while_queued->record;
    }
    record.state = store::JobState::kCancelled;
    record.finished_at = core::UtcNowRfc3339();
    // A job waiting to resume has a checkpoint no one needs any more.
    std::error_code error;
    std::filesystem::remove(TrainingCheckpointPath(options_.data_dir, record.id), error);
    Transition(*cancelled_while_queued, record);
    core::LogInfo("training job cancelled while queued", {{"job", record.id}});
    return record;
  }
  MODELHOST_ASSIGN_OR_RETURN(store::JobRecord record, Get(id));
  return NothingToCancel(record);
}

core::Result<store::JobRecord> TrainingJobs::Get(std::string_view id) {
  MODELHOST_ASSIGN_OR_RETURN(store::JobRecord record, store_->GetJob(id));
  if (record.kind != kTrainingKind) {
    return core::NotFound("no training job has the id '" + std::string(id) + "'");
  }
  return record;
}

core::Result<std::vector<store::JobRecord>> TrainingJobs::List() {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::JobRecord> all, store_->ListJobs());
  std::vector<store::JobRecord> training;
  for (store::JobRecord& record : all) {
    if (record.kind == kTrainingKind) training.push_back(std::move(record));
  }
  return training;
}

core::Result<store::JobRecord> TrainingJobs::Watch(std::string_view id, Watcher watcher) {
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(mu_);
    auto active = active_.find(id);
    if (active != active_.end()) job = active->second;
  }
  if (job == nullptr) {
    // Ended (or, during shutdown, paused until the next start).
    MODELHOST_ASSIGN_OR_RETURN(store::JobRecord record, Get(id));
    if (watcher(JobStateChanged{record}) && store::IsFinal(record.state)) {
      watcher(JobFinished{record});
    }
    return record;
  }
  std::lock_guard events(job->events_mu);
  const store::JobRecord& record = job->record;
  if (!watcher(JobStateChanged{record})) return record;
  if (store::IsFinal(record.state)) {
    watcher(JobFinished{record});
  } else {
    job->watchers.push_back(std::move(watcher));
  }
  return record;
}

void TrainingJobs::BeginShutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    stop_requested_ = true;
  }
  work_available_.notify_all();
}

void TrainingJobs::Shutdown() {
  BeginShutdown();
  std::lock_guard join(join_mu_);
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

void TrainingJobs::WorkerLoop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      work_available_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    Run(job);
    std::lock_guard lock(mu_);
    active_.erase(job->record.id);  // the id never changes: no events lock needed
  }
}

void TrainingJobs::Run(const std::shared_ptr<Job>& job) {
  store::JobRecord record;
  {
    std::lock_guard events(job->events_mu);
    record = job->record;
  }
  record.state = store::JobState::kRunning;
  if (record.started_at.empty()) record.started_at = core::UtcNowRfc3339();
  Transition(*job, record);
  core::LogInfo("training job started", {{"job", record.id}, {"resume", job->resume}});

  TrainingJobContext context;
  context.store = store_;
  context.data_dir = options_.data_dir;
  context.resume = job->resume;
  context.should_stop = [&] { return job->cancel_requested || stop_requested_; };
  context.save_progress = [&](const store::JobRecord& progress) {
    if (core::Status saved = store_->UpdateJob(progress); !saved.ok()) {
      core::LogWarn("training job progress not stored",
                    {{"job", progress.id}, {"error", saved.message()}});
    }
    std::lock_guard events(job->events_mu);
    job->record.result_json = progress.result_json;
  };
  context.publish = [&](const TrainingJobEvent& event) { Publish(*job, event); };
  context.metrics = throughput_;
  TrainingJobOutcome outcome = ExecuteTrainingJob(record, context);

  record.result_json = outcome.result_json;
  record.finished_at = core::UtcNowRfc3339();
  switch (outcome.end) {
    case TrainingJobOutcome::End::kSucceeded: record.state = store::JobState::kSucceeded; break;
    case TrainingJobOutcome::End::kFailed:
      record.state = store::JobState::kFailed;
      record.error = outcome.error;
      break;
    case TrainingJobOutcome::End::kStopped:
      if (job->cancel_requested) {
        record.state = store::JobState::kCancelled;
        std::error_code error;
        std::filesystem::remove(TrainingCheckpointPath(options_.data_dir, record.id), error);
      } else if (outcome.checkpoint_kept) {
        // Shutdown with a checkpoint: stays running, resumes at the next start.
        record.finished_at.clear();
        context.save_progress(record);
        core::LogInfo("training job paused by shutdown; it resumes at the next start",
                      {{"job", record.id}});
        return;
      } else {
        record.state = store::JobState::kFailed;
        record.error = std::string(kInterrupted);
      }
      break;
  }
  Transition(*job, record);
  core::LogInfo("training job ended", {{"job", record.id},
                                       {"state", std::string(store::ToString(record.state))},
                                       {"error", record.error}});
}

void TrainingJobs::Transition(Job& job, store::JobRecord record) {
  if (core::Status stored = store_->UpdateJob(record); !stored.ok()) {
    core::LogError("training job state not stored",
                   {{"job", record.id}, {"error", stored.message()}});
  }
  std::lock_guard events(job.events_mu);
  // Counted before the watchers hear of it, so they see the metrics agree.
  CountState(job.record.state, record.state);
  job.record = record;
  const bool final = store::IsFinal(record.state);
  if (final) job.ended = true;
  TrainingJobEvent event =
      final ? TrainingJobEvent(JobFinished{record}) : TrainingJobEvent(JobStateChanged{record});
  std::erase_if(job.watchers, [&](Watcher& watcher) { return !watcher(event); });
  if (final) job.watchers.clear();
}

void TrainingJobs::Publish(Job& job, const TrainingJobEvent& event) {
  std::lock_guard events(job.events_mu);
  std::erase_if(job.watchers, [&](Watcher& watcher) { return !watcher(event); });
}

void TrainingJobs::CountState(std::optional<store::JobState> from, store::JobState to) {
  auto gauge = [&](store::JobState state) { return gauges_->by_state[static_cast<size_t>(state)]; };
  if (gauge(to) == nullptr || from == to) return;
  if (from) gauge(*from)->Decrement();
  gauge(to)->Increment();
}

}  // namespace modelhost::jobs
