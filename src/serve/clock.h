// Clock: the time source of the serving engine, injected so that rules that
// depend on time (the batcher's max_queue_delay) are tested deterministically.
//
//   SteadyClock  — std::chrono::steady_clock; what production uses
//                  (Clock::Steady() is a process-wide instance).
//   ManualClock  — stands still until a test calls Advance(); WaitUntil blocks
//                  until Advance moves time past the deadline or the condition
//                  variable is notified. Tests never sleep.
//
// A component that waits for "an event or a deadline" calls
// clock.WaitUntil(cv, lock, deadline) instead of cv.wait_until(lock, deadline),
// and reads the time only through clock.Now().
//
// Thread-safety: every method of every class here may be called from any
// thread concurrently.

#ifndef MODELHOST_SERVE_CLOCK_H_
#define MODELHOST_SERVE_CLOCK_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace modelhost::serve {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  // A deadline that never passes: WaitUntil(cv, lock, kNoDeadline) waits for a notify only.
  static constexpr TimePoint kNoDeadline = TimePoint::max();

  virtual ~Clock() = default;

  // The current time; never decreases.
  virtual TimePoint Now() const = 0;

  // Blocks on `cv` until it is notified or Now() >= deadline, releasing `lock`
  // while blocked (like std::condition_variable::wait_until). May return early
  // (spurious wake-up): callers re-check their condition and the time.
  // Returns at once when the deadline has passed.
  // REQUIRES: `lock` owns its mutex, the one that guards what `cv` signals.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         TimePoint deadline) = 0;

  // The process-wide steady clock. Never destroyed.
  static Clock& Steady();
};

// The real clock: std::chrono::steady_clock.
class SteadyClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) override;
};

// A clock for tests: time moves only when Advance() is called.
//
// Lock rules (see clock.cc): `mutex_` guards the time, the waiter list and the
// count of notifications in progress. WaitUntil takes it briefly while the
// caller's mutex is held; Advance never holds it while taking a caller's mutex,
// so the order is always caller's mutex → mutex_ and there is no inversion.
class ManualClock final : public Clock {
 public:
  // Starts at `start` (default: the epoch of steady_clock, i.e. time 0).
  explicit ManualClock(TimePoint start = TimePoint{});
  ManualClock(const ManualClock&) = delete;
  ManualClock& operator=(const ManualClock&) = delete;

  TimePoint Now() const override;
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) override;

  // Moves time forward by `delta` and wakes every thread blocked in WaitUntil
  // (each re-checks its deadline). Returns after the wake-ups were delivered.
  // REQUIRES: delta >= 0 (a negative delta is ignored: time never goes back).
  void Advance(Duration delta);

  // Blocks until some thread is blocked in WaitUntil having entered it at the
  // current time, i.e. after the last Advance — so it has seen the current time
  // and decided to keep waiting. Tests call it before asserting that something
  // has NOT happened yet. Blocks forever if no thread ever waits.
  void BlockUntilWaiting();

  // Threads blocked in WaitUntil right now (a snapshot).
  size_t waiting_threads() const;

 private:
  struct Waiter {
    std::condition_variable* cv;
    std::mutex* mutex;  // the caller's; Advance locks it so no notify is lost
    TimePoint entered_at;
  };

  mutable std::mutex mutex_;
  std::condition_variable state_changed_;  // waiters_ or notifying_ changed
  TimePoint now_;                          // GUARDED_BY(mutex_)
  std::vector<Waiter*> waiters_;           // GUARDED_BY(mutex_)
  // Advance calls that copied waiters_ and are still notifying them. A waiter
  // leaves WaitUntil only when it is 0, so no Advance touches a dead cv.
  size_t notifying_ = 0;  // GUARDED_BY(mutex_)
};

}  // namespace modelhost::serve

#endif  // MODELHOST_SERVE_CLOCK_H_
