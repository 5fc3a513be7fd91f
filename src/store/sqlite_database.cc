#include "store/sqlite_database.h"

#include <sqlite3.h>

#include <cassert>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

namespace modelhost::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr int kLockRetryMs = 10;

// Version 1 records which modelhost created the data directory and when, so a
// later version can tell an old data directory from a new one.
constexpr Migration kMetadataMigrations[] = {
    {1, "server info",
     "CREATE TABLE server_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
     "INSERT INTO server_info (key, value) VALUES "
     "('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));"},
    // Version 2: API keys, stored as the SHA-256 of the secret only.
    {2, "api keys",
     "CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
     "secret_sha256 TEXT NOT NULL, scopes TEXT NOT NULL, created_at TEXT NOT NULL);"},
    // Version 3: the model registry. models.next_version keeps numbers from
    // being reused after a delete; a model row stays once created.
    {3, "model registry",
     "CREATE TABLE models (name TEXT PRIMARY KEY, next_version INTEGER NOT NULL, "
     "created_at TEXT NOT NULL);"
     "CREATE TABLE model_versions (model TEXT NOT NULL REFERENCES models(name), "
     "version INTEGER NOT NULL, created_at TEXT NOT NULL, bundle_sha256 TEXT NOT NULL, "
     "info_json TEXT NOT NULL, PRIMARY KEY (model, version));"
     "CREATE TABLE model_aliases (model TEXT NOT NULL, alias TEXT NOT NULL, "
     "version INTEGER NOT NULL, PRIMARY KEY (model, alias), "
     "FOREIGN KEY (model, version) REFERENCES model_versions(model, version));"},
    // Version 4: datasets and jobs. A job names its dataset; the store refuses
    // to delete a dataset that a queued or running job reads.
    {4, "datasets and jobs",
     "CREATE TABLE datasets (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, "
     "rows INTEGER NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, "
     "schema_json TEXT NOT NULL, profile_json TEXT NOT NULL, lineage_json TEXT NOT NULL);"
     "CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, "
     "dataset_id TEXT NOT NULL, spec_json TEXT NOT NULL, created_at TEXT NOT NULL, "
     "started_at TEXT NOT NULL, finished_at TEXT NOT NULL, error TEXT NOT NULL, "
     "result_json TEXT NOT NULL);"
     "CREATE INDEX jobs_by_dataset ON jobs (dataset_id, state);"},
};

}  // namespace

std::span<const Migration> MetadataMigrations() { return kMetadataMigrations; }

core::Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(
    const std::string& path, std::span<const Migration> migrations) {
  sqlite3* handle = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &handle,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string reason = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    return core::Unavailable("database " + path + ": cannot open: " + reason);
  }
  std::unique_ptr<SqliteDatabase> database(new SqliteDatabase(path, handle));
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
  // journal_mode is the first statement that touches the file: it is where an
  // unwritable directory or a file that is not a database shows up. SQLite
  // answers with the mode it is in, which stays the old one where the file
  // system cannot do WAL — not a silent downgrade we want.
  core::Result<std::string> mode = database->QueryText("PRAGMA journal_mode=WAL");
  // Entering WAL needs a moment of exclusive access, and SQLite does not run
  // its busy handler for it: while another connection holds the file (a
  // concurrent opener migrating it), retry within the usual busy timeout.
  for (int waited_ms = 0; !mode.ok() && mode.status().code() == core::StatusCode::kUnavailable &&
                          waited_ms < kBusyTimeoutMs;
       waited_ms += kLockRetryMs) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kLockRetryMs));
    mode = database->QueryText("PRAGMA journal_mode=WAL");
  }
  if (!mode.ok()) return core::Unavailable(mode.status().message());
  if (*mode != "wal") {
    return core::Unavailable("database " + path +
                             ": cannot switch to WAL journaling (SQLite "
                             "stayed in '" +
                             *mode + "' mode)");
  }
  MODELHOST_RETURN_IF_ERROR(database->Execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  MODELHOST_RETURN_IF_ERROR(database->Migrate(migrations));
  return database;
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close(handle_); }

core::Status SqliteDatabase::Execute(std::string_view sql) {
  std::lock_guard lock(mutex_);
  std::string statement(sql);
  char* error = nullptr;
  if (sqlite3_exec(handle_, statement.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string reason = error != nullptr ? error : sqlite3_errmsg(handle_);
    sqlite3_free(error);
    return core::Internal("database " + path_ + ": " + reason);
  }
  return core::OkStatus();
}

core::Result<std::string> SqliteDatabase::QueryText(std::string_view sql) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(handle_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) !=
      SQLITE_OK) {
    return core::Internal("database " + path_ + ": " + sqlite3_errmsg(handle_));
  }
  int rc = sqlite3_step(statement);
  std::string text;
  if (rc == SQLITE_ROW) {
    const unsigned char* value = sqlite3_column_text(statement, 0);
    if (value != nullptr) text = reinterpret_cast<const char*>(value);
  }
  std::string reason = sqlite3_errmsg(handle_);
  sqlite3_finalize(statement);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    return core::Unavailable("database " + path_ + ": " + std::string(sql) + ": " + reason);
  }
  if (rc != SQLITE_ROW) {
    return core::Internal("database " + path_ + ": " + std::string(sql) + " returned no row (" +
                          sqlite3_errstr(rc) + "): " + reason);
  }
  return text;
}

