#include "core/thread_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/log.h"

namespace modelhost::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A bound on how long a test waits for something that should happen at once,
// so that a broken pool fails the test instead of hanging it.
constexpr auto kGenerousDeadline = std::chrono::seconds(30);

std::unique_ptr<ThreadPool> MakePool(size_t threads, size_t queue) {
  Result<std::unique_ptr<ThreadPool>> pool =
      ThreadPool::Create({.num_threads = threads, .max_queue_size = queue, .name = "test"});
  EXPECT_TRUE(pool.ok()) << pool.status().ToString();
  return pool.ok() ? std::move(pool).value() : nullptr;
}

// Occupies one worker until Release() is called, so that later tasks queue up.
class Blocker {
 public:
  void Occupy(ThreadPool& pool) {
    ASSERT_TRUE(pool.Submit([this] {
                      started_.set_value();
                      release_future_.wait();
                    })
                    .ok());
    ASSERT_EQ(started_.get_future().wait_for(kGenerousDeadline), std::future_status::ready);
  }
  void Release() { release_.set_value(); }

 private:
  std::promise<void> started_;
  std::promise<void> release_;
  std::shared_future<void> release_future_ = release_.get_future().share();
};

TEST(ThreadPoolTest, RunsEverySubmittedTask) {
  auto pool = MakePool(3, 100);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->num_threads(), 3u);
  constexpr int kTasks = 100;
  std::atomic<int> ran{0};
  std::latch done(kTasks);
  for (int task = 0; task < kTasks; ++task) {
    ASSERT_TRUE(pool->Submit([&] {
                      ran.fetch_add(1);
                      done.count_down();
                    })
                    .ok());
  }
  done.wait();
  EXPECT_EQ(ran.load(), kTasks);
}

TEST(ThreadPoolTest, RunsTasksInParallelOnAllWorkers) {
  constexpr int kThreads = 3;
  auto pool = MakePool(kThreads, 10);
  ASSERT_NE(pool, nullptr);
  // Each task waits until all of them have started: only possible if the pool
  // really runs kThreads tasks at once.
  std::latch all_started(kThreads);
  std::atomic<int> saw_all{0};
  for (int task = 0; task < kThreads; ++task) {
    ASSERT_TRUE(pool->Submit([&] {
                      all_started.count_down();
                      const auto deadline = std::chrono::steady_clock::now() + kGenerousDeadline;
                      while (!all_started.try_wait()) {
                        if (std::chrono::steady_clock::now() > deadline) return;
                        std::this_thread::yield();
                      }
                      saw_all.fetch_add(1);
                    })
                    .ok());
  }
  pool->Shutdown();
  EXPECT_EQ(saw_all.load(), kThreads);
}

TEST(ThreadPoolTest, SingleWorkerRunsTasksInFifoOrder) {
  auto pool = MakePool(1, 10);
  ASSERT_NE(pool, nullptr);
  Blocker blocker;
  blocker.Occupy(*pool);
  std::vector<int> order;  // written only by the single worker
  for (int task = 0; task < 5; ++task) {
    ASSERT_TRUE(pool->Submit([&order, task] { order.push_back(task); }).ok());
  }
  EXPECT_EQ(pool->queued_tasks(), 5u);
  blocker.Release();
  pool->Shutdown();
  EXPECT_THAT(order, ElementsAre(0, 1, 2, 3, 4));
}

TEST(ThreadPoolTest, FullQueueReturnsResourceExhausted) {
  auto pool = MakePool(1, 2);
  ASSERT_NE(pool, nullptr);
  Blocker blocker;
  blocker.Occupy(*pool);
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool->Submit([&] { ran.fetch_add(1); }).ok());
  ASSERT_TRUE(pool->Submit([&] { ran.fetch_add(1); }).ok());
  Status full = pool->Submit([&] { ran.fetch_add(100); });
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("queue full"));
  blocker.Release();
  pool->Shutdown();
  EXPECT_EQ(ran.load(), 2);  // the rejected task never ran
}

TEST(ThreadPoolTest, SubmitAfterShutdownFailsWithFailedPrecondition) {
  auto pool = MakePool(2, 10);
  ASSERT_NE(pool, nullptr);
  pool->Shutdown();
  bool ran = false;
  Status status = pool->Submit([&] { ran = true; });
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(ran);
}

TEST(ThreadPoolTest, EmptyTaskIsInvalidArgument) {
  auto pool = MakePool(1, 10);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->Submit(std::function<void()>()).code(), StatusCode::kInvalidArgument);
}

