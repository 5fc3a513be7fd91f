#include "serve/clock.h"

#include <algorithm>

namespace modelhost::serve {

Clock& Clock::Steady() {
  // Leaked on purpose: threads that outlive static destruction may still ask the time.
  static SteadyClock* const clock = new SteadyClock();
  return *clock;
}

void SteadyClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                            TimePoint deadline) {
  // wait_until(time_point::max()) overflows inside some standard libraries.
  if (deadline == kNoDeadline) {
    cv.wait(lock);
  } else {
    cv.wait_until(lock, deadline);
  }
}

ManualClock::ManualClock(TimePoint start) : now_(start) {}

Clock::TimePoint ManualClock::Now() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return now_;
}

void ManualClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                            TimePoint deadline) {
  Waiter waiter{&cv, lock.mutex(), TimePoint{}};
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (now_ >= deadline) return;
    waiter.entered_at = now_;
    waiters_.push_back(&waiter);
  }
  state_changed_.notify_all();
  // An Advance that ran after the registration above must lock the caller's
  // mutex before notifying, which it can only do once this wait released it:
  // the notify cannot fall between the time check and the wait.
  cv.wait(lock);
  // An Advance may be about to lock the caller's mutex to notify this waiter:
  // release it while leaving, and return only once no Advance holds a pointer
  // to `waiter` (or to `cv`, which may die when the caller returns).
  lock.unlock();
  {
    std::unique_lock<std::mutex> guard(mutex_);
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &waiter));
    state_changed_.wait(guard, [this] { return notifying_ == 0; });
  }
  lock.lock();
}

void ManualClock::Advance(Duration delta) {
  std::vector<Waiter> to_wake;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (delta > Duration::zero()) now_ += delta;
    for (const Waiter* waiter : waiters_) to_wake.push_back(*waiter);
    ++notifying_;
  }
  for (const Waiter& waiter : to_wake) {
    std::lock_guard<std::mutex> caller_guard(*waiter.mutex);
    waiter.cv->notify_all();
  }
  {
    std::lock_guard<std::mutex> guard(mutex_);
    --notifying_;
  }
  state_changed_.notify_all();
}

void ManualClock::BlockUntilWaiting() {
  std::unique_lock<std::mutex> guard(mutex_);
  state_changed_.wait(guard, [this] {
    return std::any_of(waiters_.begin(), waiters_.end(),
                       [this](const Waiter* waiter) { return waiter->entered_at == now_; });
  });
}

size_t ManualClock::waiting_threads() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return waiters_.size();
}

}  // namespace modelhost::serve
