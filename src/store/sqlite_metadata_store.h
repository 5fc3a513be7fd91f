// SqliteMetadataStore: MetadataStore on the embedded SQLite database. Private
// to the store module (OpenSqliteMetadataStore makes one); its methods are
// defined by concern in sqlite_metadata_store.cc (keys),
// sqlite_model_registry.cc (models), sqlite_datasets.cc (datasets) and
// sqlite_jobs.cc (jobs).
//
// Thread-safety: as MetadataStore (SqliteDatabase serializes statements and
// transactions).

#ifndef MODELHOST_STORE_SQLITE_METADATA_STORE_H_
#define MODELHOST_STORE_SQLITE_METADATA_STORE_H_

#include <atomic>
#include <memory>
#include <utility>

#include "store/metadata_store.h"
#include "store/sqlite_database.h"

namespace modelhost::store {

class SqliteMetadataStore final : public MetadataStore {
 public:
  explicit SqliteMetadataStore(std::unique_ptr<SqliteDatabase> database)
      : database_(std::move(database)) {}

  core::Status InsertApiKey(const ApiKeyRecord& key) override;
  core::Result<std::vector<ApiKeyRecord>> ListApiKeys() override;
  core::Status DeleteApiKey(std::string_view id) override;

  core::Status AddDataset(const DatasetRecord& dataset,
                          const std::function<core::Status()>& place) override;
  core::Status AddDatasets(std::span<const DatasetRecord> datasets,
                           const std::function<core::Status()>& place) override;
  core::Result<std::vector<DatasetRecord>> ListDatasets() override;
  core::Result<DatasetRecord> GetDataset(std::string_view id) override;
  core::Status DeleteDataset(std::string_view id) override;

  core::Status InsertJob(const JobRecord& job) override;
  core::Status UpdateJob(const JobRecord& job) override;
  core::Result<JobRecord> GetJob(std::string_view id) override;
  core::Result<std::vector<JobRecord>> ListJobs() override;

  core::Result<ModelVersionRecord> AddModelVersion(
      std::string_view model, std::string bundle_sha256, std::string info_json,
      const std::function<core::Status(int64_t version)>& place) override;
  core::Result<std::vector<std::string>> ListModels() override;
  core::Result<std::vector<ModelVersionRecord>> ListModelVersions(std::string_view model) override;
  core::Result<ModelVersionRecord> GetModelVersion(std::string_view model,
                                                   int64_t version) override;
  core::Status SetAlias(std::string_view model, std::string_view alias, int64_t version) override;
  core::Status DeleteAlias(std::string_view model, std::string_view alias) override;
  core::Result<std::map<std::string, int64_t>> ListAliases(std::string_view model) override;
  core::Status DeleteModelVersion(std::string_view model, int64_t version) override;
  uint64_t registry_generation() const override {
    return registry_generation_.load(std::memory_order_acquire);
  }

 private:
  // Counts the registry's successful writes (call it after each).
  void RegistryChanged() { registry_generation_.fetch_add(1, std::memory_order_acq_rel); }

  std::unique_ptr<SqliteDatabase> database_;
  std::atomic<uint64_t> registry_generation_{0};
};

// The TEXT value of column `index` of `row`, or DataLoss naming `what`.
core::Result<std::string> TextAt(const SqlRow& row, size_t index, std::string_view what);
// The INTEGER value of column `index` of `row`, or DataLoss naming `what`.
core::Result<int64_t> IntegerAt(const SqlRow& row, size_t index, std::string_view what);

}  // namespace modelhost::store

#endif  // MODELHOST_STORE_SQLITE_METADATA_STORE_H_
