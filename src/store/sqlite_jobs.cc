// SqliteMetadataStore: jobs, and the job state names (metadata_store.h).

#include <array>
#include <string>
#include <utility>

#include "store/resource_name.h"
#include "store/sqlite_metadata_store.h"

namespace modelhost::store {
namespace {

constexpr std::array<std::pair<JobState, std::string_view>, 5> kStateNames = {{
    {JobState::kQueued, "queued"},
    {JobState::kRunning, "running"},
    {JobState::kSucceeded, "succeeded"},
    {JobState::kFailed, "failed"},
    {JobState::kCancelled, "cancelled"},
}};

core::Result<JobRecord> JobFromRow(const SqlRow& row) {
  JobRecord job;
  MODELHOST_ASSIGN_OR_RETURN(job.id, TextAt(row, 0, "jobs.id"));
  MODELHOST_ASSIGN_OR_RETURN(job.kind, TextAt(row, 1, "jobs.kind"));
  MODELHOST_ASSIGN_OR_RETURN(std::string state, TextAt(row, 2, "jobs.state"));
  std::optional<JobState> parsed = ParseJobState(state);
  if (!parsed) return core::DataLoss("metadata: job '" + job.id + "' has state '" + state + "'");
  job.state = *parsed;
  MODELHOST_ASSIGN_OR_RETURN(job.dataset_id, TextAt(row, 3, "jobs.dataset_id"));
  MODELHOST_ASSIGN_OR_RETURN(job.spec_json, TextAt(row, 4, "jobs.spec_json"));
  MODELHOST_ASSIGN_OR_RETURN(job.created_at, TextAt(row, 5, "jobs.created_at"));
  MODELHOST_ASSIGN_OR_RETURN(job.started_at, TextAt(row, 6, "jobs.started_at"));
  MODELHOST_ASSIGN_OR_RETURN(job.finished_at, TextAt(row, 7, "jobs.finished_at"));
  MODELHOST_ASSIGN_OR_RETURN(job.error, TextAt(row, 8, "jobs.error"));
  MODELHOST_ASSIGN_OR_RETURN(job.result_json, TextAt(row, 9, "jobs.result_json"));
  return job;
}

constexpr const char* kJobColumns =
    "SELECT id, kind, state, dataset_id, spec_json, created_at, started_at, finished_at, error, "
    "result_json FROM jobs ";

}  // namespace

std::string_view ToString(JobState state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "unknown";
}

std::optional<JobState> ParseJobState(std::string_view text) {
  for (const auto& [value, name] : kStateNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool IsFinal(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed ||
         state == JobState::kCancelled;
}

core::Status SqliteMetadataStore::InsertJob(const JobRecord& job) {
  MODELHOST_RETURN_IF_ERROR(ValidateResourceName("job id", job.id));
  return database_->InTransaction([&]() -> core::Status {
    MODELHOST_RETURN_IF_ERROR(GetDataset(job.dataset_id).status());
    const SqlValue row[] = {job.id,         job.kind,        std::string(ToString(job.state)),
                            job.dataset_id, job.spec_json,   job.created_at,
                            job.started_at, job.finished_at, job.error,
                            job.result_json};
    return database_
        ->Query(
            "INSERT INTO jobs (id, kind, state, dataset_id, spec_json, created_at, "
            "started_at, finished_at, error, result_json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row)
        .status();
  });
}

core::Status SqliteMetadataStore::UpdateJob(const JobRecord& job) {
  const SqlValue row[] = {std::string(ToString(job.state)),
                          job.started_at,
                          job.finished_at,
                          job.error,
                          job.result_json,
                          job.id};
  int64_t updated = 0;
  MODELHOST_RETURN_IF_ERROR(database_->InTransaction([&]() -> core::Status {
    MODELHOST_RETURN_IF_ERROR(
        database_
            ->Query("UPDATE jobs SET state = ?, started_at = ?, finished_at = ?, error = ?, "
                    "result_json = ? WHERE id = ?",
                    row)
            .status());
    updated = database_->ChangedRows();
    return core::OkStatus();
  }));
  if (updated == 0) return core::NotFound("no job '" + job.id + "'");
  return core::OkStatus();
}

core::Result<JobRecord> SqliteMetadataStore::GetJob(std::string_view id) {
  const SqlValue key[] = {std::string(id)};
  MODELHOST_ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                             database_->Query(std::string(kJobColumns) + "WHERE id = ?", key));
  if (rows.empty()) return core::NotFound("no job '" + std::string(id) + "'");
  return JobFromRow(rows[0]);
}

core::Result<std::vector<JobRecord>> SqliteMetadataStore::ListJobs() {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                             database_->Query(std::string(kJobColumns) + "ORDER BY rowid"));
  std::vector<JobRecord> jobs;
  jobs.reserve(rows.size());
  for (const SqlRow& row : rows) {
    MODELHOST_ASSIGN_OR_RETURN(JobRecord job, JobFromRow(row));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace modelhost::store
