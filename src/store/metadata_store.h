// MetadataStore: the durable records of a modelhost server — its API keys,
// its datasets, its jobs (training runs) and its model registry (models,
// their numbered versions, aliases such as "production").
// One interface so that a PostgreSQL store shared by several replicas can
// replace the embedded SQLite one (DESIGN.md, "Scale-out").
//
// Records hold only what may be stored: an API key is kept as the SHA-256 of
// its secret, never the secret itself.
//
// Thread-safety: implementations are safe to call from any thread; each
// method is atomic (all of its writes land, or none).

#ifndef MODELHOST_STORE_METADATA_STORE_H_
#define MODELHOST_STORE_METADATA_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace modelhost::store {

struct ApiKeyRecord {
  std::string id;                   // public identifier, part of the key text
  std::string name;                 // what the creator called it, e.g. "ci"
  std::string secret_sha256;        // lower-case hex SHA-256 of the whole key text
  std::vector<std::string> scopes;  // e.g. {"predict", "read"}
  std::string created_at;           // UTC, RFC 3339
};

// One registered version of a model. The bundle itself lives in the artifact
// store; the record holds what the registry lists and checks.
struct ModelVersionRecord {
  std::string model;          // the model's name (resource_name.h)
  int64_t version = 0;        // 1, 2, 3, … per model; a deleted number is never reused
  std::string created_at;     // UTC, RFC 3339
  std::string bundle_sha256;  // checksum of the stored bundle, verified on load
  std::string info_json;      // metrics, lineage …: a JSON object the store keeps as is
};

// One stored dataset. The columnar file itself lives in the artifact store
// (artifact_paths.h); the record holds what listings show and what jobs check.
struct DatasetRecord {
  std::string id;          // "ds_" + 16 hex digits, chosen by the creator (resource_name.h)
  std::string name;        // what the uploader called it (resource_name.h); not unique
  std::string created_at;  // UTC, RFC 3339
  int64_t rows = 0;
  int64_t bytes = 0;         // size of the stored file
  std::string sha256;        // checksum of the stored file
  std::string schema_json;   // the columns: a JSON array the store keeps as is
  std::string profile_json;  // the column profile: a JSON object kept as is
  std::string lineage_json;  // where it came from (upload, or parent + operation): JSON object
};

// The life of a job: queued → running → succeeded | failed | cancelled;
// queued → cancelled. Only the server that runs a job moves its state.
enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };

// "queued", "running", …
std::string_view ToString(JobState state);
// The state named `text`; nullopt for anything else.
std::optional<JobState> ParseJobState(std::string_view text);
// Whether a job in `state` will not change any more.
bool IsFinal(JobState state);

struct JobRecord {
  std::string id;    // "job_" + 16 hex digits, chosen by the creator
  std::string kind;  // "training"
  JobState state = JobState::kQueued;
  std::string dataset_id;   // the dataset it reads; protected from deletion until it ends
  std::string spec_json;    // the request that created it, kept as is
  std::string created_at;   // UTC, RFC 3339
  std::string started_at;   // "" until it runs
  std::string finished_at;  // "" until it ends
  std::string error;        // why it failed; "" otherwise
  std::string result_json;  // progress and outcome (history, timings, model version): JSON object
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Stores a new key. AlreadyExists when its id is taken.
  virtual core::Status InsertApiKey(const ApiKeyRecord& key) = 0;
  // Every key, in the order they were inserted.
  virtual core::Result<std::vector<ApiKeyRecord>> ListApiKeys() = 0;
  // Removes the key `id`. NotFound when there is none.
  virtual core::Status DeleteApiKey(std::string_view id) = 0;

