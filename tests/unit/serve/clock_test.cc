#include "serve/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace modelhost::serve {
namespace {

using std::chrono::microseconds;

TEST(ManualClockTest, StandsStillUntilAdvanced) {
  ManualClock clock;
  const Clock::TimePoint start = clock.Now();
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(microseconds(250));
  EXPECT_EQ(clock.Now() - start, microseconds(250));
  clock.Advance(microseconds(-5));  // ignored: time never goes back
  EXPECT_EQ(clock.Now() - start, microseconds(250));
}

TEST(ManualClockTest, WaitUntilReturnsAtOnceForAPassedDeadline) {
  ManualClock clock;
  std::mutex mutex;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mutex);
  clock.WaitUntil(cv, lock, clock.Now());
  clock.WaitUntil(cv, lock, clock.Now() - microseconds(1));
  EXPECT_TRUE(lock.owns_lock());
  EXPECT_EQ(clock.waiting_threads(), 0u);
}

TEST(ManualClockTest, AdvancePastTheDeadlineWakesTheWaiter) {
  ManualClock clock;
  std::mutex mutex;
  std::condition_variable cv;
  const Clock::TimePoint deadline = clock.Now() + microseconds(100);
  bool woke_after_deadline = false;
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(mutex);
    while (clock.Now() < deadline) clock.WaitUntil(cv, lock, deadline);
    woke_after_deadline = true;
  });
  clock.BlockUntilWaiting();
  clock.Advance(microseconds(99));
  // The waiter saw 99 µs and went back to waiting.
  clock.BlockUntilWaiting();
  {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_FALSE(woke_after_deadline);
  }
  clock.Advance(microseconds(1));
  waiter.join();
  EXPECT_TRUE(woke_after_deadline);
  EXPECT_EQ(clock.waiting_threads(), 0u);
}

TEST(ManualClockTest, ANotifyWakesAWaiterWithoutADeadline) {
  ManualClock clock;
  std::mutex mutex;
  std::condition_variable cv;
  bool signalled = false;
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(mutex);
    while (!signalled) clock.WaitUntil(cv, lock, Clock::kNoDeadline);
  });
  clock.BlockUntilWaiting();
  clock.Advance(std::chrono::hours(1000));  // time alone never ends a kNoDeadline wait
  clock.BlockUntilWaiting();
  {
    std::lock_guard<std::mutex> lock(mutex);
    signalled = true;
  }
  cv.notify_all();
  waiter.join();
  EXPECT_EQ(clock.waiting_threads(), 0u);
}

TEST(SteadyClockTest, WaitUntilAPassedDeadlineReturns) {
  Clock& clock = Clock::Steady();
  const Clock::TimePoint before = clock.Now();
  std::mutex mutex;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mutex);
  clock.WaitUntil(cv, lock, before);
  EXPECT_TRUE(lock.owns_lock());
  EXPECT_GE(clock.Now(), before);
}

}  // namespace
}  // namespace modelhost::serve
