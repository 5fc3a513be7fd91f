#include "jobs/training_job_execution.h"

#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/log.h"
#include "data/dataset_reader.h"
#include "jobs/model_registration.h"
#include "jobs/training_job_result.h"
#include "jobs/training_job_spec.h"
#include "jobs/training_run.h"
#include "store/artifact_paths.h"

namespace modelhost::jobs {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Reports a running Fit: progress events, the stored result once per epoch,
// throughput metrics; cancels when the context says stop.
class JobObserver : public nn::TrainingObserver {
 public:
  JobObserver(const TrainingJobContext& context, store::JobRecord& record,
              TrainingJobResult& result, int64_t samples_per_epoch)
      : context_(context),
        record_(record),
        result_(result),
        samples_per_epoch_(samples_per_epoch),
        epoch_start_(Clock::now()) {}

  // `loss` is already the epoch's running mean (nn::TrainingObserver).
  void OnBatchEnd(int epoch, int batch, int batches, double loss) override {
    const int done = batch + 1;
    const int every = std::max(1, (batches + 9) / 10);
    if (done % every == 0 || done == batches) {
      context_.publish(BatchProgress{.epoch = epoch,
                                     .epochs = result_.epochs,
                                     .batch = done,
                                     .batches = batches,
                                     .loss = loss});
    }
  }

  void OnEpochEnd(const nn::EpochLog& log) override {
    const double seconds = SecondsSince(epoch_start_);
    epoch_start_ = Clock::now();
    const TrainingThroughputMetrics& metrics = context_.metrics;
    if (metrics.samples != nullptr) metrics.samples->Increment(samples_per_epoch_);
    if (metrics.seconds != nullptr) metrics.seconds->Increment(seconds);
    if (metrics.samples_per_second != nullptr && seconds > 0.0) {
      metrics.samples_per_second->Set(samples_per_epoch_ / seconds);
    }
    samples_ += static_cast<double>(samples_per_epoch_);
    seconds_ += seconds;
    if (seconds_ > 0.0) result_.samples_per_second = samples_ / seconds_;
    if (context_.resume && !result_.resumed_from_epoch) result_.resumed_from_epoch = log.epoch;
    // A resumed run repeats the epochs after its checkpoint: they replace
    // what the interrupted run had stored of them.
    result_.history.resize(std::min(result_.history.size(), static_cast<size_t>(log.epoch)));
    result_.history.push_back(log);
    record_.result_json = TrainingJobResultJson(result_);
    context_.save_progress(record_);
    context_.publish(EpochEnded{.epoch = log.epoch,
                                .epochs = result_.epochs,
                                .values = log.values,
                                .skipped_batches = log.skipped_batches});
  }

  bool ShouldContinue() override { return !context_.should_stop(); }

