#include "data/in_memory_batch_source.h"

#include <algorithm>
#include <cassert>
#include <numeric>
#include <random>
#include <string>

#include "data/seeded_random.h"

namespace modelhost::data {

core::Result<std::unique_ptr<InMemoryBatchSource>> InMemoryBatchSource::Create(
    std::span<const float> features, std::span<const float> targets, size_t num_features,
    Options options) {
  if (num_features == 0) return core::InvalidArgument("a batch source needs at least one feature");
  if (features.size() / num_features != targets.size() || features.size() % num_features != 0) {
    return core::InvalidArgument("the feature matrix holds " + std::to_string(features.size()) +
                                 " values, not " + std::to_string(targets.size()) + " rows × " +
                                 std::to_string(num_features) + " features");
  }
  return std::make_unique<InMemoryBatchSource>(PrivateTag{}, features, targets, num_features,
                                               options);
}

InMemoryBatchSource::InMemoryBatchSource(PrivateTag, std::span<const float> features,
                                         std::span<const float> targets, size_t num_features,
                                         Options options)
    : features_(features), targets_(targets), num_features_(num_features), options_(options) {}

core::Status InMemoryBatchSource::BeginEpoch(uint64_t epoch) {
  order_.resize(targets_.size());
  std::iota(order_.begin(), order_.end(), size_t{0});
  if (options_.shuffle) {
    std::mt19937_64 engine(Mix64(options_.seed + (epoch + 1) * 0x9e3779b97f4a7c15ULL));
    ShuffleRows(order_, engine);
  }
  next_ = 0;
  return core::OkStatus();
}

core::Status InMemoryBatchSource::NextBatch(size_t max_rows, Batch& batch) {
  assert(max_rows >= 1);
  const size_t rows = std::min(max_rows, order_.size() - next_);
  batch.num_rows = rows;
  batch.num_features = num_features_;
  batch.features.resize(rows * num_features_);
  batch.targets.resize(rows);
  for (size_t index = 0; index < rows; ++index) {
    const size_t row = order_[next_ + index];
    std::copy_n(features_.begin() + row * num_features_, num_features_,
                batch.features.begin() + index * num_features_);
    batch.targets[index] = targets_[row];
  }
  next_ += rows;
  return core::OkStatus();
}

}  // namespace modelhost::data
