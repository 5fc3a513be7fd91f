#include "api/request_body.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <system_error>

#include "core/file_reader.h"

namespace modelhost::api::internal {

core::Result<UploadFile> UploadFile::Create(const std::string& directory) {
  // pid + a process-wide counter make names unique within this data
  // directory's server; the random part keeps a restarted server with a
  // recycled pid off a file the sweep has not removed yet (O_EXCL refuses
  // it anyway).
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 random{std::random_device{}()};
  const std::string path = directory + "/upload-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter.fetch_add(1)) + "-" +
                           std::to_string(random() % 1'000'000'000) + ".part";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return core::PosixErrorStatus(errno, "create upload file", path);
  return UploadFile(fd, path);
}

UploadFile::UploadFile(UploadFile&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
  other.path_.clear();
}

UploadFile::~UploadFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!path_.empty()) ::unlink(path_.c_str());
}

core::Status UploadFile::Write(const char* data, size_t size) {
  while (size > 0) {
    ssize_t written = ::write(fd_, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return core::PosixErrorStatus(errno, "write upload file", path_);
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return core::OkStatus();
}

std::string UploadFile::Release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  return std::move(path_);
}

core::Status SweepUploads(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return core::Unavailable("uploads directory " + directory +
                             ": cannot create: " + error.message());
  }
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    std::filesystem::remove_all(entry.path(), error);
    if (error) {
      return core::Unavailable("uploads directory " + directory + ": cannot remove " +
                               entry.path().string() + ": " + error.message());
    }
  }
  if (error) {
    return core::Unavailable("uploads directory " + directory +
                             ": cannot list: " + error.message());
  }
  return core::OkStatus();
}

}  // namespace modelhost::api::internal
