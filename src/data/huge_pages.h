// AdviseHugePages: a hint that a large, freshly allocated buffer should be
// backed by transparent huge pages, so that filling it costs a few hundred
// 2 MiB page faults instead of tens of thousands of 4 KiB ones (a large
// share of a transform's time otherwise). Call it after reserving the memory
// and before first touching it.
//
// Thread-safety: reentrant.

#ifndef MODELHOST_DATA_HUGE_PAGES_H_
#define MODELHOST_DATA_HUGE_PAGES_H_

#include <cstddef>

namespace modelhost::data {

// madvise(MADV_HUGEPAGE) on the whole pages inside [data, data + bytes) when
// that is at least 4 MiB; a no-op otherwise, and where the kernel does not
// support it (the advice changes speed, never contents).
void AdviseHugePages(const void* data, size_t bytes);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_HUGE_PAGES_H_
