#include "jobs/dataset_jobs.h"

#include <algorithm>
#include <exception>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "core/log.h"
#include "core/random_id.h"
#include "core/utc_time.h"
#include "jobs/dataset_job_spec.h"

namespace modelhost::jobs {
namespace {

using Json = nlohmann::json;

std::optional<DatasetJobKind> KindOf(std::string_view text) {
  for (DatasetJobKind kind : {DatasetJobKind::kTransform, DatasetJobKind::kSplit}) {
    if (ToString(kind) == text) return kind;
  }
  return std::nullopt;
}

// Checks `spec_json` as the request of a `kind` job on dataset `dataset_id`,
// and the names of the datasets it would make, before it is queued: a
// default name too long for the parent's fails now, not when the job runs.
core::Status CheckRequest(store::MetadataStore& store, DatasetJobKind kind,
                          std::string_view dataset_id, std::string_view spec_json) {
  if (kind == DatasetJobKind::kTransform) {
    MODELHOST_ASSIGN_OR_RETURN(DatasetTransformRequest request,
                               ParseDatasetTransformSpec(spec_json));
    MODELHOST_ASSIGN_OR_RETURN(store::DatasetRecord parent, store.GetDataset(dataset_id));
    return TransformedDatasetName(parent, request).status();
  }
  MODELHOST_ASSIGN_OR_RETURN(DatasetSplitRequest request, ParseDatasetSplitSpec(spec_json));
  MODELHOST_ASSIGN_OR_RETURN(store::DatasetRecord parent, store.GetDataset(dataset_id));
  return SplitPartNames(parent, request).status();
}

// Runs the operation; the ids of the datasets it made.
core::Result<std::vector<std::string>> Execute(DatasetService& service,
                                               const store::JobRecord& job) {
  std::vector<std::string> ids;
  if (KindOf(job.kind) == DatasetJobKind::kTransform) {
    MODELHOST_ASSIGN_OR_RETURN(DatasetTransformRequest request,
                               ParseDatasetTransformSpec(job.spec_json));
    request.job_id = job.id;
    MODELHOST_ASSIGN_OR_RETURN(store::DatasetRecord made,
                               service.Transform(job.dataset_id, request));
    ids.push_back(made.id);
    return ids;
  }
  MODELHOST_ASSIGN_OR_RETURN(DatasetSplitRequest request, ParseDatasetSplitSpec(job.spec_json));
  request.job_id = job.id;
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::DatasetRecord> made,
                             service.Split(job.dataset_id, request));
  for (const store::DatasetRecord& record : made) ids.push_back(record.id);
  return ids;
}

// The datasets job `job` made before the server stopped (their lineage
// names it), and how many it makes when it completes.
core::Result<std::pair<std::vector<std::string>, size_t>> MadeBefore(store::MetadataStore& store,
                                                                     const store::JobRecord& job) {
  size_t expected = 1;
  if (KindOf(job.kind) == DatasetJobKind::kSplit) {
    MODELHOST_ASSIGN_OR_RETURN(DatasetSplitRequest request, ParseDatasetSplitSpec(job.spec_json));
    expected = (request.train_fraction > 0) + (request.validation_fraction > 0) +
               (request.test_fraction > 0);
  }
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::DatasetRecord> datasets, store.ListDatasets());
  std::vector<std::string> made;
  for (const store::DatasetRecord& dataset : datasets) {
    const Json lineage = Json::parse(dataset.lineage_json, nullptr, /*allow_exceptions=*/false);
    if (lineage.is_object() && lineage.value("job_id", "") == job.id) made.push_back(dataset.id);
  }
  return std::pair{std::move(made), expected};
}

}  // namespace

std::string_view ToString(DatasetJobKind kind) {
  return kind == DatasetJobKind::kTransform ? "transform" : "split";
}

DatasetJobs::DatasetJobs(store::MetadataStore* store, DatasetService* service)
    : store_(store), service_(service) {}

