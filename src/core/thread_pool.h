// ThreadPool: a fixed set of worker threads that run submitted tasks in FIFO
// order from a bounded queue.
//
//   MODELHOST_ASSIGN_OR_RETURN(auto pool, core::ThreadPool::Create({.num_threads = 2}));
//   MODELHOST_RETURN_IF_ERROR(pool->Submit([] { ... }));
//   pool->Shutdown();  // runs what is queued, then joins; the destructor does it too
//
// Back-pressure: the queue never grows past Options::max_queue_size; a Submit
// that would exceed it fails at once with ResourceExhausted (callers map that
// to 429/503) instead of blocking the submitting thread.
//
// Thread-safety: every method may be called concurrently from any thread,
// except that Shutdown and the destructor must not be called from inside a
// task of the same pool (a worker cannot join itself).
//
// Lock rules (see thread_pool.cc): `mutex_` guards `queue_` and `shutting_down_`;
// `join_mutex_` serializes the joins of Shutdown. No task runs while either is held.

#ifndef MODELHOST_CORE_THREAD_POOL_H_
#define MODELHOST_CORE_THREAD_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace modelhost::core {

class ThreadPool {
 public:
  struct Options {
    // Worker threads, all started by Create and alive until Shutdown.
    // Default 4. REQUIRES: >= 1.
    size_t num_threads = 4;
    // Tasks that may wait for a free worker (running tasks do not count).
    // Default 1024. REQUIRES: >= 1.
    size_t max_queue_size = 1024;
    // Prefix of the worker thread names seen in `top -H` and debuggers
    // ("<name>-<index>", cut to the 15 characters Linux keeps). Default "pool".
    std::string name = "pool";
  };

  // Starts `options.num_threads` workers. InvalidArgument when an option
  // breaks its REQUIRES; ResourceExhausted when the OS refuses a thread (the
  // ones already started are joined before returning).
  static Result<std::unique_ptr<ThreadPool>> Create(Options options);

  // Calls Shutdown(): blocks until queued tasks have run.
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task` to run once on some worker; returns without waiting for it.
  // On OK the pool owns the task until it has run; on error it is dropped
  // without running. Errors: InvalidArgument for an empty function,
  // ResourceExhausted when max_queue_size tasks already wait,
  // FailedPrecondition once Shutdown has begun. Never blocks on running tasks.
  //
  // An exception escaping `task` is caught and logged; the worker lives on.
  Status Submit(std::function<void()> task);

  // Stops accepting tasks, lets the workers finish every task already queued,
  // and joins them. Blocks until then. Idempotent: later or concurrent calls
  // block until the first has joined, then return.
  // REQUIRES: not called from a task of this pool.
  void Shutdown();

  // The number of worker threads (Options::num_threads).
  size_t num_threads() const { return workers_.size(); }

  // Tasks waiting for a worker right now; a snapshot, for metrics and tests.
  size_t queued_tasks() const;

 private:
  // Passkey so that Create can use std::make_unique on a private constructor.
  struct PrivateTag {};

 public:
  ThreadPool(PrivateTag, Options options);

 private:
  void WorkerLoop();

  const Options options_;
  // Filled by Create before the pool is shared, then only joined.
  std::vector<std::thread> workers_;

  mutable std::mutex mutex_;
  std::condition_variable work_available_;   // signalled on Submit and Shutdown
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mutex_)
  bool shutting_down_ = false;               // GUARDED_BY(mutex_)

  std::mutex join_mutex_;  // held while joining; ordered after mutex_, never both
};

// Runs task(0) … task(count - 1) on `pool` and waits for all; with no pool
// (nullptr) or one task, here, in order. A task the full queue refuses runs
// here too. An exception thrown by a task (std::bad_alloc, say) is rethrown
// here once every task has ended — the first one caught, the others dropped.
void RunOnPool(ThreadPool* pool, size_t count, const std::function<void(size_t)>& task);

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_THREAD_POOL_H_
