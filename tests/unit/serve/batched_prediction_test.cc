#include "serve/batched_prediction.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "nn/network_spec.h"
#include "nn/random_generator.h"
#include "nn/sequential.h"

namespace modelhost::serve {
namespace {

std::unique_ptr<nn::Sequential> Network(const std::string& spec_json, size_t inputs) {
  auto spec = nn::ParseNetworkSpec(spec_json);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  auto network = nn::Sequential::Create(*spec, inputs, /*seed=*/7);
  EXPECT_TRUE(network.ok()) << network.status().ToString();
  return std::move(network).value();
}

nn::Matrix RandomRows(size_t rows, size_t cols, uint64_t seed) {
  nn::RandomGenerator random(seed);
  nn::Matrix matrix(rows, cols);
  for (float& value : matrix.values()) value = 4.0f * random.NextUniformFloat() - 2.0f;
  return matrix;
}

nn::Matrix RowsOf(const nn::Matrix& matrix, size_t first, size_t count) {
  nn::Matrix rows(count, matrix.cols());
  std::memcpy(rows.data(), matrix.Row(first).data(), count * matrix.cols() * sizeof(float));
  return rows;
}

// The serving promise: a row's answer is bit for bit the same whether it is
// predicted alone, with the whole table, or stacked with any other requests,
// for every batch size a batcher may form — on the BLAS this build links.
void ExpectRowsIndependentOfBatch(nn::Sequential& network, size_t inputs) {
  constexpr size_t kRows = 64;
  const nn::Matrix table = RandomRows(kRows, inputs, 11);
  nn::Matrix whole;
  ASSERT_TRUE(network.Predict(table, &whole).ok());
  for (size_t batch_rows = 1; batch_rows <= kRows; ++batch_rows) {
    // Requests of 1, 2, 3, … rows until batch_rows rows are used.
    std::vector<nn::Matrix> requests;
    std::vector<size_t> firsts;
    size_t used = 0;
    for (size_t size = 1; used < batch_rows; ++size) {
      const size_t count = std::min(size, batch_rows - used);
      requests.push_back(RowsOf(table, used, count));
      firsts.push_back(used);
      used += count;
    }
    auto answers = PredictBatch(network, requests);
    ASSERT_TRUE(answers.ok()) << answers.status().ToString();
    ASSERT_EQ(answers->size(), requests.size());
    for (size_t request = 0; request < requests.size(); ++request) {
      const nn::Matrix& answer = (*answers)[request];
      ASSERT_EQ(answer.rows(), requests[request].rows());
      ASSERT_EQ(answer.cols(), whole.cols());
      for (size_t row = 0; row < answer.rows(); ++row) {
        EXPECT_EQ(std::memcmp(answer.Row(row).data(), whole.Row(firsts[request] + row).data(),
                              whole.cols() * sizeof(float)),
                  0)
            << "batch of " << batch_rows << " rows, request " << request << ", row " << row;
      }
    }
  }
}

TEST(PredictBatchTest, TheSeedModelAnswersEachRowAsAloneOrInTheWholeTable) {
  auto network = Network(R"({"layers": [{"dense": 10, "activation": "relu"},
      {"dense": 10, "activation": "relu"}, {"dense": 1, "activation": "sigmoid"}]})",
                         8);
  ExpectRowsIndependentOfBatch(*network, 8);
}

// Wider layers, where OpenBLAS computes leftover rows past its unroll with
// other kernels than whole blocks (batched_prediction.h).
TEST(PredictBatchTest, AWideSoftmaxModelAnswersEachRowAsAloneOrInTheWholeTable) {
  auto network = Network(R"({"layers": [{"dense": 300, "activation": "relu"},
      {"dense": 5, "activation": "softmax"}]})",
                         70);
  ExpectRowsIndependentOfBatch(*network, 70);
}

TEST(PredictBatchTest, DeepAndSingleLayerModelsAnswerEachRowAsAloneOrInTheWholeTable) {
  auto deep = Network(R"({"layers": [{"dense": 64, "activation": "relu"},
      {"dense": 64, "activation": "relu"}, {"dense": 1}]})",
                      8);
  ExpectRowsIndependentOfBatch(*deep, 8);
  auto single = Network(R"({"layers": [{"dense": 1}]})", 300);
  ExpectRowsIndependentOfBatch(*single, 300);
}

TEST(PredictBatchTest, RequestsOfAnotherWidthAreRefusedByIndex) {
  auto network = Network(R"({"layers": [{"dense": 1, "activation": "sigmoid"}]})", 3);
  std::vector<nn::Matrix> requests;
  requests.push_back(RandomRows(2, 3, 1));
  requests.push_back(RandomRows(1, 4, 2));
  auto answers = PredictBatch(*network, requests);
  ASSERT_FALSE(answers.ok());
  EXPECT_EQ(answers.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(answers.status().message().find("batch request 1 has 4 features"), std::string::npos)
      << answers.status().message();
}

}  // namespace
}  // namespace modelhost::serve
