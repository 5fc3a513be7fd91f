#include "data/import_block_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <utility>

#include "core/file_reader.h"

namespace modelhost::data {

ImportBlockReader::ImportBlockReader(PrivateTag, std::string path, int fd, size_t capacity)
    : path_(std::move(path)), fd_(fd), capacity_(capacity) {
  buffer_.reserve(capacity);
}

ImportBlockReader::~ImportBlockReader() { close(fd_); }

core::Result<std::unique_ptr<ImportBlockReader>> ImportBlockReader::Open(const std::string& path,
                                                                         size_t capacity,
                                                                         uint64_t start) {
  assert(capacity > 0);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::PosixErrorStatus(errno, "open", path);
  auto reader = std::make_unique<ImportBlockReader>(PrivateTag{}, path, fd, capacity);
  if (start > 0 && lseek(fd, static_cast<off_t>(start), SEEK_SET) < 0) {
    return core::PosixErrorStatus(errno, "seek", path);
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return reader;
}

core::Status ImportBlockReader::Advance(size_t consumed) {
  assert(consumed <= buffer_.size());
  buffer_.erase(0, consumed);
  block_offset_ += consumed;
  while (!at_end_ && buffer_.size() < capacity_) {
    const size_t old_size = buffer_.size();
    buffer_.resize(capacity_);
    const ssize_t got = read(fd_, buffer_.data() + old_size, capacity_ - old_size);
    const int error = errno;
    buffer_.resize(old_size + (got > 0 ? static_cast<size_t>(got) : 0));
    if (got < 0) {
      if (error == EINTR) continue;
      return core::PosixErrorStatus(error, "read", path_);
    }
    if (got == 0) at_end_ = true;
  }
  return core::OkStatus();
}

}  // namespace modelhost::data
