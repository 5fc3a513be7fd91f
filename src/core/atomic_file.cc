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

#include "core/file_reader.h"
#include "core/log.h"

namespace modelhost::core {
namespace {

// Appends are gathered up to this size before a write(2), so that many small
// Appends (a CSV written row by row) cost few system calls.
constexpr size_t kWriteBufferBytes = 64 * 1024;

// write(2) until every byte is written, retrying interrupted and short writes.
Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return PosixErrorStatus(errno, "write", path);
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

}  // namespace

Status FsyncDirectory(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PosixErrorStatus(errno, "open directory", directory);
  Status status;
  if (::fsync(fd) != 0) status = PosixErrorStatus(errno, "fsync directory", directory);
  ::close(fd);
  return status;
}

Result<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Create(const std::string& path,
                                                                   AtomicFileOptions options) {
  auto [directory, name] = SplitPath(path);
  if (name.empty()) return InvalidArgument("atomic write: '" + path + "' does not name a file");
  std::string temp_path = (directory == "/" ? "" : directory) + "/." + name + ".tmp-XXXXXX";
  try {
    std::vector<char> pattern(temp_path.begin(), temp_path.end());
    pattern.push_back('\0');
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) return PosixErrorStatus(errno, "create temporary file for", path);
    temp_path.assign(pattern.data());
    if (::fchmod(fd, options.mode) != 0) {
      Status status = PosixErrorStatus(errno, "chmod temporary file for", path);
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
  if (::fsync(fd_) != 0) return Fail(PosixErrorStatus(errno, "fsync", temp_path_));
  // close(2) can report a deferred write error (NFS); it is the last chance.
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return Fail(PosixErrorStatus(errno, "close", temp_path_));
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return Fail(PosixErrorStatus(errno, "rename temporary file over", path_));
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

}  // namespace modelhost::core
