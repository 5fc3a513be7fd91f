// BackgroundChunkWriter: appends tables to a DatasetWriter on a thread of its
// own, a batch at a time, so that an import writes one block's chunks (their
// checksums, the copy into the page cache) while it reads and parses the
// next. At most one batch is in flight, so memory holds the tables of two
// blocks at most: the one being written and the one being made.
//
// An error of a batch is returned by the next Append or by Finish; after it,
// nothing more is written.
//
// Thread-safety: one thread owns the object and calls its methods; the
// DatasetWriter is used by the batch's thread while a batch is in flight and
// by the owner's only after.

#ifndef MODELHOST_DATA_BACKGROUND_CHUNK_WRITER_H_
#define MODELHOST_DATA_BACKGROUND_CHUNK_WRITER_H_

#include <cstddef>
#include <future>
#include <memory>
#include <vector>

#include "core/status.h"
#include "data/dataset_writer.h"
#include "data/table.h"

namespace modelhost::data {

class BackgroundChunkWriter {
 public:
  explicit BackgroundChunkWriter(std::unique_ptr<DatasetWriter> writer);
  // Waits for the batch in flight. Without a successful Finish the writer
  // leaves no file (DatasetWriter's own guarantee).
  ~BackgroundChunkWriter();
  BackgroundChunkWriter(const BackgroundChunkWriter&) = delete;
  BackgroundChunkWriter& operator=(const BackgroundChunkWriter&) = delete;

  // Waits for the batch in flight and returns its error, if any; otherwise
  // starts appending `tables`, each as one chunk, in order.
  core::Status Append(std::vector<Table> tables);

  // Waits for the batch in flight, then finishes the file
  // (DatasetWriter::Finish) — unless a batch failed: its error then.
  core::Status Finish();

  // Valid after Finish.
  size_t rows_written() const { return writer_->rows_written(); }
  size_t chunks_written() const { return writer_->chunks_written(); }

 private:
  core::Status Wait();

  std::unique_ptr<DatasetWriter> writer_;
  std::future<core::Status> in_flight_;
  core::Status error_;  // the first batch's error, returned from then on
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_BACKGROUND_CHUNK_WRITER_H_
