#include "store/sqlite_database.h"

#include <sqlite3.h>

#include <cassert>

namespace modelhost::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// Version 1 records which modelhost created the data directory and when, so a
// later version can tell an old data directory from a new one.
constexpr Migration kMetadataMigrations[] = {
    {1, "server info",
     "CREATE TABLE server_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
     "INSERT INTO server_info (key, value) VALUES "
     "('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));"},
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
  // unwritable directory or a file that is not a database shows up.
  core::Status status = database->Execute(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "PRAGMA foreign_keys=ON;");
  if (!status.ok()) return core::Unavailable(status.message());
  MODELHOST_RETURN_IF_ERROR(database->Migrate(migrations));
  return database;
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close(handle_); }

core::Status SqliteDatabase::Execute(std::string_view sql) {
  std::string statement(sql);
  char* error = nullptr;
  if (sqlite3_exec(handle_, statement.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string reason = error != nullptr ? error : sqlite3_errmsg(handle_);
    sqlite3_free(error);
    return core::Internal("database " + path_ + ": " + reason);
  }
  return core::OkStatus();
}

core::Result<int> SqliteDatabase::SchemaVersion() {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(handle_, "PRAGMA user_version", -1, &statement, nullptr) != SQLITE_OK) {
    return core::Internal("database " + path_ + ": " + sqlite3_errmsg(handle_));
  }
  int version = -1;
  if (sqlite3_step(statement) == SQLITE_ROW) version = sqlite3_column_int(statement, 0);
  sqlite3_finalize(statement);
  if (version < 0) return core::Internal("database " + path_ + ": cannot read user_version");
  return version;
}

core::Status SqliteDatabase::Migrate(std::span<const Migration> migrations) {
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
    std::string sql = "BEGIN IMMEDIATE;" + std::string(migration.sql) +
                      ";PRAGMA user_version=" + std::to_string(migration.version) + ";COMMIT;";
    core::Status status = Execute(sql);
    if (!status.ok()) {
      (void)Execute("ROLLBACK;");  // may fail if SQLite already rolled back; the error is status
      return core::Internal("migration " + std::to_string(migration.version) + " (" +
                            std::string(migration.description) + ") failed: " + status.message());
    }
  }
  return core::OkStatus();
}

}  // namespace modelhost::store