core::Result<std::unique_ptr<DatasetJobs>> DatasetJobs::Start(store::MetadataStore* store,
                                                              DatasetService* service) {
  std::unique_ptr<DatasetJobs> jobs(new DatasetJobs(store, service));
  MODELHOST_RETURN_IF_ERROR(jobs->Recover());
  jobs->worker_ = std::thread([raw = jobs.get()] { raw->WorkerLoop(); });
  jobs->deadlines_ = std::thread([raw = jobs.get()] { raw->DeadlineLoop(); });
  return jobs;
}

DatasetJobs::~DatasetJobs() { Shutdown(); }

core::Status DatasetJobs::Recover() {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::JobRecord> stored, store_->ListJobs());
  std::lock_guard lock(mu_);
  for (store::JobRecord& record : stored) {
    if (!KindOf(record.kind)) continue;
    if (record.state == store::JobState::kRunning) {
      MODELHOST_RETURN_IF_ERROR(RecoverInterrupted(record));
    } else if (record.state == store::JobState::kQueued) {
      queue_.push_back(record.id);
      active_.emplace(record.id, std::move(record));
    }
  }
  return core::OkStatus();
}

core::Status DatasetJobs::RecoverInterrupted(store::JobRecord& record) {
  record.finished_at = core::UtcNowRfc3339();
  core::Result<std::pair<std::vector<std::string>, size_t>> made = MadeBefore(*store_, record);
  if (made.ok() && !made->first.empty() && made->first.size() == made->second) {
    // It had stored all it makes; only its final state was lost.
    record.state = store::JobState::kSucceeded;
    record.result_json = Json{{"datasets", made->first}}.dump();
    core::LogInfo("dataset job had finished before the restart", {{"job", record.id}});
    return store_->UpdateJob(record);
  }
  if (made.ok()) {
    // A split cut short: its parts so far go, so that a retry makes no
    // duplicates.
    for (const std::string& id : made->first) {
      if (core::Status removed = service_->Delete(id); !removed.ok()) {
        core::LogWarn("could not remove a part of an interrupted split",
                      {{"job", record.id}, {"dataset", id}, {"error", removed.message()}});
      }
    }
  }
  record.state = store::JobState::kFailed;
  record.error = "interrupted";
  core::LogWarn("dataset job was interrupted", {{"job", record.id}});
  return store_->UpdateJob(record);
}

core::Result<store::JobRecord> DatasetJobs::Create(DatasetJobKind kind, std::string_view dataset_id,
                                                   std::string_view spec_json) {
  MODELHOST_RETURN_IF_ERROR(CheckRequest(*store_, kind, dataset_id, spec_json));
  store::JobRecord record;
  record.id = core::RandomId("job_");
  record.kind = std::string(ToString(kind));
  record.state = store::JobState::kQueued;
  record.dataset_id = std::string(dataset_id);
  record.spec_json = std::string(spec_json);
  record.created_at = core::UtcNowRfc3339();
  record.result_json = "{}";
  {
    // The insert and the enqueue under one lock keep the queue in the
    // store's order. InsertJob checks again that the dataset exists (it may
    // have been deleted since CheckRequest).
    std::lock_guard lock(mu_);
    if (stopping_) return core::Unavailable("the server is shutting down");
    MODELHOST_RETURN_IF_ERROR(store_->InsertJob(record));
    queue_.push_back(record.id);
    active_.emplace(record.id, record);
  }
  work_available_.notify_one();
  core::LogInfo("dataset job queued",
                {{"job", record.id}, {"kind", record.kind}, {"dataset", record.dataset_id}});
  return record;
}

core::Status DatasetJobs::Await(std::string_view id, std::chrono::milliseconds wait,
                                Waiter waiter) {
  std::optional<store::JobRecord> now;
  {
    std::lock_guard lock(mu_);
    auto active = active_.find(id);
    if (active != active_.end()) {
      if (wait.count() > 0 && !stopping_) {
        pending_.push_back(
            {std::string(id), std::chrono::steady_clock::now() + wait, std::move(waiter)});
        deadlines_changed_.notify_one();
        return core::OkStatus();
      }
      now = active->second;
    }
  }
  if (!now) {
    MODELHOST_ASSIGN_OR_RETURN(store::JobRecord record, Get(id));
    now = std::move(record);
  }
  waiter(*now);
  return core::OkStatus();
}