 private:
  const TrainingJobContext& context_;
  store::JobRecord& record_;
  TrainingJobResult& result_;
  const int64_t samples_per_epoch_;
  Clock::time_point epoch_start_;
  double samples_ = 0.0;
  double seconds_ = 0.0;
};

// Writes the trained model into a fresh staging directory under
// <data_dir>/tmp and registers it; the staging directory is gone afterwards.
core::Result<store::ModelVersionRecord> Register(TrainingRun& run,
                                                 const TrainingJobContext& context,
                                                 const std::string& model) {
  const fs::path tmp = fs::path(context.data_dir) / "tmp";
  std::error_code error;
  fs::create_directories(tmp, error);
  if (error) return core::Internal(tmp.string() + ": cannot create: " + error.message());
  std::string staging = (tmp / "job-XXXXXX").string();
  if (::mkdtemp(staging.data()) == nullptr) {
    return core::Internal(tmp.string() + ": cannot create a staging directory");
  }
  core::Result<store::ModelVersionRecord> registered =
      [&]() -> core::Result<store::ModelVersionRecord> {
    const std::string staged = staging + "/model";
    MODELHOST_RETURN_IF_ERROR(run.WriteModel(staged));
    return RegisterModelVersion(*context.store, context.data_dir, model, staged);
  }();
  fs::remove_all(staging, error);
  return registered;
}

// The version of `job`'s model that the job itself registered, if one
// exists: a job that crashed after registering but before its final state
// was stored must not register a second one when it resumes. The bundle's
// lineage names the job; the version must also read the job's dataset and
// be created after the job started, so an uploaded bundle that merely copies
// a job id (write scope) cannot pass for the job's own.
core::Result<std::optional<store::ModelVersionRecord>> VersionRegisteredBy(
    store::MetadataStore& store, const std::string& model, const store::JobRecord& job) {
  core::Result<std::vector<store::ModelVersionRecord>> versions = store.ListModelVersions(model);
  if (!versions.ok()) {
    if (versions.status().code() == core::StatusCode::kNotFound) {
      return std::optional<store::ModelVersionRecord>();
    }
    return versions.status();
  }
  for (store::ModelVersionRecord& version : *versions) {
    const nlohmann::json info =
        nlohmann::json::parse(version.info_json, nullptr, /*allow_exceptions=*/false);
    if (!info.is_object() || !info.contains("lineage") || !info["lineage"].is_object()) continue;
    const nlohmann::json& lineage = info["lineage"];
    // RFC 3339 UTC times of one format compare as text.
    if (lineage.value("job_id", "") == job.id &&
        lineage.value("dataset_id", "") == job.dataset_id && !job.started_at.empty() &&
        version.created_at >= job.started_at) {
      return std::optional<store::ModelVersionRecord>(std::move(version));
    }
  }
  return std::optional<store::ModelVersionRecord>();
}

// The body of ExecuteTrainingJob; fills `outcome` except on error.
core::Status Execute(store::JobRecord& job, const TrainingJobContext& context,
                     TrainingJobResult& result, TrainingJobOutcome& outcome) {
  const Clock::time_point start = Clock::now();
  MODELHOST_ASSIGN_OR_RETURN(TrainingJobSpec spec, ParseTrainingJobSpec(job.spec_json));
  result.epochs = spec.setup.fit.epochs;
  MODELHOST_ASSIGN_OR_RETURN(store::DatasetRecord dataset,
                             context.store->GetDataset(job.dataset_id));
  MODELHOST_ASSIGN_OR_RETURN(
      data::Table table, data::ReadDataset(store::DatasetFilePath(context.data_dir, dataset.id)));
  MODELHOST_ASSIGN_OR_RETURN(std::unique_ptr<TrainingRun> run,
                             TrainingRun::Prepare(table, spec.setup));
  run->description().training.data_file = dataset.id;
  run->description().training.data_sha256 = dataset.sha256;
  run->description().training.dataset_id = dataset.id;
  run->description().training.job_id = job.id;
  result.training_rows = static_cast<int64_t>(run->training_rows());
  result.test_rows = static_cast<int64_t>(run->test_rows());
  result.prepare_seconds = SecondsSince(start);

  CheckpointOptions checkpoint;
  if (spec.checkpoint_every > 0) {
    checkpoint.every = spec.checkpoint_every;
    checkpoint.path = TrainingCheckpointPath(context.data_dir, job.id);
    std::error_code error;
    fs::create_directories(fs::path(checkpoint.path).parent_path(), error);
    if (error) return core::Internal(checkpoint.path + ": cannot create its directory");
    checkpoint.resume = context.resume && fs::exists(checkpoint.path, error);
    if (checkpoint.resume) {
      auto history = ReadTrainingJobHistory(job.result_json);
      if (history.ok()) result.history = std::move(*history);
    }
  }
  const auto train_rows = static_cast<int64_t>(std::floor(
      static_cast<double>(run->training_rows()) * (1.0 - spec.setup.fit.validation_split)));
  JobObserver observer(context, job, result, train_rows);
  const Clock::time_point train_start = Clock::now();
  MODELHOST_ASSIGN_OR_RETURN(TrainingOutcome trained, run->Train(&observer, checkpoint));
  result.train_seconds = SecondsSince(train_start);
  result.history = trained.history.epochs;
  if (trained.history.cancelled) {
    std::error_code error;
    outcome.end = TrainingJobOutcome::End::kStopped;
    outcome.checkpoint_kept = checkpoint.every > 0 && fs::exists(checkpoint.path, error);
    return core::OkStatus();
  }
  result.validation = std::move(trained.validation);
  result.test = std::move(trained.test);

  const Clock::time_point register_start = Clock::now();
  MODELHOST_ASSIGN_OR_RETURN(store::ModelVersionRecord version,
                             Register(*run, context, spec.register_as));
  result.register_seconds = SecondsSince(register_start);
  result.model = RegisteredModel{version.model, version.version};
  outcome.end = TrainingJobOutcome::End::kSucceeded;
  core::LogInfo("training job registered a model version",
                {{"job", job.id}, {"model", version.model}, {"version", version.version}});
  return core::OkStatus();
}

}  // namespace

std::string TrainingCheckpointPath(std::string_view data_dir, std::string_view job_id) {
  return (fs::path(data_dir) / "checkpoints" / (std::string(job_id) + ".safetensors")).string();
}

core::Result<std::optional<std::string>> RegisteredBeforeRestart(const store::JobRecord& job,
                                                                 store::MetadataStore& store) {
  MODELHOST_ASSIGN_OR_RETURN(TrainingJobSpec spec, ParseTrainingJobSpec(job.spec_json));
  MODELHOST_ASSIGN_OR_RETURN(std::optional<store::ModelVersionRecord> registered,
                             VersionRegisteredBy(store, spec.register_as, job));
  if (!registered) return std::optional<std::string>();
  // The result as last stored (history, rows, timings) with what the end of
  // the job would have added: the version and its evaluation.
  nlohmann::json result =
      nlohmann::json::parse(job.result_json, nullptr, /*allow_exceptions=*/false);
  if (!result.is_object()) result = nlohmann::json::object();
  const nlohmann::json info =
      nlohmann::json::parse(registered->info_json, nullptr, /*allow_exceptions=*/false);
  if (info.is_object() && info.contains("evaluation") && info["evaluation"].is_object()) {
    for (const char* part : {"validation", "test"}) {
      if (info["evaluation"].contains(part)) result[part] = info["evaluation"][part];
    }
  }
  result["model"] = {{"name", registered->model}, {"version", registered->version}};
  return std::optional<std::string>(result.dump());
}

TrainingJobOutcome ExecuteTrainingJob(const store::JobRecord& job,
                                      const TrainingJobContext& context) {
  TrainingJobOutcome outcome;
  TrainingJobResult result;
  store::JobRecord record = job;
  core::Status status;
  try {
    status = Execute(record, context, result, outcome);
  } catch (const std::exception& error) {
    status = core::Internal(std::string("training job: unexpected error: ") + error.what());
  }
  if (!status.ok()) {
    outcome.end = TrainingJobOutcome::End::kFailed;
    outcome.error = status.message();
  }
  if (!outcome.checkpoint_kept) {
    std::error_code error;
    fs::remove(TrainingCheckpointPath(context.data_dir, job.id), error);
  }
  outcome.result_json = TrainingJobResultJson(result);
  return outcome;
}

}  // namespace modelhost::jobs
