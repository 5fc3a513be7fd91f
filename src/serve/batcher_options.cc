#include "serve/batcher_options.h"

#include <string>
#include <vector>

namespace modelhost::serve {

std::vector<double> BatchRowsBuckets(size_t max_batch_size) {
  std::vector<double> bounds;
  for (size_t rows = 1; rows < max_batch_size; rows *= 2)
    bounds.push_back(static_cast<double>(rows));
  bounds.push_back(static_cast<double>(max_batch_size < 1 ? 1 : max_batch_size));
  return bounds;
}

core::Status ValidateBatcherOptions(const BatcherOptions& options) {
  const std::string where = "batcher '" + options.name + "': ";
  if (options.max_batch_size < 1) {
    return core::InvalidArgument(where + "max_batch_size must be >= 1");
  }
  if (options.max_queue_delay_us < 0 || options.max_queue_delay_us > kMaxQueueDelayUs) {
    return core::InvalidArgument(where + "max_queue_delay_us must be in [0, " +
                                 std::to_string(kMaxQueueDelayUs) + "], got " +
                                 std::to_string(options.max_queue_delay_us));
  }
  if (options.max_queue_size < 1) {
    return core::InvalidArgument(where + "max_queue_size must be >= 1");
  }
  return core::OkStatus();
}

}  // namespace modelhost::serve
