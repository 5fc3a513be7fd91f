// DynamicBatcher<Request, Response>: gathers requests to one loaded model into
// batches, so that one forward pass serves many clients.
//
//   auto batcher = serve::DynamicBatcher<Rows, Predictions>::Create(
//       {.max_batch_size = 64, .max_queue_delay_us = 2000, .max_queue_size = 512},
//       [&](std::span<Rows> batch) { return model.PredictBatch(batch); });
//   core::Status accepted = (*batcher)->Submit(std::move(rows), rows_count,
//       [](core::Result<Predictions> answer) { ... });   // 429 when !accepted.ok()
//
// Batch rule. Requests wait in one FIFO queue. A single worker thread takes a
// batch from the head of the queue as soon as
//   - the rows waiting reach max_batch_size, or
//   - the oldest waiting request has waited max_queue_delay_us, or
//   - Stop() has been called (the queue drains without waiting);
// and calls RunBatch on it. A batch is the longest prefix of the queue whose rows
// fit max_batch_size — never reordered, so answers leave in submission order —
// except that a request of more rows than max_batch_size at the head forms a
// batch alone. While a batch runs, new requests queue up for the next one.
// Latency bound: a request is answered after at most max_queue_delay_us plus the
// run time of the batches ahead of it and its own.
//
// Answers. Every accepted request gets exactly one call of its `done` callback,
// on the worker thread, after its batch ran: its Response, or the batch's error
// (RunBatch returned an error, threw, or returned the wrong number of results).
// Nothing is dropped: Stop() runs what is queued before it returns.
//
// Back-pressure. Submit never blocks: when max_queue_size requests already wait
// it fails at once with ResourceExhausted (HTTP 429), and after Stop() with
// Unavailable (HTTP 503).
//
// Time is read only through the injected Clock (serve/clock.h), so tests drive
// the delay rule with a ManualClock.
//
// Thread-safety: Submit, Stop and the accessors may be called from any thread
// concurrently. RunBatch and the callbacks run on the worker thread, one batch at
// a time, without any batcher lock held; they must not call Stop() or destroy
// the batcher (the worker cannot join itself), but may Submit.
//
// Lock rules: `mutex_` guards queue_, queued_rows_ and stopping_; `join_mutex_`
// serializes the join of Stop. No user code runs while either is held.

#ifndef MODELHOST_SERVE_DYNAMIC_BATCHER_H_
#define MODELHOST_SERVE_DYNAMIC_BATCHER_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "serve/batcher_options.h"
#include "serve/clock.h"

namespace modelhost::serve {

namespace batcher_internal {
// Non-template parts of DynamicBatcher, in dynamic_batcher.cc.

// Starts `body` on a thread named `name`; ResourceExhausted when the OS refuses.
core::Result<std::thread> StartWorkerThread(const std::string& name, std::function<void()> body);
// Logs an exception that escaped user code (`what` is "RunBatch" or "done callback").
void LogEscapedException(const std::string& batcher, std::string_view what,
                         std::string_view message);
core::Status QueueFull(const std::string& batcher, size_t waiting);
core::Status ShuttingDown(const std::string& batcher);
core::Status WrongResultCount(const std::string& batcher, size_t results, size_t requests);
}  // namespace batcher_internal

template <typename Request, typename Response>
class DynamicBatcher {
 public:
  // Runs one batch, in practice one forward pass. Returns one Response per
  // request, in the same order, or an error that answers every request of the
  // batch. May move from the requests. Exceptions are caught (→ Internal).
  using RunBatchFn = std::function<core::Result<std::vector<Response>>(std::span<Request>)>;
  // Receives the one answer of a request.
  using DoneFn = std::function<void(core::Result<Response>)>;

  // Validates `options` (InvalidArgument) and starts the worker thread
  // (ResourceExhausted when the OS refuses one). `metrics`' objects and `clock`
  // must outlive the batcher. REQUIRES: run_batch is non-empty (else InvalidArgument).
  static core::Result<std::unique_ptr<DynamicBatcher>> Create(BatcherOptions options,
                                                              RunBatchFn run_batch,
                                                              BatcherMetrics metrics = {},
                                                              Clock& clock = Clock::Steady());

  // Stop(): runs every queued request, then joins the worker. Safe while a
  // batch is running: waits for it.
  ~DynamicBatcher() { Stop(); }