core::Status DatasetJobs::Watch(std::string_view id, Watcher watcher) {
  std::lock_guard delivery(delivery_mu_);
  std::optional<store::JobRecord> now;
  {
    std::lock_guard lock(mu_);
    auto active = active_.find(id);
    if (active != active_.end()) now = active->second;
  }
  if (!now) {  // ended (or never was): the stored record is the last word
    MODELHOST_ASSIGN_OR_RETURN(store::JobRecord record, Get(id));
    watcher(record);
    return core::OkStatus();
  }
  if (!watcher(*now) || store::IsFinal(now->state)) return core::OkStatus();
  std::lock_guard lock(mu_);
  if (stopping_) return core::OkStatus();  // BeginShutdown has told the others
  // Still active: a change after `now` takes delivery_mu_, held here.
  watchers_.emplace(std::string(id), std::move(watcher));
  return core::OkStatus();
}

core::Result<store::JobRecord> DatasetJobs::Cancel(std::string_view id) {
  std::optional<store::JobRecord> cancelled;
  {
    std::lock_guard lock(mu_);
    auto queued = std::find(queue_.begin(), queue_.end(), id);
    if (queued != queue_.end()) {
      // Out of the queue, so the worker cannot take it while it is stored;
      // put back if the store refuses.
      queue_.erase(queued);
      cancelled = active_.at(std::string(id));
    }
  }
  if (!cancelled) {
    MODELHOST_ASSIGN_OR_RETURN(store::JobRecord record, Get(id));
    return core::FailedPrecondition("dataset job " + record.id + " is " +
                                    std::string(store::ToString(record.state)) +
                                    (record.state == store::JobState::kRunning
                                         ? "; a running transform or split cannot be cancelled"
                                         : "; there is nothing to cancel"));
  }
  const store::JobRecord queued = *cancelled;
  cancelled->state = store::JobState::kCancelled;
  cancelled->finished_at = core::UtcNowRfc3339();
  if (core::Status stored = Transition(*cancelled); !stored.ok()) {
    {
      std::lock_guard lock(mu_);
      // Back at the front: it was the oldest of those queued behind it.
      queue_.push_front(queued.id);
    }
    work_available_.notify_one();
    return stored;
  }
  core::LogInfo("dataset job cancelled while queued", {{"job", cancelled->id}});
  return *cancelled;
}

core::Result<store::JobRecord> DatasetJobs::Get(std::string_view id) {
  core::Result<store::JobRecord> record = store_->GetJob(id);
  if ((record.ok() && !KindOf(record->kind)) ||
      (!record.ok() && record.status().code() == core::StatusCode::kNotFound)) {
    return core::NotFound("no dataset job has the id '" + std::string(id) + "'");
  }
  return record;
}

core::Result<std::vector<store::JobRecord>> DatasetJobs::List() {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::JobRecord> all, store_->ListJobs());
  std::erase_if(all, [](const store::JobRecord& record) { return !KindOf(record.kind); });
  return all;
}

void DatasetJobs::BeginShutdown() {
  std::lock_guard delivery(delivery_mu_);
  std::vector<std::pair<Watcher, store::JobRecord>> last;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, watcher] : watchers_) last.emplace_back(std::move(watcher), active_.at(id));
    watchers_.clear();
  }
  work_available_.notify_all();
  deadlines_changed_.notify_all();
  for (auto& [watcher, record] : last) watcher(record);
}

void DatasetJobs::Shutdown() {
  BeginShutdown();
  std::lock_guard join(join_mu_);
  if (worker_.joinable()) worker_.join();
  if (deadlines_.joinable()) deadlines_.join();
}

