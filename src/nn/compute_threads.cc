#include "nn/compute_threads.h"

#include <cblas.h>

#include <string>

namespace modelhost::nn {

core::Status SetComputeThreads(int threads) {
  if (threads < 1 || threads > kMaxComputeThreads) {
    return core::InvalidArgument("compute threads must be in [1, " +
                                 std::to_string(kMaxComputeThreads) + "], got " +
                                 std::to_string(threads));
  }
  openblas_set_num_threads(threads);
  return core::OkStatus();
}

int ComputeThreads() { return openblas_get_num_threads(); }

}  // namespace modelhost::nn
