#include "core/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

namespace modelhost::core {
namespace {

constexpr size_t kWholeFileChunkBytes = 64 * 1024;

// Closes the descriptor on every way out, including an exception thrown by
// the caller's consumer (bad_alloc while appending, say).
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// ReadFileInChunks on an open descriptor.
Status ReadToEnd(int fd, const std::string& path, size_t chunk_bytes,
                 const std::function<void(std::string_view chunk)>& consume) {
  std::vector<char> chunk(chunk_bytes);
  for (;;) {
    const ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return PosixErrorStatus(errno, "read", path);
    }
    if (got == 0) return OkStatus();
    consume(std::string_view(chunk.data(), static_cast<size_t>(got)));
  }
}

}  // namespace

Status PosixErrorStatus(int error_number, std::string_view operation, std::string_view path) {
  std::string message = std::string(operation) + " '" + std::string(path) +
                        "': " + std::error_code(error_number, std::generic_category()).message();
  switch (error_number) {
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

Status ReadFileInChunks(const std::string& path, size_t chunk_bytes,
                        const std::function<void(std::string_view chunk)>& consume) {
  assert(chunk_bytes > 0);
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return PosixErrorStatus(errno, "open", path);
  return ReadToEnd(fd.get(), path, chunk_bytes, consume);
}

Result<std::string> ReadFileToString(const std::string& path) {
  std::string content;
  try {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
      content.reserve(static_cast<size_t>(info.st_size));
    }
    MODELHOST_RETURN_IF_ERROR(ReadFileInChunks(
        path, kWholeFileChunkBytes, [&content](std::string_view chunk) { content.append(chunk); }));
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("read '" + path + "': out of memory");
  }
  return content;
}

Result<FileContent> ReadWholeFile(const std::string& path, size_t threads) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return PosixErrorStatus(errno, "open", path);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return PosixErrorStatus(errno, "stat", path);
  // From this descriptor (opening a FIFO again would wait for a new writer),
  // sequentially, as ReadFileToString reads.
  const auto read_to_end = [&]() -> Result<FileContent> {
    std::string content;
    try {
      MODELHOST_RETURN_IF_ERROR(ReadToEnd(fd.get(), path, kWholeFileChunkBytes,
                                          [&](std::string_view chunk) { content.append(chunk); }));
      auto bytes = std::make_unique_for_overwrite<char[]>(content.size());
      std::copy(content.begin(), content.end(), bytes.get());
      return FileContent(std::move(bytes), content.size());
    } catch (const std::bad_alloc&) {
      return ResourceExhausted("read '" + path + "': out of memory");
    }
  };
  // A pipe or device has no size to split, and files in /proc say 0 yet hold
  // bytes: those are read to their end.
  if (!S_ISREG(info.st_mode) || info.st_size == 0) return read_to_end();
  const auto size = static_cast<size_t>(info.st_size);
  std::unique_ptr<char[]> bytes;
  try {
    bytes = std::make_unique_for_overwrite<char[]>(size);
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("read '" + path + "': out of memory for " + std::to_string(size) +
                             " bytes");
  }
  // Parts of at least 8 MiB: below that a thread costs more than it saves.
  constexpr size_t kMinPartBytes = size_t{8} << 20;
  const size_t parts = std::max<size_t>(1, std::min(threads, size / kMinPartBytes));
  std::vector<Status> statuses(parts);
  const auto read_part = [&](size_t part) {
    size_t at = size * part / parts;
    const size_t end = size * (part + 1) / parts;
    while (at < end) {
      const ssize_t got = ::pread(fd.get(), bytes.get() + at, end - at, static_cast<off_t>(at));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        statuses[part] = PosixErrorStatus(errno, "read", path);
        return;
      }
      if (got == 0) {
        statuses[part] =
            Unavailable("read '" + path + "': the file shrank while it was read (from " +
                        std::to_string(size) + " bytes)");
        return;
      }
      at += static_cast<size_t>(got);
    }
  };
  {
    std::vector<std::jthread> helpers;
    size_t part = 1;
    try {
      for (; part < parts; ++part) helpers.emplace_back(read_part, part);
    } catch (const std::system_error&) {  // no thread to be had: the rest here
      for (; part < parts; ++part) read_part(part);
    }
    read_part(0);
  }
  for (Status& status : statuses) {
    if (status.ok()) continue;
    // Files in /sys say 4096 and hold fewer bytes, and stay so: read to the
    // end. A file whose size did change is the error.
    struct stat now {};
    if (status.code() == StatusCode::kUnavailable && ::fstat(fd.get(), &now) == 0 &&
        now.st_size == info.st_size && now.st_mtim.tv_sec == info.st_mtim.tv_sec &&
        now.st_mtim.tv_nsec == info.st_mtim.tv_nsec) {
      return read_to_end();
    }
    return std::move(status);
  }
  char probe;
  ssize_t beyond;
  do {
    beyond = ::pread(fd.get(), &probe, 1, static_cast<off_t>(size));
  } while (beyond < 0 && errno == EINTR);
  if (beyond > 0) {
    return Unavailable("read '" + path + "': the file grew while it was read (from " +
                       std::to_string(size) + " bytes)");
  }
  return FileContent(std::move(bytes), size);
}

}  // namespace modelhost::core