void DatasetJobs::WorkerLoop() {
  for (;;) {
    store::JobRecord record;
    {
      std::unique_lock lock(mu_);
      work_available_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      record = active_.at(queue_.front());
      queue_.pop_front();
    }
    record.state = store::JobState::kRunning;
    record.started_at = core::UtcNowRfc3339();
    // A store error is logged by Transition; the job runs on regardless, and
    // its final state is stored again at the end.
    (void)Transition(record);
    (void)Transition(Run(std::move(record)));
  }
}

store::JobRecord DatasetJobs::Run(store::JobRecord record) {
  // This thread is the jobs' own: an exception (bad_alloc loading a large
  // parent) must fail the job, not end the server.
  core::Result<std::vector<std::string>> made = core::Internal("not run");
  try {
    made = Execute(*service_, record);
  } catch (const std::bad_alloc&) {
    made = core::ResourceExhausted("out of memory running the " + record.kind);
  } catch (const std::exception& error) {
    made = core::Internal("unexpected error running the " + record.kind + ": " + error.what());
  }
  record.finished_at = core::UtcNowRfc3339();
  if (made.ok()) {
    record.state = store::JobState::kSucceeded;
    record.result_json = Json{{"datasets", *made}}.dump();
    core::LogInfo("dataset job succeeded", {{"job", record.id}, {"kind", record.kind}});
  } else {
    record.state = store::JobState::kFailed;
    record.error = std::string(made.status().message());
    record.result_json =
        Json{{"error_code", std::string(core::ToString(made.status().code()))}}.dump();
    core::LogWarn("dataset job failed", {{"job", record.id}, {"error", record.error}});
  }
  return record;
}

core::Status DatasetJobs::Transition(const store::JobRecord& record) {
  core::Status stored = store_->UpdateJob(record);
  if (!stored.ok()) {
    core::LogError("dataset job state could not be stored",
                   {{"job", record.id}, {"error", stored.message()}});
    if (record.state == store::JobState::kCancelled) return stored;
  }
  std::unique_lock delivery(delivery_mu_);
  std::vector<Waiter> finished;
  std::vector<Watcher> watching;
  {
    std::lock_guard lock(mu_);
    auto [first, last] = watchers_.equal_range(record.id);
    for (auto it = first; it != last; ++it) watching.push_back(std::move(it->second));
    watchers_.erase(first, last);
    if (!store::IsFinal(record.state)) {
      active_.at(record.id) = record;
    } else {
      active_.erase(record.id);
      for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->id == record.id) {
          finished.push_back(std::move(it->waiter));
          it = pending_.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  std::vector<Watcher> still;
  for (Watcher& watcher : watching) {
    if (watcher(record) && !store::IsFinal(record.state)) still.push_back(std::move(watcher));
  }
  if (!still.empty()) {
    std::lock_guard lock(mu_);
    // BeginShutdown, which takes delivery_mu_ too, cannot have run meanwhile.
    for (Watcher& watcher : still) watchers_.emplace(record.id, std::move(watcher));
  }
  delivery.unlock();  // waiters answer requests; they need no order among watchers
  for (Waiter& waiter : finished) waiter(record);
  return stored;
}

void DatasetJobs::DeadlineLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::pair<Waiter, store::JobRecord>> due;
    std::optional<std::chrono::steady_clock::time_point> next;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (stopping_ || it->deadline <= now) {
        // A pending job is active: Transition drops its waiters as it ends.
        due.emplace_back(std::move(it->waiter), active_.at(it->id));
        it = pending_.erase(it);
      } else {
        next = next ? std::min(*next, it->deadline) : it->deadline;
        ++it;
      }
    }
    if (!due.empty()) {
      lock.unlock();
      for (auto& [waiter, record] : due) waiter(record);
      lock.lock();
      continue;
    }
    if (stopping_) return;
    if (next) {
      deadlines_changed_.wait_until(lock, *next);
    } else {
      deadlines_changed_.wait(lock);
    }
  }
}

}  // namespace modelhost::jobs
