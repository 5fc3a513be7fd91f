#include "data/batch_loader.h"

#include <system_error>
#include <utility>

namespace modelhost::data {

core::Result<std::unique_ptr<BatchLoader>> BatchLoader::Create(std::unique_ptr<BatchSource> source,
                                                               Options options) {
  if (source == nullptr) return core::InvalidArgument("a batch loader needs a source");
  if (options.batch_size == 0) return core::InvalidArgument("batch_size must be at least 1");
  auto loader = std::make_unique<BatchLoader>(PrivateTag{}, std::move(source), options);
  try {
    loader->worker_ = std::thread([raw = loader.get()] { raw->WorkerLoop(); });
  } catch (const std::system_error& error) {
    return core::ResourceExhausted(std::string("cannot start the batch loader's thread: ") +
                                   error.what());
  }
  return loader;
}

BatchLoader::BatchLoader(PrivateTag, std::unique_ptr<BatchSource> source, Options options)
    : source_(std::move(source)), options_(options) {}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_wanted_.notify_one();
  if (worker_.joinable()) worker_.join();
}

size_t BatchLoader::batches_per_epoch() const {
  const size_t rows = source_->num_rows();
  return options_.drop_last ? rows / options_.batch_size
                            : (rows + options_.batch_size - 1) / options_.batch_size;
}

void BatchLoader::StartEpoch(uint64_t epoch) {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
    requested_epoch_ = epoch;
    want_batch_ = true;
    slot_full_ = false;
    epoch_over_ = false;
    epoch_error_ = core::OkStatus();
  }
  work_wanted_.notify_one();
}

core::Result<bool> BatchLoader::Next(Batch& batch) {
  std::unique_lock lock(mutex_);
  if (generation_ == 0) return core::FailedPrecondition("BatchLoader::Next before StartEpoch");
  if (epoch_over_) {
    if (!epoch_error_.ok()) return epoch_error_;
    return false;
  }
  batch_ready_.wait(lock, [this] { return slot_full_; });
  slot_full_ = false;
  if (!slot_status_.ok() || slot_.num_rows == 0) {
    epoch_over_ = true;
    epoch_error_ = slot_status_;
    if (!epoch_error_.ok()) return epoch_error_;
    return false;
  }
  std::swap(batch, slot_);
  want_batch_ = true;
  lock.unlock();
  work_wanted_.notify_one();
  return true;
}

core::Status BatchLoader::FillBatch(Batch& batch) {
  MODELHOST_RETURN_IF_ERROR(source_->NextBatch(options_.batch_size, batch));
  if (options_.drop_last && batch.num_rows < options_.batch_size) batch.num_rows = 0;
  return core::OkStatus();
}

// The worker's one loop: begin the newest requested epoch, else fill the slot
// when asked, else sleep. The source is called with the lock released; a
// result that a StartEpoch made stale meanwhile (generation changed) is dropped.
void BatchLoader::WorkerLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_wanted_.wait(lock, [this] {
      return stopping_ || begun_generation_ != generation_ || (want_batch_ && !slot_full_);
    });
    if (stopping_) return;
    const uint64_t generation = generation_;
    core::Status status;
    if (begun_generation_ != generation) {
      const uint64_t epoch = requested_epoch_;
      lock.unlock();
      status = source_->BeginEpoch(epoch);
      lock.lock();
      begun_generation_ = generation;
      if (generation != generation_ || status.ok()) continue;  // on to the first batch
    } else {
      Batch buffer = std::move(slot_);
      lock.unlock();
      status = FillBatch(buffer);
      lock.lock();
      slot_ = std::move(buffer);
      if (generation != generation_) continue;
    }
    slot_status_ = std::move(status);
    slot_full_ = true;
    want_batch_ = false;
    batch_ready_.notify_one();
  }
}

}  // namespace modelhost::data
