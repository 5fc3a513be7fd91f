// SqliteMetadataStore: datasets (metadata_store.h).

#include <span>
#include <string>
#include <utility>

#include "store/resource_name.h"
#include "store/sqlite_metadata_store.h"

namespace modelhost::store {
namespace {

core::Result<DatasetRecord> DatasetFromRow(const SqlRow& row) {
  DatasetRecord record;
  MODELHOST_ASSIGN_OR_RETURN(record.id, TextAt(row, 0, "datasets.id"));
  MODELHOST_ASSIGN_OR_RETURN(record.name, TextAt(row, 1, "datasets.name"));
  MODELHOST_ASSIGN_OR_RETURN(record.created_at, TextAt(row, 2, "datasets.created_at"));
  MODELHOST_ASSIGN_OR_RETURN(record.rows, IntegerAt(row, 3, "datasets.rows"));
  MODELHOST_ASSIGN_OR_RETURN(record.bytes, IntegerAt(row, 4, "datasets.bytes"));
  MODELHOST_ASSIGN_OR_RETURN(record.sha256, TextAt(row, 5, "datasets.sha256"));
  MODELHOST_ASSIGN_OR_RETURN(record.schema_json, TextAt(row, 6, "datasets.schema_json"));
  MODELHOST_ASSIGN_OR_RETURN(record.profile_json, TextAt(row, 7, "datasets.profile_json"));
  MODELHOST_ASSIGN_OR_RETURN(record.lineage_json, TextAt(row, 8, "datasets.lineage_json"));
  return record;
}

constexpr const char* kDatasetColumns =
    "SELECT id, name, created_at, rows, bytes, sha256, schema_json, profile_json, lineage_json "
    "FROM datasets ";

}  // namespace

core::Status SqliteMetadataStore::AddDataset(const DatasetRecord& dataset,
                                             const std::function<core::Status()>& place) {
  return AddDatasets(std::span(&dataset, 1), place);
}

core::Status SqliteMetadataStore::AddDatasets(std::span<const DatasetRecord> datasets,
                                              const std::function<core::Status()>& place) {
  for (const DatasetRecord& dataset : datasets) {
    MODELHOST_RETURN_IF_ERROR(ValidateResourceName("dataset id", dataset.id));
    MODELHOST_RETURN_IF_ERROR(ValidateResourceName("dataset name", dataset.name));
  }
  return database_->InTransaction([&]() -> core::Status {
    for (const DatasetRecord& dataset : datasets) {
      const SqlValue row[] = {dataset.id,          dataset.name,         dataset.created_at,
                              dataset.rows,        dataset.bytes,        dataset.sha256,
                              dataset.schema_json, dataset.profile_json, dataset.lineage_json};
      MODELHOST_RETURN_IF_ERROR(
          database_
              ->Query("INSERT INTO datasets (id, name, created_at, rows, bytes, sha256, "
                      "schema_json, profile_json, lineage_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      row)
              .status());
    }
    // Last: a failed placement rolls the rows back, and placed files whose
    // commit then fails are the caller's to sweep (never visible).
    return place();
  });
}

core::Result<std::vector<DatasetRecord>> SqliteMetadataStore::ListDatasets() {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                             database_->Query(std::string(kDatasetColumns) + "ORDER BY rowid"));
  std::vector<DatasetRecord> datasets;
  datasets.reserve(rows.size());
  for (const SqlRow& row : rows) {
    MODELHOST_ASSIGN_OR_RETURN(DatasetRecord record, DatasetFromRow(row));
    datasets.push_back(std::move(record));
  }
  return datasets;
}

core::Result<DatasetRecord> SqliteMetadataStore::GetDataset(std::string_view id) {
  const SqlValue key[] = {std::string(id)};
  MODELHOST_ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                             database_->Query(std::string(kDatasetColumns) + "WHERE id = ?", key));
  if (rows.empty()) return core::NotFound("no dataset '" + std::string(id) + "'");
  return DatasetFromRow(rows[0]);
}

core::Status SqliteMetadataStore::DeleteDataset(std::string_view id) {
  return database_->InTransaction([&]() -> core::Status {
    MODELHOST_RETURN_IF_ERROR(GetDataset(id).status());
    const SqlValue key[] = {std::string(id)};
    MODELHOST_ASSIGN_OR_RETURN(
        std::vector<SqlRow> users,
        database_->Query("SELECT id, state FROM jobs WHERE dataset_id = ? AND state IN "
                         "('queued', 'running') ORDER BY rowid LIMIT 1",
                         key));
    if (!users.empty()) {
      MODELHOST_ASSIGN_OR_RETURN(std::string job, TextAt(users[0], 0, "jobs.id"));
      MODELHOST_ASSIGN_OR_RETURN(std::string state, TextAt(users[0], 1, "jobs.state"));
      return core::FailedPrecondition("dataset '" + std::string(id) + "' is in use by " + state +
                                      " job '" + job + "'");
    }
    return database_->Query("DELETE FROM datasets WHERE id = ?", key).status();
  });
}

}  // namespace modelhost::store
