#include "core/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <new>
#include <system_error>
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
  std::vector<char> chunk(chunk_bytes);
  for (;;) {
    const ssize_t got = ::read(fd.get(), chunk.data(), chunk.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return PosixErrorStatus(errno, "read", path);
    }
    if (got == 0) return OkStatus();
    consume(std::string_view(chunk.data(), static_cast<size_t>(got)));
  }
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

}  // namespace modelhost::core
