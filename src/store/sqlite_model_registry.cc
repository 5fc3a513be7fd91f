// SqliteMetadataStore: the model registry — models, versions, aliases
// (metadata_store.h).

#include <string>
#include <utility>

#include "core/utc_time.h"
#include "store/resource_name.h"
#include "store/sqlite_metadata_store.h"

namespace modelhost::store {
namespace {

std::string VersionName(std::string_view model, int64_t version) {
  return "model '" + std::string(model) + "' version " + std::to_string(version);
}

core::Result<ModelVersionRecord> VersionFromRow(const SqlRow& row) {
  ModelVersionRecord record;
  MODELHOST_ASSIGN_OR_RETURN(record.model, TextAt(row, 0, "model_versions.model"));
  MODELHOST_ASSIGN_OR_RETURN(record.version, IntegerAt(row, 1, "model_versions.version"));
  MODELHOST_ASSIGN_OR_RETURN(record.created_at, TextAt(row, 2, "model_versions.created_at"));
  MODELHOST_ASSIGN_OR_RETURN(record.bundle_sha256, TextAt(row, 3, "model_versions.bundle_sha256"));
  MODELHOST_ASSIGN_OR_RETURN(record.info_json, TextAt(row, 4, "model_versions.info_json"));
  return record;
}

constexpr const char* kVersionColumns =
    "SELECT model, version, created_at, bundle_sha256, info_json FROM model_versions ";

}  // namespace

core::Result<ModelVersionRecord> SqliteMetadataStore::AddModelVersion(
    std::string_view model, std::string bundle_sha256, std::string info_json,
    const std::function<core::Status(int64_t version)>& place) {
  MODELHOST_RETURN_IF_ERROR(ValidateResourceName("model name", model));
  ModelVersionRecord record{std::string(model), 0, core::UtcNowRfc3339(), std::move(bundle_sha256),
                            std::move(info_json)};
  MODELHOST_RETURN_IF_ERROR(database_->InTransaction([&]() -> core::Status {
    const SqlValue name[] = {record.model};
    MODELHOST_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        database_->Query("SELECT next_version FROM models WHERE name = ?", name));
    if (rows.empty()) {
      const SqlValue model_row[] = {record.model, int64_t{1}, record.created_at};
      MODELHOST_RETURN_IF_ERROR(
          database_
              ->Query("INSERT INTO models (name, next_version, created_at) VALUES (?, ?, ?)",
                      model_row)
              .status());
      record.version = 1;
    } else {
      MODELHOST_ASSIGN_OR_RETURN(record.version, IntegerAt(rows[0], 0, "models.next_version"));
    }
    const SqlValue bump[] = {record.version + 1, record.model};
    MODELHOST_RETURN_IF_ERROR(
        database_->Query("UPDATE models SET next_version = ? WHERE name = ?", bump).status());
    MODELHOST_RETURN_IF_ERROR(place(record.version));
    const SqlValue version_row[] = {record.model, record.version, record.created_at,
                                    record.bundle_sha256, record.info_json};
    return database_
        ->Query(
            "INSERT INTO model_versions (model, version, created_at, bundle_sha256, info_json) "
            "VALUES (?, ?, ?, ?, ?)",
            version_row)
        .status();
  }));
  RegistryChanged();
  return record;
}

core::Result<std::vector<std::string>> SqliteMetadataStore::ListModels() {
  MODELHOST_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      database_->Query("SELECT DISTINCT model FROM model_versions ORDER BY model"));
  std::vector<std::string> names;
  for (const SqlRow& row : rows) {
    MODELHOST_ASSIGN_OR_RETURN(std::string name, TextAt(row, 0, "model_versions.model"));
    names.push_back(std::move(name));
  }
  return names;
}

