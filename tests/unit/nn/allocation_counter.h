// AllocationCounter: counts calls of the global operator new (all forms,
// aligned included) made by the current thread while the counter is alive —
// the proof for "no allocation after the first step". The replacement
// operators live in allocation_counter.cc and forward to malloc/free, so they
// change nothing for code that is not being counted.

#ifndef MODELHOST_TESTS_UNIT_NN_ALLOCATION_COUNTER_H_
#define MODELHOST_TESTS_UNIT_NN_ALLOCATION_COUNTER_H_

#include <cstdint>

namespace modelhost::nn {

class AllocationCounter {
 public:
  AllocationCounter();
  ~AllocationCounter();
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;

  // Allocations by this thread since construction.
  int64_t count() const;

 private:
  int64_t start_;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_TESTS_UNIT_NN_ALLOCATION_COUNTER_H_
