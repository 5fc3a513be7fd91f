#include "data/huge_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace modelhost::data {

void AdviseHugePages(const void* data, size_t bytes) {
  constexpr size_t kWorthIt = size_t{4} << 20;
  if (data == nullptr || bytes < kWorthIt) return;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) / page * page;
  if (end <= begin) return;
  // The result is ignored on purpose: without THP support the buffer simply
  // keeps its small pages.
  (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace modelhost::data