core::Result<std::vector<ModelVersionRecord>> SqliteMetadataStore::ListModelVersions(
    std::string_view model) {
  const SqlValue name[] = {std::string(model)};
  MODELHOST_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      database_->Query(std::string(kVersionColumns) + "WHERE model = ? ORDER BY version", name));
  if (rows.empty()) return core::NotFound("no model '" + std::string(model) + "'");
  std::vector<ModelVersionRecord> versions;
  for (const SqlRow& row : rows) {
    MODELHOST_ASSIGN_OR_RETURN(ModelVersionRecord record, VersionFromRow(row));
    versions.push_back(std::move(record));
  }
  return versions;
}

core::Result<ModelVersionRecord> SqliteMetadataStore::GetModelVersion(std::string_view model,
                                                                      int64_t version) {
  const SqlValue key[] = {std::string(model), version};
  MODELHOST_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      database_->Query(std::string(kVersionColumns) + "WHERE model = ? AND version = ?", key));
  if (rows.empty()) return core::NotFound("no " + VersionName(model, version));
  return VersionFromRow(rows[0]);
}

core::Status SqliteMetadataStore::SetAlias(std::string_view model, std::string_view alias,
                                           int64_t version) {
  MODELHOST_RETURN_IF_ERROR(ValidateResourceName("alias", alias));
  core::Status set = database_->InTransaction([&]() -> core::Status {
    MODELHOST_RETURN_IF_ERROR(GetModelVersion(model, version).status());
    const SqlValue row[] = {std::string(model), std::string(alias), version};
    return database_
        ->Query(
            "INSERT INTO model_aliases (model, alias, version) VALUES (?, ?, ?) "
            "ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version",
            row)
        .status();
  });
  if (set.ok()) RegistryChanged();
  return set;
}

core::Status SqliteMetadataStore::DeleteAlias(std::string_view model, std::string_view alias) {
  const SqlValue key[] = {std::string(model), std::string(alias)};
  int64_t deleted = 0;
  MODELHOST_RETURN_IF_ERROR(database_->InTransaction([&]() -> core::Status {
    MODELHOST_RETURN_IF_ERROR(
        database_->Query("DELETE FROM model_aliases WHERE model = ? AND alias = ?", key).status());
    deleted = database_->ChangedRows();
    return core::OkStatus();
  }));
  if (deleted == 0) {
    return core::NotFound("model '" + std::string(model) + "' has no alias '" + std::string(alias) +
                          "'");
  }
  RegistryChanged();
  return core::OkStatus();
}

core::Result<std::map<std::string, int64_t>> SqliteMetadataStore::ListAliases(
    std::string_view model) {
  const SqlValue name[] = {std::string(model)};
  MODELHOST_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      database_->Query("SELECT alias, version FROM model_aliases WHERE model = ?", name));
  std::map<std::string, int64_t> aliases;
  for (const SqlRow& row : rows) {
    MODELHOST_ASSIGN_OR_RETURN(std::string alias, TextAt(row, 0, "model_aliases.alias"));
    MODELHOST_ASSIGN_OR_RETURN(aliases[alias], IntegerAt(row, 1, "model_aliases.version"));
  }
  return aliases;
}

core::Status SqliteMetadataStore::DeleteModelVersion(std::string_view model, int64_t version) {
  core::Status deleted = database_->InTransaction([&]() -> core::Status {
    MODELHOST_RETURN_IF_ERROR(GetModelVersion(model, version).status());
    const SqlValue key[] = {std::string(model), version};
    MODELHOST_ASSIGN_OR_RETURN(
        std::vector<SqlRow> aliases,
        database_->Query("SELECT alias FROM model_aliases WHERE model = ? AND version = ? "
                         "ORDER BY alias",
                         key));
    if (!aliases.empty()) {
      MODELHOST_ASSIGN_OR_RETURN(std::string alias, TextAt(aliases[0], 0, "model_aliases.alias"));
      return core::FailedPrecondition(VersionName(model, version) + " is aliased as '" + alias +
                                      "'; move or delete the alias first");
    }
    return database_->Query("DELETE FROM model_versions WHERE model = ? AND version = ?", key)
        .status();
  });
  if (deleted.ok()) RegistryChanged();
  return deleted;
}

}  // namespace modelhost::store
