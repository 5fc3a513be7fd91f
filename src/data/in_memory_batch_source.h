// InMemoryBatchSource: a BatchSource over a float32 feature matrix and target
// vector already in memory (what FittedPipeline produces for a table that
// fits). Each epoch it yields every row exactly once, in a fresh order:
// epoch e shuffles 0 … n−1 (ShuffleRows, seeded_random.h) with a
// std::mt19937_64 seeded by Mix64(seed + (e + 1)·0x9e3779b97f4a7c15) — the
// (e+1)-th output of splitmix64 started at `seed` — so epochs are independent
// of each other and reproducible on any machine. Without shuffling, rows come
// in order.
//
// Thread-safety: as BatchSource (one thread at a time). It reads the spans it
// was given and never writes them.

#ifndef MODELHOST_DATA_IN_MEMORY_BATCH_SOURCE_H_
#define MODELHOST_DATA_IN_MEMORY_BATCH_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/result.h"
#include "data/batch_source.h"

namespace modelhost::data {

class InMemoryBatchSource : public BatchSource {
 public:
  struct Options {
    // Reshuffle the rows every epoch. Default true.
    bool shuffle = true;
    // Seed of the shuffles. Default 0.
    uint64_t seed = 0;
  };

  // `features` holds targets.size() rows of `num_features` floats, row-major.
  // The spans are not copied: REQUIRES they outlive the source (and any
  // BatchLoader that owns it). InvalidArgument when num_features is 0 or
  // features.size() != targets.size() × num_features.
  static core::Result<std::unique_ptr<InMemoryBatchSource>> Create(std::span<const float> features,
                                                                   std::span<const float> targets,
                                                                   size_t num_features,
                                                                   Options options);

  size_t num_features() const override { return num_features_; }
  size_t num_rows() const override { return targets_.size(); }
  core::Status BeginEpoch(uint64_t epoch) override;
  core::Status NextBatch(size_t max_rows, Batch& batch) override;

 private:
  // Passkey so that Create can use std::make_unique on a private constructor.
  struct PrivateTag {};

 public:
  InMemoryBatchSource(PrivateTag, std::span<const float> features, std::span<const float> targets,
                      size_t num_features, Options options);

 private:
  std::span<const float> features_;
  std::span<const float> targets_;
  size_t num_features_;
  Options options_;
  std::vector<size_t> order_;  // the current epoch's row order
  size_t next_ = 0;            // position in order_ of the next row to yield
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_IN_MEMORY_BATCH_SOURCE_H_
