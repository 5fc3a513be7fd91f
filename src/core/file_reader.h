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
#include <string>
#include <string_view>

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

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_FILE_READER_H_
