// Atomic file replacement: a file's new content is written to a temporary file
// in the same directory, flushed to disk, then renamed over the target, so a
// crash at any instant leaves either the complete old file or the complete new
// one (DESIGN.md: "Formats that outlive a process"). Reading is file_reader.h.
//
//   MODELHOST_ASSIGN_OR_RETURN(auto writer, core::AtomicFileWriter::Create(path));
//   MODELHOST_RETURN_IF_ERROR(writer->Append(header));
//   MODELHOST_RETURN_IF_ERROR(writer->Append(body));
//   MODELHOST_RETURN_IF_ERROR(writer->Commit());   // or destroy it to abandon
//
// Errors name the path and the OS reason (strerror) and carry the code
// core::PosixErrorStatus (file_reader.h) chooses from errno: ENOENT/ENOTDIR -> NotFound,
// EACCES/EPERM/EROFS -> PermissionDenied, ENOSPC/EDQUOT/EMFILE/ENFILE -> ResourceExhausted,
// anything else -> Internal.
//
// Thread-safety: an AtomicFileWriter is not thread-safe (one thread at a time);
// distinct writers, even for the same target, may be used concurrently: each
// has its own temporary file and the last Commit wins. The free functions are
// thread-safe.

#ifndef MODELHOST_CORE_ATOMIC_FILE_H_
#define MODELHOST_CORE_ATOMIC_FILE_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

namespace modelhost::core {

struct AtomicFileOptions {
  // Permission bits of the committed file, applied exactly (the umask is not
  // consulted). Default 0644.
  mode_t mode = 0644;
};

class AtomicFileWriter {
 public:
  // Opens a new temporary file "<dir>/.<name>.tmp-XXXXXX" next to `path`. The
  // target itself is untouched until Commit. InvalidArgument when `path` names
  // no file (empty, or ending in '/'); the errno-derived error (see above)
  // when the temporary file cannot be created, e.g. NotFound for a missing
  // directory. Does not create directories.
  static Result<std::unique_ptr<AtomicFileWriter>> Create(const std::string& path,
                                                          AtomicFileOptions options = {});

  // Without a successful Commit: closes and deletes the temporary file; the
  // target keeps its old content (or stays absent).
  ~AtomicFileWriter();

  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // Appends `bytes` to the new content (buffered; may write to the temporary
  // file). Blocks on disk I/O. After any error the writer is failed: later
  // Append/Commit calls return FailedPrecondition, and destruction cleans up.
  // FailedPrecondition after Commit.
  Status Append(std::string_view bytes);

  // Makes the new content the target's: writes what is buffered, fsyncs the
  // temporary file, renames it over `path`, and fsyncs the directory so the
  // rename itself is durable. Blocks on disk I/O. On error before the rename
  // the target is untouched; if only the final directory fsync fails, the new
  // content is in place but may not survive a power loss, and the error says
  // so. At most one Commit: a second returns FailedPrecondition.
  Status Commit();

  // The target, as given to Create.
  const std::string& path() const { return path_; }
  // The temporary file written until Commit (in the same directory as path()).
  const std::string& temp_path() const { return temp_path_; }

 private:
  struct PrivateTag {};

 public:
  AtomicFileWriter(PrivateTag, std::string path, std::string temp_path, int fd);

 private:
  enum class State { kOpen, kFailed, kCommitted };

  Status WriteBuffered();
  Status Fail(Status status);

  const std::string path_;
  const std::string temp_path_;
  int fd_;              // of temp_path_; -1 once closed
  std::string buffer_;  // bytes appended but not yet written
  State state_ = State::kOpen;
};

// Makes the entries of `directory` (a rename or a new file in it) durable:
// fsync of the directory itself. Errors: as PosixErrorStatus for open and fsync.
Status FsyncDirectory(const std::string& directory);

// Replaces the content of `path` with `bytes` atomically and durably
// (AtomicFileWriter::Create + Append + Commit); the same errors.
Status WriteFileAtomically(const std::string& path, std::string_view bytes,
                           AtomicFileOptions options = {});

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_ATOMIC_FILE_H_