core::Result<std::vector<SqlRow>> SqliteDatabase::Query(std::string_view sql,
                                                        std::span<const SqlValue> parameters) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(handle_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    return core::Internal("database " + path_ + ": " + sqlite3_errmsg(handle_));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  if (static_cast<size_t>(sqlite3_bind_parameter_count(raw)) != parameters.size()) {
    return core::Internal("database " + path_ + ": " + std::string(sql) + ": " +
                          std::to_string(parameters.size()) + " parameters for " +
                          std::to_string(sqlite3_bind_parameter_count(raw)) + " placeholders");
  }
  for (size_t i = 0; i < parameters.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    int rc = SQLITE_OK;
    if (const auto* integer = std::get_if<int64_t>(&parameters[i])) {
      rc = sqlite3_bind_int64(raw, index, *integer);
    } else if (const auto* real = std::get_if<double>(&parameters[i])) {
      rc = sqlite3_bind_double(raw, index, *real);
    } else if (const auto* text = std::get_if<std::string>(&parameters[i])) {
      rc = sqlite3_bind_text(raw, index, text->data(), static_cast<int>(text->size()),
                             SQLITE_STATIC);
    } else {
      rc = sqlite3_bind_null(raw, index);
    }
    if (rc != SQLITE_OK) return core::Internal("database " + path_ + ": " + sqlite3_errstr(rc));
  }
  std::vector<SqlRow> rows;
  for (;;) {
    const int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      const std::string reason = std::string(sqlite3_errmsg(handle_));
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        return core::Unavailable("database " + path_ + " is busy: " + reason);
      }
      if (sqlite3_extended_errcode(handle_) == SQLITE_CONSTRAINT_UNIQUE ||
          sqlite3_extended_errcode(handle_) == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return core::AlreadyExists("database " + path_ + ": " + reason);
      }
      return core::Internal("database " + path_ + ": " + reason);
    }
    SqlRow row;
    const int columns = sqlite3_column_count(raw);
    row.reserve(static_cast<size_t>(columns));
    for (int column = 0; column < columns; ++column) {
      switch (sqlite3_column_type(raw, column)) {
        case SQLITE_NULL: row.emplace_back(nullptr); break;
        case SQLITE_INTEGER: row.emplace_back(int64_t{sqlite3_column_int64(raw, column)}); break;
        case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(raw, column)); break;
        default: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, column));
          row.emplace_back(
              std::string(text, static_cast<size_t>(sqlite3_column_bytes(raw, column))));
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

int64_t SqliteDatabase::ChangedRows() {
  std::lock_guard lock(mutex_);
  return sqlite3_changes64(handle_);
}

core::Status SqliteDatabase::InTransaction(const std::function<core::Status()>& body) {
  std::lock_guard lock(mutex_);
  MODELHOST_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
  core::Status status = body();
  if (status.ok()) status = Execute("COMMIT");
  if (!status.ok()) (void)Execute("ROLLBACK");  // fails harmlessly if SQLite already rolled back
  return status;
}

core::Result<int> SqliteDatabase::SchemaVersion() {
  MODELHOST_ASSIGN_OR_RETURN(std::string text, QueryText("PRAGMA user_version"));
  return std::atoi(text.c_str());
}

core::Status SqliteDatabase::Migrate(std::span<const Migration> migrations) {
  std::lock_guard lock(mutex_);
  MODELHOST_ASSIGN_OR_RETURN(int current, SchemaVersion());
  int newest = migrations.empty() ? 0 : migrations.back().version;
  if (current > newest) {
    return core::FailedPrecondition("database " + path_ + " has schema version " +
                                    std::to_string(current) + ", newer than this modelhost's " +
                                    std::to_string(newest) + ": it was written by a newer release");
  }
  for (const Migration& migration : migrations) {
    assert(migration.version >= 1);
    if (migration.version <= current) continue;
    MODELHOST_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
    // Another process may have migrated since `current` was read: decide again
    // under the write lock, so each migration runs exactly once.
    core::Result<int> locked_version = SchemaVersion();
    core::Status status = locked_version.status();
    if (status.ok() && *locked_version < migration.version) {
      status = Execute(std::string(migration.sql) +
                       ";PRAGMA user_version=" + std::to_string(migration.version));
    }
    if (status.ok()) status = Execute("COMMIT");
    if (!status.ok()) {
      (void)Execute("ROLLBACK");  // may fail if SQLite already rolled back; the error is status
      return core::Internal("migration " + std::to_string(migration.version) + " (" +
                            std::string(migration.description) + ") failed: " + status.message());
    }
    current = migration.version;
  }
  return core::OkStatus();
}

}  // namespace modelhost::store
