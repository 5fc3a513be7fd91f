// SqliteDatabase: one open SQLite database file in WAL mode, with numbered
// schema migrations applied atomically on open. The metadata store of later
// modules (datasets, jobs, models, keys) is built on it.
//
// Durability: WAL with synchronous=FULL, so a committed transaction survives
// a crash or power loss; a crash mid-transaction leaves the previous state.
//
// Thread-safety: every method may be called from any thread. Statements run
// one at a time; InTransaction holds the connection for its whole body, so
// another thread's statements never land inside someone else's transaction.

#ifndef MODELHOST_STORE_SQLITE_DATABASE_H_
#define MODELHOST_STORE_SQLITE_DATABASE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

struct sqlite3;

namespace modelhost::store {

// One step of a database schema: `sql` (one or more statements) takes the
// schema from version `version - 1` to `version`.
struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

// A value bound to a statement's '?' parameter or read from a result column:
// SQL NULL, INTEGER, REAL or TEXT (BLOBs are read as TEXT).
using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;
using SqlRow = std::vector<SqlValue>;

class SqliteDatabase {
 public:
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Opens (creating if absent) the database at `path`, switches it to WAL,
  // and applies the migrations whose version is above the file's
  // (PRAGMA user_version), each in its own write transaction that re-reads
  // the version first, so processes opening one file at once each apply a
  // migration at most once and all succeed.
  // REQUIRES: `migrations` are numbered 1, 2, 3, … in order.
  // Errors: Unavailable when the file cannot be opened or written, or its
  // file system cannot do WAL (the message names the path and SQLite's reason); FailedPrecondition
  // when the file's schema is newer than the newest migration (written by a newer modelhost);
  // Internal when a migration's SQL fails (the version is named).
  static core::Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path,
                                                            std::span<const Migration> migrations);

  // Runs `sql` (one or more statements without results).
  // Errors: Internal naming the database file and SQLite's message.
  core::Status Execute(std::string_view sql);

  // Runs the single statement `sql` with `parameters` bound to its '?'s in
  // order, and returns every result row (empty for INSERT/UPDATE/DELETE).
  // Errors: Unavailable when the database stays locked past the busy
  // timeout; AlreadyExists when a UNIQUE or PRIMARY KEY constraint fails;
  // Internal for anything else (bad SQL, a parameter count that does not
  // match), naming the database file and SQLite's message.
  core::Result<std::vector<SqlRow>> Query(std::string_view sql,
                                          std::span<const SqlValue> parameters = {});

  // Number of rows the last INSERT/UPDATE/DELETE run on this connection changed.
  // Meaningful inside InTransaction, where no other thread's statement intervenes.
  int64_t ChangedRows();

  // Runs `body` in one write transaction (BEGIN IMMEDIATE): committed when
  // `body` returns OK, rolled back when it returns an error, which is then
  // returned. `body` uses this database's methods (the lock is reentrant).
  core::Status InTransaction(const std::function<core::Status()>& body);

  // The schema version the file is at (PRAGMA user_version).
  core::Result<int> SchemaVersion();

  const std::string& path() const { return path_; }

 private:
  SqliteDatabase(std::string path, sqlite3* handle) : path_(std::move(path)), handle_(handle) {}
  core::Status Migrate(std::span<const Migration> migrations);
  // The first column of the first row `sql` returns, as text.
  core::Result<std::string> QueryText(std::string_view sql);

  std::string path_;
  sqlite3* handle_;  // owned; closed by the destructor
  // Held by every statement and by a whole InTransaction body; recursive so
  // that the body can run statements.
  std::recursive_mutex mutex_;
};

// The migrations of modelhost's own metadata database (modelhost.db).
std::span<const Migration> MetadataMigrations();

}  // namespace modelhost::store

#endif  // MODELHOST_STORE_SQLITE_DATABASE_H_
