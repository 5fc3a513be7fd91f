// DataDirLock: at most one modelhost server per data directory. A server
// holds an exclusive flock(2) on <data_dir>/modelhost.lock for its whole life
// — taken before any startup recovery or sweep touches the directory, let go
// only once everything that writes there has stopped — so a second server
// pointed at the same directory stops before it changes anything (restart
// rules, orphan and upload sweeps would otherwise undo the first one's work).
//
// The file holds the holder's pid, for the message the second server prints.
// It is never removed: a process that removed it could let two others lock
// two different files of the same name. The kernel drops the lock when the
// process ends, however it ends.
//
// The lock is advisory and per host: it guards against another modelhost on
// this machine, not against a data directory on a network file system shared
// between machines.
//
// Thread-safety: one object per server process; not shared between threads.

#ifndef MODELHOST_STORE_DATA_DIR_LOCK_H_
#define MODELHOST_STORE_DATA_DIR_LOCK_H_

#include <memory>
#include <string>

#include "core/result.h"

namespace modelhost::store {

class DataDirLock {
 public:
  // Creates `data_dir` if absent and locks it without waiting.
  // Errors: FailedPrecondition "data directory <dir> is in use by another
  // modelhost process (pid N)…" naming the lock file when another process (or
  // another DataDirLock of this one) holds it; Unavailable naming the path
  // when the directory or the lock file cannot be created or locked.
  static core::Result<std::unique_ptr<DataDirLock>> Acquire(const std::string& data_dir);

  // Lets the lock go.
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}

  int fd_;
};

}  // namespace modelhost::store

#endif  // MODELHOST_STORE_DATA_DIR_LOCK_H_
