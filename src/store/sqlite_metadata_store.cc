// SqliteMetadataStore: opening, API keys and the row readers
// (sqlite_metadata_store.h).

#include "store/sqlite_metadata_store.h"

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace modelhost::store {
namespace {

// Scopes are few short words; stored space-separated in one column.
std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const std::string& scope : scopes) {
    if (!joined.empty()) joined += ' ';
    joined += scope;
  }
  return joined;
}

std::vector<std::string> SplitScopes(const std::string& joined) {
  std::vector<std::string> scopes;
  size_t start = 0;
  while (start < joined.size()) {
    size_t end = joined.find(' ', start);
    if (end == std::string::npos) end = joined.size();
    if (end > start) scopes.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return scopes;
}

}  // namespace

core::Result<std::string> TextAt(const SqlRow& row, size_t index, std::string_view what) {
  if (index >= row.size() || !std::holds_alternative<std::string>(row[index])) {
    return core::DataLoss("metadata: " + std::string(what) + " is not text");
  }
  return std::get<std::string>(row[index]);
}

core::Result<int64_t> IntegerAt(const SqlRow& row, size_t index, std::string_view what) {
  if (index >= row.size() || !std::holds_alternative<int64_t>(row[index])) {
    return core::DataLoss("metadata: " + std::string(what) + " is not an integer");
  }
  return std::get<int64_t>(row[index]);
}

core::Status SqliteMetadataStore::InsertApiKey(const ApiKeyRecord& key) {
  const SqlValue parameters[] = {key.id, key.name, key.secret_sha256, JoinScopes(key.scopes),
                                 key.created_at};
  return database_
      ->Query(
          "INSERT INTO api_keys (id, name, secret_sha256, scopes, created_at) "
          "VALUES (?, ?, ?, ?, ?)",
          parameters)
      .status();
}

core::Result<std::vector<ApiKeyRecord>> SqliteMetadataStore::ListApiKeys() {
  MODELHOST_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      database_->Query("SELECT id, name, secret_sha256, scopes, created_at FROM api_keys "
                       "ORDER BY rowid"));
  std::vector<ApiKeyRecord> keys;
  keys.reserve(rows.size());
  for (const SqlRow& row : rows) {
    ApiKeyRecord key;
    MODELHOST_ASSIGN_OR_RETURN(key.id, TextAt(row, 0, "api_keys.id"));
    MODELHOST_ASSIGN_OR_RETURN(key.name, TextAt(row, 1, "api_keys.name"));
    MODELHOST_ASSIGN_OR_RETURN(key.secret_sha256, TextAt(row, 2, "api_keys.secret_sha256"));
    MODELHOST_ASSIGN_OR_RETURN(std::string scopes, TextAt(row, 3, "api_keys.scopes"));
    key.scopes = SplitScopes(scopes);
    MODELHOST_ASSIGN_OR_RETURN(key.created_at, TextAt(row, 4, "api_keys.created_at"));
    keys.push_back(std::move(key));
  }
  return keys;
}

core::Status SqliteMetadataStore::DeleteApiKey(std::string_view id) {
  const SqlValue parameters[] = {std::string(id)};
  int64_t deleted = 0;
  MODELHOST_RETURN_IF_ERROR(database_->InTransaction([&]() -> core::Status {
    MODELHOST_RETURN_IF_ERROR(
        database_->Query("DELETE FROM api_keys WHERE id = ?", parameters).status());
    deleted = database_->ChangedRows();
    return core::OkStatus();
  }));
  if (deleted == 0) return core::NotFound("no API key with id '" + std::string(id) + "'");
  return core::OkStatus();
}

core::Result<std::unique_ptr<MetadataStore>> OpenSqliteMetadataStore(const std::string& data_dir) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return core::Unavailable("data dir " + data_dir + ": cannot create: " + error.message());
  }
  if (!std::filesystem::is_directory(data_dir, error)) {
    return core::Unavailable("data dir " + data_dir + ": not a directory");
  }
  const std::string path = (std::filesystem::path(data_dir) / "modelhost.db").string();
  MODELHOST_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDatabase> database,
                             SqliteDatabase::Open(path, MetadataMigrations()));
  return std::unique_ptr<MetadataStore>(new SqliteMetadataStore(std::move(database)));
}

}  // namespace modelhost::store