  DynamicBatcher(const DynamicBatcher&) = delete;
  DynamicBatcher& operator=(const DynamicBatcher&) = delete;

  // Queues `request`, which counts `rows` rows toward max_batch_size. Never
  // blocks on a running batch. On OK the batcher owns the request and will call
  // `done` exactly once; on error both are dropped and `done` is never called.
  // Errors: InvalidArgument (rows == 0 or empty `done`), ResourceExhausted
  // ("queue full: N requests waiting"), Unavailable (Stop() has begun).
  core::Status Submit(Request request, size_t rows, DoneFn done);

  // Stops accepting requests, runs every request already queued (in batches,
  // without waiting for the delay), and joins the worker. Blocks until then.
  // Idempotent; concurrent calls all return after the join.
  // REQUIRES: not called from RunBatch or a callback of this batcher.
  void Stop();

  // Requests waiting right now (the running batch not counted); a snapshot.
  size_t queued_requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return queue_.size();
  }
  const BatcherOptions& options() const { return options_; }

 private:
  struct PrivateTag {};

 public:
  DynamicBatcher(PrivateTag, BatcherOptions options, RunBatchFn run_batch, BatcherMetrics metrics,
                 Clock& clock)
      : options_(std::move(options)),
        max_delay_(std::chrono::microseconds(options_.max_queue_delay_us)),
        run_batch_(std::move(run_batch)),
        metrics_(metrics),
        clock_(clock) {}

 private:
  struct Pending {
    Request request;
    size_t rows;
    DoneFn done;
    Clock::TimePoint submitted_at;
  };

  void WorkerLoop();
  // When the head of the queue must run; kNoDeadline for an empty queue.
  Clock::TimePoint DeadlineLocked() const;
  bool BatchReadyLocked() const;
  std::vector<Pending> TakeBatchLocked();
  void RunAndAnswer(std::vector<Pending> batch);
  core::Result<std::vector<Response>> RunBatchCatching(std::span<Request> requests);
  void SetQueueDepthLocked() const {
    if (metrics_.queue_depth != nullptr)
      metrics_.queue_depth->Set(static_cast<double>(queue_.size()));
  }

  const BatcherOptions options_;
  const Clock::Duration max_delay_;
  const RunBatchFn run_batch_;
  const BatcherMetrics metrics_;
  Clock& clock_;

  mutable std::mutex mutex_;
  std::condition_variable work_changed_;  // a batch may have become ready, or Stop
  std::deque<Pending> queue_;             // GUARDED_BY(mutex_)
  size_t queued_rows_ = 0;                // GUARDED_BY(mutex_); sum of queue_[*].rows
  bool stopping_ = false;                 // GUARDED_BY(mutex_)

  std::mutex join_mutex_;  // held while joining; never together with mutex_
  std::thread worker_;     // set by Create before the batcher is shared
};

template <typename Request, typename Response>
core::Result<std::unique_ptr<DynamicBatcher<Request, Response>>>
DynamicBatcher<Request, Response>::Create(BatcherOptions options, RunBatchFn run_batch,
                                          BatcherMetrics metrics, Clock& clock) {
  MODELHOST_RETURN_IF_ERROR(ValidateBatcherOptions(options));
  if (!run_batch) {
    return core::InvalidArgument("batcher '" + options.name + "': empty RunBatch function");
  }
  auto batcher = std::make_unique<DynamicBatcher>(PrivateTag{}, std::move(options),
                                                  std::move(run_batch), metrics, clock);
  MODELHOST_ASSIGN_OR_RETURN(
      batcher->worker_, batcher_internal::StartWorkerThread(
                            batcher->options_.name, [raw = batcher.get()] { raw->WorkerLoop(); }));
  return batcher;
}

