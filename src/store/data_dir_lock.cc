#include "store/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "core/log.h"
#include "store/artifact_paths.h"

namespace modelhost::store {
namespace {

// The pid the holder wrote into the lock file; "" when it has not yet (or
// the file holds anything but a number).
std::string RecordedHolder(int fd) {
  char buffer[32] = {};
  const ssize_t read = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (read <= 0) return "";
  std::string_view text(buffer, static_cast<size_t>(read));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.empty()) return "";
  for (char c : text) {
    if (c < '0' || c > '9') return "";
  }
  return std::string(text);
}

core::Status Unusable(const std::string& path, std::string_view operation, int error_number) {
  return core::Unavailable("lock file " + path + ": cannot " + std::string(operation) + ": " +
                           std::strerror(error_number));
}

}  // namespace

core::Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(const std::string& data_dir) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return core::Unavailable("data dir " + data_dir + ": cannot create: " + error.message());
  }
  const std::string path = LockFilePath(data_dir);
  // O_CLOEXEC: a child process must not inherit, and so prolong, the lock.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Unusable(path, "open", errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error_number = errno;
    const std::string holder = RecordedHolder(fd);
    ::close(fd);
    if (error_number != EWOULDBLOCK) return Unusable(path, "lock", error_number);
    return core::FailedPrecondition(
        "data directory " + data_dir + " is in use by another modelhost process" +
        (holder.empty() ? "" : " (pid " + holder + ")") + ": it holds the lock file " + path +
        "; stop that server or pass another --data-dir");
  }
  // The pid only serves the message above: a failure to write it (a full
  // disk) must not keep a server from starting, where it could free space.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    core::LogWarn("could not record this process in the data directory's lock file",
                  {{"file", path}, {"error", std::string(std::strerror(errno))}});
  }
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

DataDirLock::~DataDirLock() { ::close(fd_); }

}  // namespace modelhost::store
