// Reading files — whole, or streamed in chunks — with failures reported as a
// Status whose message names the operation, the path and the OS reason, and
// the one mapping from an errno value to a StatusCode that every file
// operation in core uses.
//
// Thread-safety: pure functions; they block on disk I/O.

#ifndef MODELHOST_CORE_FILE_READER_H_
#define MODELHOST_CORE_FILE_READER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"

namespace modelhost::core {

// "<operation> '<path>': <strerror(error_number)>" with the code errno implies:
// NotFound (ENOENT, ENOTDIR), PermissionDenied (EACCES, EPERM, EROFS),
// ResourceExhausted (ENOSPC, EDQUOT, EMFILE, ENFILE), Internal otherwise.
Status PosixErrorStatus(int error_number, std::string_view operation, std::string_view path);

// Calls `consume` with successive pieces of the file at `path`, in order, each
// at most `chunk_bytes` long, until the end of the file. Memory stays bounded
// by one chunk whatever the file's size. Errors: as PosixErrorStatus for open
// and read failures (a directory fails on read). An exception thrown by
// `consume` propagates to the caller; the file is closed either way.
// REQUIRES: chunk_bytes > 0.
Status ReadFileInChunks(const std::string& path, size_t chunk_bytes,
                        const std::function<void(std::string_view chunk)>& consume);

// Reads the whole file at `path`. Errors as ReadFileInChunks, plus
// ResourceExhausted when the content does not fit in memory.
Result<std::string> ReadFileToString(const std::string& path);

// A whole file's bytes in one allocation that is never zero-filled first
// (the read writes every byte). Movable, not copyable.
class FileContent {
 public:
  FileContent() = default;
  FileContent(std::unique_ptr<char[]> bytes, size_t size) : bytes_(std::move(bytes)), size_(size) {}

  std::string_view view() const { return {bytes_.get(), size_}; }
  size_t size() const { return size_; }

 private:
  std::unique_ptr<char[]> bytes_;
  size_t size_ = 0;
};

// Reads the whole file at `path` with up to `threads` concurrent preads of
// contiguous parts, so that the copy out of the page cache and the page
// faults of the destination (most of a large read's cost) are spread over
// cores. A file that is not a regular file (a pipe, a device), that says it
// is empty (as files in /proc do), or that holds fewer bytes than it says
// while its size and time stay the same (as files in /sys do), is read to
// its end as ReadFileToString reads it. Errors as
// ReadFileInChunks, plus ResourceExhausted when the content does not fit in memory, and Unavailable
// when the file's size changes while it is read (its bytes would be neither
// the old file nor the new one; reading again later may succeed).
Result<FileContent> ReadWholeFile(const std::string& path, size_t threads);

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_FILE_READER_H_