template <typename Request, typename Response>
core::Status DynamicBatcher<Request, Response>::Submit(Request request, size_t rows, DoneFn done) {
  if (rows == 0) {
    return core::InvalidArgument("batcher '" + options_.name + "': a request must have >= 1 row");
  }
  if (!done) return core::InvalidArgument("batcher '" + options_.name + "': empty done callback");
  bool wake_worker = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return batcher_internal::ShuttingDown(options_.name);
    if (queue_.size() >= options_.max_queue_size) {
      if (metrics_.rejected != nullptr) metrics_.rejected->Increment();
      return batcher_internal::QueueFull(options_.name, queue_.size());
    }
    // The worker's wait changes only when the queue gets a deadline (it was
    // empty) or a full batch; other Submits need not wake it.
    const bool was_full = queued_rows_ >= options_.max_batch_size;
    wake_worker = queue_.empty() || (!was_full && queued_rows_ + rows >= options_.max_batch_size);
    queue_.push_back(Pending{std::move(request), rows, std::move(done), clock_.Now()});
    queued_rows_ += rows;
    SetQueueDepthLocked();
  }
  if (wake_worker) work_changed_.notify_one();
  return core::OkStatus();
}

template <typename Request, typename Response>
void DynamicBatcher<Request, Response>::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_changed_.notify_one();
  std::lock_guard<std::mutex> join_lock(join_mutex_);
  if (worker_.joinable()) worker_.join();
}

template <typename Request, typename Response>
Clock::TimePoint DynamicBatcher<Request, Response>::DeadlineLocked() const {
  if (queue_.empty()) return Clock::kNoDeadline;
  return queue_.front().submitted_at + max_delay_;
}

template <typename Request, typename Response>
bool DynamicBatcher<Request, Response>::BatchReadyLocked() const {
  if (queue_.empty()) return false;
  return stopping_ || queued_rows_ >= options_.max_batch_size || clock_.Now() >= DeadlineLocked();
}

template <typename Request, typename Response>
void DynamicBatcher<Request, Response>::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    if (BatchReadyLocked()) {
      std::vector<Pending> batch = TakeBatchLocked();
      lock.unlock();
      RunAndAnswer(std::move(batch));
      lock.lock();
    } else if (stopping_) {
      return;  // stopping with an empty queue: everything was answered
    } else {
      clock_.WaitUntil(work_changed_, lock, DeadlineLocked());
    }
  }
}

template <typename Request, typename Response>
auto DynamicBatcher<Request, Response>::TakeBatchLocked() -> std::vector<Pending> {
  std::vector<Pending> batch;
  size_t rows = 0;
  while (!queue_.empty()) {
    const size_t next_rows = queue_.front().rows;
    // Stop at the first request that does not fit (FIFO: never skip ahead);
    // an oversize request at the head still runs, alone.
    if (!batch.empty() && rows + next_rows > options_.max_batch_size) break;
    rows += next_rows;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
    if (rows >= options_.max_batch_size) break;
  }
  queued_rows_ -= rows;
  SetQueueDepthLocked();
  if (metrics_.batch_rows != nullptr) metrics_.batch_rows->Observe(static_cast<double>(rows));
  return batch;
}

template <typename Request, typename Response>
core::Result<std::vector<Response>> DynamicBatcher<Request, Response>::RunBatchCatching(
    std::span<Request> requests) {
  std::string message;
  try {
    return run_batch_(requests);
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
    message = "unknown exception";
  }
  batcher_internal::LogEscapedException(options_.name, "RunBatch", message);
  return core::Internal("batcher '" + options_.name + "': RunBatch threw: " + message);
}

template <typename Request, typename Response>
void DynamicBatcher<Request, Response>::RunAndAnswer(std::vector<Pending> batch) {
  std::vector<Request> requests;
  requests.reserve(batch.size());
  for (Pending& pending : batch) requests.push_back(std::move(pending.request));

  core::Result<std::vector<Response>> results = RunBatchCatching(std::span<Request>(requests));
  if (results.ok() && results->size() != batch.size()) {
    results = batcher_internal::WrongResultCount(options_.name, results->size(), batch.size());
  }
  for (size_t index = 0; index < batch.size(); ++index) {
    core::Result<Response> answer = results.ok()
                                        ? core::Result<Response>(std::move((*results)[index]))
                                        : core::Result<Response>(results.status());
    try {
      batch[index].done(std::move(answer));
    } catch (const std::exception& e) {
      batcher_internal::LogEscapedException(options_.name, "done callback", e.what());
    } catch (...) {
      batcher_internal::LogEscapedException(options_.name, "done callback", "unknown exception");
    }
  }
}

}  // namespace modelhost::serve

#endif  // MODELHOST_SERVE_DYNAMIC_BATCHER_H_
