// BatchSource: where the batch loader's rows come from — an interface, so
// that the in-memory feature matrix (InMemoryBatchSource) and, later, a
// stored dataset streamed chunk by chunk through a fitted pipeline plug into
// the same BatchLoader.
//
// A source yields the rows of one epoch at a time, in an order that depends
// only on its own seed and the epoch number (so training resumed at epoch k
// sees the batches the uninterrupted run saw), as float32 blocks: features
// row-major (rows × num_features) and one target per row.
//
// Streaming plan (not built yet): a StoredDatasetBatchSource reads the chunks
// of a stored dataset (dataset_*.h) in a seeded per-epoch chunk order, runs
// each through the FittedPipeline to a float32 block, and shuffles rows
// within a window of a few chunks before cutting batches — memory bounded by
// the window, not the dataset. Its BeginEpoch rewinds to the first chunk of
// the new order; NextBatch may read and transform a chunk, which is why the
// loader calls it on its prefetch thread.
//
// Thread-safety: a source is used by one thread at a time (BatchLoader calls
// it only from its worker thread, never concurrently); it need not be
// thread-safe itself.

#ifndef MODELHOST_DATA_BATCH_SOURCE_H_
#define MODELHOST_DATA_BATCH_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"

namespace modelhost::data {

// A block of rows. The vectors are reused from batch to batch, so their
// capacity may exceed what num_rows needs; only the first
// num_rows × num_features features and num_rows targets are meaningful.
struct Batch {
  size_t num_rows = 0;
  size_t num_features = 0;
  std::vector<float> features;  // row-major
  std::vector<float> targets;
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;

  // Features per row; fixed for the source's life.
  virtual size_t num_features() const = 0;
  // Rows in one epoch.
  virtual size_t num_rows() const = 0;

  // Rewinds to the start of epoch `epoch` (any number, in any order), fixing
  // the order of the rows it will yield. Errors are the source's (a chunk
  // that fails its checksum, say).
  virtual core::Status BeginEpoch(uint64_t epoch) = 0;

  // Writes the next min(max_rows, rows left) rows of the epoch into `batch`,
  // reusing its vectors; num_rows == 0 once the epoch is exhausted.
  // REQUIRES: BeginEpoch succeeded; max_rows >= 1.
  virtual core::Status NextBatch(size_t max_rows, Batch& batch) = 0;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_BATCH_SOURCE_H_
