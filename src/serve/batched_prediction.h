// PredictBatch: one forward pass for the feature matrices of several requests
// — what a model's DynamicBatcher runs (serve/model_cache.h). The requests'
// rows are stacked in order into one [total rows, features] matrix, the
// network predicts it once, and its output rows are cut back into one matrix
// per request.
//
// Bit-identity: a row's output must not depend on the rows batched with it,
// or a client's answer would change with the traffic around it. Every nn
// layer computes rows independently, but the GEMM (OpenBLAS) computes the
// rows of a whole block of the kernel's unroll with one code path and the
// leftover rows past the last whole block with others, which sum the same
// products in another order: a row's last bits then depend on where it fell.
// So the batch is padded with zero rows to a multiple of kRowBlock, a
// multiple of every x86 kernel's unroll: every row is computed by the
// whole-block path, whatever else is in the batch. Offline `modelhost
// predict` runs its table through PredictBatch too, in batches of the
// server's default size, so it answers every row bit for bit as the server
// does. The padding costs at most
// kRowBlock - 1 rows of work per batch. tests/unit/serve/
// batched_prediction_test.cc checks, for every batch size up to 64, against
// the BLAS the build links.
//
// Thread-safety: as nn::Sequential::Predict (concurrent calls are serialized).

#ifndef MODELHOST_SERVE_BATCHED_PREDICTION_H_
#define MODELHOST_SERVE_BATCHED_PREDICTION_H_

#include <cstddef>
#include <span>
#include <vector>

#include "core/result.h"
#include "nn/matrix.h"
#include "nn/sequential.h"

namespace modelhost::serve {

// Batches are padded to a multiple of this many rows (see above).
inline constexpr size_t kRowBlock = 16;

// The outputs of `network` for each matrix of `requests`, in order: result k
// has requests[k].rows() rows. Errors: InvalidArgument when a request's width
// is not the network's input width (naming the request's index), else
// Sequential::Predict's. REQUIRES: every request has >= 1 row.
core::Result<std::vector<nn::Matrix>> PredictBatch(nn::Sequential& network,
                                                   std::span<const nn::Matrix> requests);

}  // namespace modelhost::serve

#endif  // MODELHOST_SERVE_BATCHED_PREDICTION_H_
