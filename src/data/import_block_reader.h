// ImportBlockReader: reads a file front to back through one buffer of fixed
// capacity, the way the streaming importers (dataset_import.h) consume it: the
// caller parses block(), says how many bytes it consumed (whole records), and
// Advance keeps the rest and tops the buffer up from the file. Memory stays
// at the capacity whatever the file's size.
//
// Thread-safety: not thread-safe; one reader belongs to one thread.

#ifndef MODELHOST_DATA_IMPORT_BLOCK_READER_H_
#define MODELHOST_DATA_IMPORT_BLOCK_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

namespace modelhost::data {

class ImportBlockReader {
 public:
  // Opens `path` for reading from byte `start` on, with a buffer of
  // `capacity` bytes; block() is empty until the first Advance. Errors: as
  // core::PosixErrorStatus. REQUIRES: capacity > 0.
  static core::Result<std::unique_ptr<ImportBlockReader>> Open(const std::string& path,
                                                               size_t capacity, uint64_t start = 0);

  ~ImportBlockReader();
  ImportBlockReader(const ImportBlockReader&) = delete;
  ImportBlockReader& operator=(const ImportBlockReader&) = delete;

  // Drops the first `consumed` bytes of block(), then reads until the buffer
  // is full or the file ends. Errors: as core::PosixErrorStatus for read.
  // REQUIRES: consumed <= block().size().
  core::Status Advance(size_t consumed);

  // The unconsumed bytes held now.
  std::string_view block() const { return buffer_; }
  // Where block() starts, counted from `start`.
  uint64_t block_offset() const { return block_offset_; }
  // Whether block() runs to the end of the file.
  bool at_end() const { return at_end_; }
  size_t capacity() const { return capacity_; }

 private:
  struct PrivateTag {};

 public:
  ImportBlockReader(PrivateTag, std::string path, int fd, size_t capacity);

 private:
  std::string path_;
  int fd_;
  size_t capacity_;
  std::string buffer_;
  uint64_t block_offset_ = 0;
  bool at_end_ = false;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_IMPORT_BLOCK_READER_H_
