// BatchLoader: the mini-batch iterator of training. It cuts a BatchSource's
// epoch into batches of Options::batch_size rows and prepares the next batch
// on its own background thread while the caller trains on the current one.
//
//   MODELHOST_ASSIGN_OR_RETURN(auto source, InMemoryBatchSource::Create(x, y, cols, {.seed = 7}));
//   MODELHOST_ASSIGN_OR_RETURN(auto loader, BatchLoader::Create(std::move(source), {.batch_size =
//   32})); Batch batch; for (uint64_t epoch = 0; epoch < epochs; ++epoch) {
//     loader->StartEpoch(epoch);
//     while (true) {
//       MODELHOST_ASSIGN_OR_RETURN(bool more, loader->Next(batch));
//       if (!more) break;
//       ... train on batch ...
//     }
//   }
//
// Prefetch: one batch ahead. After Next hands a batch over, the worker
// fills the next one; Next blocks only if it is not ready yet. Buffers are
// swapped, not copied: Next gives the caller the filled batch and takes the
// caller's old one as the worker's next buffer, so steady state allocates
// nothing.
//
// Shutdown: the destructor stops the worker and joins it, at any point of an
// epoch; it waits at most for the one batch being filled.
//
// Thread-safety: StartEpoch, Next and the destructor are for one consumer
// thread (not concurrent with each other). The worker is the only thread that
// calls the source. Lock rules (batch_loader.cc): `mutex_` guards every
// member marked GUARDED_BY(mutex_); the source is called without it held.

#ifndef MODELHOST_DATA_BATCH_LOADER_H_
#define MODELHOST_DATA_BATCH_LOADER_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "core/result.h"
#include "core/status.h"
#include "data/batch_source.h"

namespace modelhost::data {

class BatchLoader {
 public:
  struct Options {
    // Rows per batch; the last batch of an epoch may be shorter. Default 32.
    // REQUIRES: >= 1.
    size_t batch_size = 32;
    // Leave out an epoch's last batch when it is shorter than batch_size.
    // Default false.
    bool drop_last = false;
  };

  // Takes ownership of `source` and starts the worker thread (idle until
  // StartEpoch). InvalidArgument for a null source or batch_size 0;
  // ResourceExhausted when the OS refuses the thread.
  static core::Result<std::unique_ptr<BatchLoader>> Create(std::unique_ptr<BatchSource> source,
                                                           Options options);

  // Stops and joins the worker (waiting for a batch in progress, if any).
  ~BatchLoader();

  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // Begins epoch `epoch` (see BatchSource::BeginEpoch), abandoning what is
  // left of the current one, and has the worker start on its first batch.
  // Returns at once; an error of the source's BeginEpoch comes from Next.
  void StartEpoch(uint64_t epoch);

  // Swaps the next batch of the epoch into `batch` and returns true; returns
  // false once the epoch is over (and again on every later call until
  // StartEpoch). Blocks until the worker has the batch. An error of the
  // source ends the epoch: it is returned by this and every later call until
  // StartEpoch. FailedPrecondition before the first StartEpoch.
  core::Result<bool> Next(Batch& batch);

  // Batches Next yields per epoch: ⌈rows / batch_size⌉, or ⌊rows / batch_size⌋
  // with drop_last.
  size_t batches_per_epoch() const;

 private:
  // Passkey so that Create can use std::make_unique on a private constructor.
  struct PrivateTag {};

 public:
  BatchLoader(PrivateTag, std::unique_ptr<BatchSource> source, Options options);

 private:
  void WorkerLoop();
  // Fills `batch` with the next batch, num_rows 0 at the end (drop_last applied).
  core::Status FillBatch(Batch& batch);

  const std::unique_ptr<BatchSource> source_;  // called by the worker only
  const Options options_;

  std::mutex mutex_;
  std::condition_variable work_wanted_;  // to the worker: an epoch to begin, a batch to fill, stop
  std::condition_variable batch_ready_;  // to the consumer: slot_ is full
  // Incremented by StartEpoch; work done for an older generation is discarded.
  uint64_t generation_ = 0;        // GUARDED_BY(mutex_)
  uint64_t begun_generation_ = 0;  // GUARDED_BY(mutex_): the last generation the worker began
  uint64_t requested_epoch_ = 0;   // GUARDED_BY(mutex_)
  bool want_batch_ = false;        // GUARDED_BY(mutex_): the worker should fill slot_
  bool slot_full_ = false;         // GUARDED_BY(mutex_)
  // The batch handed over next. While the worker fills it (slot_ moved out,
  // slot_full_ false) nobody else touches it.
  Batch slot_;                // GUARDED_BY(mutex_)
  core::Status slot_status_;  // GUARDED_BY(mutex_): the fill's outcome
  bool epoch_over_ = false;   // GUARDED_BY(mutex_): Next saw the end or an error
  core::Status epoch_error_;  // GUARDED_BY(mutex_): the error that ended it, if any
  bool stopping_ = false;     // GUARDED_BY(mutex_)

  std::thread worker_;  // started by Create, joined by the destructor
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_BATCH_LOADER_H_
