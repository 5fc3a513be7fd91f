// The number of threads nn's matrix products (BLAS) use, process-wide.
//
// modelhost sets it explicitly (DESIGN.md, Concurrency) so that training,
// serving and BLAS never oversubscribe the cores: OpenBLAS would otherwise
// start one thread per core and keep them spinning next to the server's own.
//
// Thread-safety: call at start-up or between training runs; changing it while
// another thread is inside a product is not supported by OpenBLAS.

#ifndef MODELHOST_NN_COMPUTE_THREADS_H_
#define MODELHOST_NN_COMPUTE_THREADS_H_

#include "core/status.h"

namespace modelhost::nn {

// Largest accepted thread count (far above any machine this runs on; guards typos).
inline constexpr int kMaxComputeThreads = 256;

// Sets the BLAS thread count. Errors: InvalidArgument outside [1, kMaxComputeThreads].
core::Status SetComputeThreads(int threads);

// The BLAS thread count in effect.
int ComputeThreads();

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_COMPUTE_THREADS_H_
