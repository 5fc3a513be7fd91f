#include "serve/batched_prediction.h"

#include <algorithm>
#include <string>

namespace modelhost::serve {

core::Result<std::vector<nn::Matrix>> PredictBatch(nn::Sequential& network,
                                                   std::span<const nn::Matrix> requests) {
  if (requests.empty()) return std::vector<nn::Matrix>();
  const size_t width = requests.front().cols();
  size_t total_rows = 0;
  for (size_t index = 0; index < requests.size(); ++index) {
    if (requests[index].cols() != width) {
      return core::InvalidArgument("batch request " + std::to_string(index) + " has " +
                                   std::to_string(requests[index].cols()) +
                                   " features; the first has " + std::to_string(width));
    }
    total_rows += requests[index].rows();
  }

  // Zero rows pad the batch to a whole number of row blocks (see the header).
  const size_t padded_rows = (total_rows + kRowBlock - 1) / kRowBlock * kRowBlock;
  nn::Matrix features(padded_rows, width);
  float* next = features.data();
  for (const nn::Matrix& request : requests) {
    next = std::copy(request.values().begin(), request.values().end(), next);
  }
  nn::Matrix outputs;
  MODELHOST_RETURN_IF_ERROR(network.Predict(features, &outputs));

  std::vector<nn::Matrix> answers;
  answers.reserve(requests.size());
  const float* from = outputs.data();
  for (const nn::Matrix& request : requests) {
    nn::Matrix answer(request.rows(), outputs.cols());
    std::copy(from, from + answer.size(), answer.data());
    from += answer.size();
    answers.push_back(std::move(answer));
  }
  return answers;
}

}  // namespace modelhost::serve
