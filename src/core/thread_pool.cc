#include "core/thread_pool.h"

#include <pthread.h>

#include <cstddef>
#include <exception>
#include <latch>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>

#include "core/log.h"

namespace modelhost::core {

Result<std::unique_ptr<ThreadPool>> ThreadPool::Create(Options options) {
  if (options.num_threads < 1) {
    return InvalidArgument("thread pool '" + options.name + "': num_threads must be >= 1");
  }
  if (options.max_queue_size < 1) {
    return InvalidArgument("thread pool '" + options.name + "': max_queue_size must be >= 1");
  }
  std::unique_ptr<ThreadPool> pool;
  try {
    pool = std::make_unique<ThreadPool>(PrivateTag{}, std::move(options));
  } catch (const std::exception& e) {
    return ResourceExhausted(std::string("thread pool: ") + e.what());
  }
  const size_t wanted = pool->options_.num_threads;
  pool->workers_.reserve(wanted);
  for (size_t index = 0; index < wanted; ++index) {
    try {
      pool->workers_.emplace_back([raw = pool.get()] { raw->WorkerLoop(); });
    } catch (const std::system_error& e) {
      // The destructor joins the workers already running.
      return ResourceExhausted("thread pool '" + pool->options_.name + "': starting thread " +
                               std::to_string(index) + " of " + std::to_string(wanted) + ": " +
                               e.what());
    }
    // Linux keeps 15 characters of a thread name; a failure here is cosmetic.
    const std::string thread_name =
        (pool->options_.name + "-" + std::to_string(index)).substr(0, 15);
    pthread_setname_np(pool->workers_.back().native_handle(), thread_name.c_str());
  }
  return pool;
}

ThreadPool::ThreadPool(PrivateTag, Options options) : options_(std::move(options)) {}

ThreadPool::~ThreadPool() { Shutdown(); }

Status ThreadPool::Submit(std::function<void()> task) {
  if (!task) return InvalidArgument("thread pool '" + options_.name + "': empty task");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shutting_down_) {
      return FailedPrecondition("thread pool '" + options_.name + "' is shut down");
    }
    if (queue_.size() >= options_.max_queue_size) {
      return ResourceExhausted("thread pool '" + options_.name + "': queue full (" +
                               std::to_string(options_.max_queue_size) + " tasks waiting)");
    }
    try {
      queue_.push_back(std::move(task));
    } catch (const std::bad_alloc&) {
      return ResourceExhausted("thread pool '" + options_.name + "': out of memory");
    }
  }
  // Notify after unlocking so the woken worker does not block on mutex_ at once.
  work_available_.notify_one();
  return OkStatus();
}

void ThreadPool::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutting_down_ = true;
  }
  work_available_.notify_all();
  std::lock_guard<std::mutex> join_lock(join_mutex_);
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

size_t ThreadPool::queued_tasks() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_available_.wait(lock, [this] { return shutting_down_ || !queue_.empty(); });
      // Shutting down drains the queue first: only an empty queue ends the loop.
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();
    } catch (const std::exception& e) {
      LogError("thread pool task threw", {{"pool", options_.name}, {"what", e.what()}});
    } catch (...) {
      LogError("thread pool task threw", {{"pool", options_.name}, {"what", "non-std exception"}});
    }
  }
}

void RunOnPool(ThreadPool* pool, size_t count, const std::function<void(size_t)>& task) {
  if (pool == nullptr || count == 1) {
    for (size_t index = 0; index < count; ++index) task(index);
    return;
  }
  std::latch done(static_cast<std::ptrdiff_t>(count));
  std::mutex failure_mu;
  std::exception_ptr failure;  // the first task's exception; GUARDED_BY(failure_mu)
  for (size_t index = 0; index < count; ++index) {
    // Counts down however the task ends, so the wait below always ends and
    // no queued task outlives this frame's latch and `task`.
    auto run = [&, index] {
      try {
        task(index);
      } catch (...) {
        std::lock_guard lock(failure_mu);
        if (!failure) failure = std::current_exception();
      }
      done.count_down();
    };
    if (!pool->Submit(run).ok()) run();  // a full queue: run it here
  }
  done.wait();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace modelhost::core
