#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/log.h"

namespace modelhost::core {
namespace {

// Appends are gathered up to this size before a write(2), so that many small
// Appends (a CSV written row by row) cost few system calls.
constexpr size_t kWriteBufferBytes = 64 * 1024;
constexpr size_t kReadChunkBytes = 64 * 1024;

// "<what> '<path>': <strerror>", with a code derived from errno.
Status ErrnoStatus(int error, std::string_view what, const std::string& path) {
  std::string message = std::string(what) + " '" + path +
                        "': " + std::error_code(error, std::generic_category()).message();
  switch (error) {
    case ENOENT:
    case ENOTDIR: return NotFound(std::move(message));
    case EACCES:
    case EPERM:
    case EROFS: return PermissionDenied(std::move(message));
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE: return ResourceExhausted(std::move(message));
    default: return Internal(std::move(message));
  }
}

// write(2) until every byte is written, retrying interrupted and short writes.
Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", path);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return OkStatus();
}

// The directory part of `path` ("." when there is none) and the file name.
std::pair<std::string, std::string> SplitPath(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  if (slash == 0) return {"/", path.substr(1)};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

Status FsyncDirectory(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open directory", directory);
  Status status;
  if (::fsync(fd) != 0) status = ErrnoStatus(errno, "fsync directory", directory);
  ::close(fd);
  return status;
}

}  // namespace

Result<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Create(const std::string& path,
                                                                   AtomicFileOptions options) {
  auto [directory, name] = SplitPath(path);
  if (name.empty()) return InvalidArgument("atomic write: '" + path + "' does not name a file");
  std::string temp_path = (directory == "/" ? "" : directory) + "/." + name + ".tmp-XXXXXX";
  try {
    std::vector<char> pattern(temp_path.begin(), temp_path.end());
    pattern.push_back('\0');
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "create temporary file for", path);
    temp_path.assign(pattern.data());
    if (::fchmod(fd, options.mode) != 0) {
      Status status = ErrnoStatus(errno, "chmod temporary file for", path);
      ::close(fd);
      ::unlink(temp_path.c_str());
      return status;
    }
    // From here on the writer owns fd and the temporary file.
    return std::make_unique<AtomicFileWriter>(PrivateTag{}, path, std::move(temp_path), fd);
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("atomic write '" + path + "': out of memory");
  }
}

AtomicFileWriter::AtomicFileWriter(PrivateTag, std::string path, std::string temp_path, int fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (state_ != State::kCommitted && ::unlink(temp_path_.c_str()) != 0 && errno != ENOENT) {
    const int error = errno;
    LogWarn("could not remove abandoned temporary file",
            {{"path", temp_path_},
             {"error", std::error_code(error, std::generic_category()).message()}});
  }
}

Status AtomicFileWriter::Fail(Status status) {
  state_ = State::kFailed;
  return status;
}

Status AtomicFileWriter::WriteBuffered() {
  Status status = WriteAll(fd_, buffer_, temp_path_);
  buffer_.clear();
  return status;
}

Status AtomicFileWriter::Append(std::string_view bytes) {
  if (state_ == State::kCommitted) {
    return FailedPrecondition("atomic write '" + path_ + "': Append after Commit");
  }
  if (state_ == State::kFailed) {
    return FailedPrecondition("atomic write '" + path_ + "': Append after an earlier error");
  }
  if (buffer_.size() + bytes.size() <= kWriteBufferBytes) {
    try {
      buffer_.append(bytes);
      return OkStatus();
    } catch (const std::bad_alloc&) {
      return Fail(ResourceExhausted("atomic write '" + path_ + "': out of memory"));
    }
  }
  // Too big to gather: write what is buffered, then `bytes` directly.
  if (Status status = WriteBuffered(); !status.ok()) return Fail(std::move(status));
  if (Status status = WriteAll(fd_, bytes, temp_path_); !status.ok()) {
    return Fail(std::move(status));
  }
  return OkStatus();
}

Status AtomicFileWriter::Commit() {
  if (state_ == State::kCommitted) {
    return FailedPrecondition("atomic write '" + path_ + "': already committed");
  }
  if (state_ == State::kFailed) {
    return FailedPrecondition("atomic write '" + path_ + "': Commit after an earlier error");
  }
  if (Status status = WriteBuffered(); !status.ok()) return Fail(std::move(status));
  if (::fsync(fd_) != 0) return Fail(ErrnoStatus(errno, "fsync", temp_path_));
  // close(2) can report a deferred write error (NFS); it is the last chance.
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return Fail(ErrnoStatus(errno, "close", temp_path_));
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return Fail(ErrnoStatus(errno, "rename temporary file over", path_));
  }
  state_ = State::kCommitted;
  Status synced = FsyncDirectory(SplitPath(path_).first);
  if (!synced.ok()) {
    return synced.WithContext("atomic write '" + path_ +
                              "' is in place but its rename may not be durable");
  }
  return OkStatus();
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes,
                           AtomicFileOptions options) {
  MODELHOST_ASSIGN_OR_RETURN(std::unique_ptr<AtomicFileWriter> writer,
                             AtomicFileWriter::Create(path, options));
  MODELHOST_RETURN_IF_ERROR(writer->Append(bytes));
  return writer->Commit();
}

Result<std::string> ReadFileToString(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  std::string content;
  Status status;
  try {
    struct stat info {};
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
      content.reserve(static_cast<size_t>(info.st_size));
    }
    std::string chunk(kReadChunkBytes, '\0');
    for (;;) {
      const ssize_t got = ::read(fd, chunk.data(), chunk.size());
      if (got < 0) {
        if (errno == EINTR) continue;
        status = ErrnoStatus(errno, "read", path);
        break;
      }
      if (got == 0) break;
      content.append(chunk.data(), static_cast<size_t>(got));
    }
  } catch (const std::bad_alloc&) {
    status = ResourceExhausted("read '" + path + "': out of memory");
  }
  ::close(fd);
  if (!status.ok()) return status;
  return content;
}

}  // namespace modelhost::core