TEST(ThreadPoolTest, ShutdownRunsTasksQueuedBeforeIt) {
  auto pool = MakePool(1, 3);
  ASSERT_NE(pool, nullptr);
  Blocker blocker;
  blocker.Occupy(*pool);
  std::atomic<int> ran{0};
  for (int task = 0; task < 3; ++task) {
    ASSERT_TRUE(pool->Submit([&] { ran.fetch_add(1); }).ok());
  }
  std::thread shutdown([&] { pool->Shutdown(); });
  // The queue is full, so Submit answers ResourceExhausted until Shutdown has
  // begun and FailedPrecondition after: then the 3 tasks are provably queued
  // at the moment Shutdown started.
  const auto deadline = std::chrono::steady_clock::now() + kGenerousDeadline;
  while (pool->Submit([] {}).code() != StatusCode::kFailedPrecondition) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::yield();
  }
  blocker.Release();
  shutdown.join();
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(pool->queued_tasks(), 0u);
}

TEST(ThreadPoolTest, ShutdownIsIdempotentAndConcurrentCallsAllWait) {
  auto pool = MakePool(2, 10);
  ASSERT_NE(pool, nullptr);
  Blocker blocker;
  blocker.Occupy(*pool);
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool->Submit([&] { ran.fetch_add(1); }).ok());
  std::atomic<int> returned{0};
  std::vector<std::thread> callers;
  for (int caller = 0; caller < 3; ++caller) {
    callers.emplace_back([&] {
      pool->Shutdown();
      // Whichever call returns, every task has run by then.
      if (ran.load() == 1) returned.fetch_add(1);
    });
  }
  // Release the blocked worker only once a Shutdown is under way (Submit is
  // refused from then on), so at least one caller really waits on the task.
  while (pool->Submit([] {}).code() != StatusCode::kFailedPrecondition) {
    std::this_thread::yield();
  }
  blocker.Release();
  for (std::thread& caller : callers) caller.join();
  pool->Shutdown();
  EXPECT_EQ(returned.load(), 3);
}

TEST(ThreadPoolTest, DestructorRunsQueuedTasks) {
  std::atomic<int> ran{0};
  {
    auto pool = MakePool(1, 10);
    ASSERT_NE(pool, nullptr);
    for (int task = 0; task < 10; ++task) {
      ASSERT_TRUE(pool->Submit([&] { ran.fetch_add(1); }).ok());
    }
  }
  EXPECT_EQ(ran.load(), 10);
}

TEST(ThreadPoolTest, ThrowingTaskDoesNotKillTheWorker) {
  SetLogSinkForTesting([](std::string_view) {});  // keep the expected error out of the output
  auto pool = MakePool(1, 10);
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->Submit([] { throw std::runtime_error("boom"); }).ok());
  ASSERT_TRUE(pool->Submit([] { throw 42; }).ok());
  std::promise<void> after;
  ASSERT_TRUE(pool->Submit([&] { after.set_value(); }).ok());
  EXPECT_EQ(after.get_future().wait_for(kGenerousDeadline), std::future_status::ready);
  pool->Shutdown();
  SetLogSinkForTesting(nullptr);
}

TEST(ThreadPoolTest, RejectsInvalidOptions) {
  Result<std::unique_ptr<ThreadPool>> no_threads = ThreadPool::Create({.num_threads = 0});
  ASSERT_FALSE(no_threads.ok());
  EXPECT_EQ(no_threads.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_threads.status().message(), HasSubstr("num_threads"));
  Result<std::unique_ptr<ThreadPool>> no_queue = ThreadPool::Create({.max_queue_size = 0});
  ASSERT_FALSE(no_queue.ok());
  EXPECT_EQ(no_queue.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_queue.status().message(), HasSubstr("max_queue_size"));
}

TEST(ThreadPoolTest, DefaultOptionsAreDocumentedValues) {
  ThreadPool::Options options;
  EXPECT_EQ(options.num_threads, 4u);
  EXPECT_EQ(options.max_queue_size, 1024u);
  EXPECT_EQ(options.name, "pool");
}

// RunOnPool waits for every task even when some throw (out of memory, say),
// then rethrows one of their exceptions — on the pool, and for a task run
// here because the queue was full.
TEST(RunOnPoolTest, WaitsForEveryTaskAndRethrowsATasksException) {
  auto pool = MakePool(2, 2);
  ASSERT_NE(pool, nullptr);
  for (size_t count : {size_t{2}, size_t{9}}) {  // 9: some tasks run here
    std::atomic<size_t> ran = 0;
    auto run = std::async(std::launch::async, [&] {
      RunOnPool(pool.get(), count, [&](size_t index) {
        ++ran;
        if (index % 2 == 0) throw std::bad_alloc();
      });
    });
    ASSERT_EQ(run.wait_for(kGenerousDeadline), std::future_status::ready) << count << " tasks";
    EXPECT_THROW(run.get(), std::bad_alloc);
    EXPECT_EQ(ran, count);
  }
  size_t here = 0;
  EXPECT_THROW(RunOnPool(nullptr, 3,
                         [&](size_t) {
                           ++here;
                           throw std::runtime_error("x");
                         }),
               std::runtime_error);
  EXPECT_EQ(here, 1u);  // without a pool, the first exception ends the loop
}

}  // namespace
}  // namespace modelhost::core