  // Adds `dataset` (its id must be new and a valid resource name).
  // `place()` runs inside the write transaction, before the dataset becomes
  // visible: it puts the file where the dataset belongs. If it fails, nothing
  // is added and its error is returned. AlreadyExists when the id is taken.
  virtual core::Status AddDataset(const DatasetRecord& dataset,
                                  const std::function<core::Status()>& place) = 0;
  // Adds several datasets at once, as AddDataset: `place()` puts all their
  // files in place; every one is added, or (whichever fails) none.
  virtual core::Status AddDatasets(std::span<const DatasetRecord> datasets,
                                   const std::function<core::Status()>& place) = 0;
  // Every dataset, oldest first.
  virtual core::Result<std::vector<DatasetRecord>> ListDatasets() = 0;
  // NotFound naming the id when there is none.
  virtual core::Result<DatasetRecord> GetDataset(std::string_view id) = 0;
  // Removes a dataset's record. Its files are the caller's to remove once
  // this has returned OK — never before: a delete that fails to commit (or a
  // crash) must not leave a record whose files are gone, while files without
  // a record are unreachable and swept at the next start.
  // NotFound when absent; FailedPrecondition naming the job when a queued or
  // running job reads it.
  virtual core::Status DeleteDataset(std::string_view id) = 0;

  // Adds a job. Its dataset must exist (NotFound naming it otherwise, checked
  // in the same transaction, so no delete can slip in between); AlreadyExists
  // when the id is taken.
  virtual core::Status InsertJob(const JobRecord& job) = 0;
  // Writes a job's state, times, error and result (its id, kind, dataset and
  // spec never change). NotFound when there is no such job.
  virtual core::Status UpdateJob(const JobRecord& job) = 0;
  // NotFound naming the id when there is none.
  virtual core::Result<JobRecord> GetJob(std::string_view id) = 0;
  // Every job, oldest first.
  virtual core::Result<std::vector<JobRecord>> ListJobs() = 0;

  // Registers the next version of `model`, creating the model on its first
  // version. `place(version)` runs inside the write transaction, before the
  // version becomes visible: it puts the bundle where that version's files
  // belong. If it fails, nothing is registered and its error is returned. A
  // crash at any point leaves the version either fully registered or absent
  // (files of an absent version are the caller's to sweep).
  virtual core::Result<ModelVersionRecord> AddModelVersion(
      std::string_view model, std::string bundle_sha256, std::string info_json,
      const std::function<core::Status(int64_t version)>& place) = 0;
  // Names of every model with at least one version, sorted.
  virtual core::Result<std::vector<std::string>> ListModels() = 0;
  // The versions of `model`, oldest first. NotFound naming an unknown model.
  virtual core::Result<std::vector<ModelVersionRecord>> ListModelVersions(
      std::string_view model) = 0;
  // NotFound naming the model and version when there is no such version.
  virtual core::Result<ModelVersionRecord> GetModelVersion(std::string_view model,
                                                           int64_t version) = 0;
  // Points `alias` of `model` at `version` (creating or moving it). NotFound
  // when the version does not exist.
  virtual core::Status SetAlias(std::string_view model, std::string_view alias,
                                int64_t version) = 0;
  // NotFound when `model` has no such alias.
  virtual core::Status DeleteAlias(std::string_view model, std::string_view alias) = 0;
  // Alias → version for `model` (empty when it has none).
  virtual core::Result<std::map<std::string, int64_t>> ListAliases(std::string_view model) = 0;
  // Removes a version. NotFound when absent; FailedPrecondition naming the
  // alias when an alias points at it. The model disappears with its last
  // version (its version numbers are still never reused).
  virtual core::Status DeleteModelVersion(std::string_view model, int64_t version) = 0;

  // A number that changes whenever this object changes the model registry
  // (a version added or deleted, an alias set or deleted), so a cache of
  // registry reads in this process can tell at once that it is stale. Writes
  // by other processes sharing the database do not change it.
  virtual uint64_t registry_generation() const = 0;
};

// The embedded store: `<data_dir>/modelhost.db`, created with its parent
// directory if absent, migrated to this build's schema. Errors as
// SqliteDatabase::Open, plus the directory's creation failing (naming it).
core::Result<std::unique_ptr<MetadataStore>> OpenSqliteMetadataStore(const std::string& data_dir);

}  // namespace modelhost::store

#endif  // MODELHOST_STORE_METADATA_STORE_H_
