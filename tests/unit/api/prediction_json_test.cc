#include "api/prediction_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace modelhost::api {
namespace {

using Json = nlohmann::json;

// The answer as a JSON tree, as the predict routes built it before they wrote
// it as text: the reference PredictionsBody must match byte for byte.
std::string ReferenceBody(const std::string& model, int64_t version,
                          const model::TargetSchema& target, const nn::Matrix& outputs) {
  Json predictions = Json::array();
  for (size_t row = 0; row < outputs.rows(); ++row) {
    const float* output = outputs.Row(row).data();
    const Json label = target.encoding == model::TargetEncoding::kValue
                           ? Json()
                           : LabelJson(target, target.labels[PredictedClass(target, output)]);
    switch (target.encoding) {
      case model::TargetEncoding::kValue: predictions.push_back({{"prediction", output[0]}}); break;
      case model::TargetEncoding::kBinary:
        predictions.push_back({{"probability", output[0]}, {"label", label}});
        break;
      case model::TargetEncoding::kClassIndex:
      case model::TargetEncoding::kOneHot: {
        Json probabilities = Json::object();
        for (size_t k = 0; k < target.labels.size(); ++k) {
          probabilities[target.labels[k]] = output[k];
        }
        predictions.push_back({{"probabilities", probabilities}, {"label", label}});
        break;
      }
    }
  }
  return Json{{"model", model}, {"model_version", version}, {"predictions", predictions}}.dump();
}

nn::Matrix Outputs(size_t rows, size_t cols, std::vector<float> values) {
  nn::Matrix matrix(rows, cols);
  for (size_t i = 0; i < values.size(); ++i) matrix.data()[i] = values[i];
  return matrix;
}

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(PredictionsBodyTest, RegressionMatchesTheJsonTree) {
  const model::TargetSchema target{.name = "y",
                                   .type = data::ColumnType::kFloat64,
                                   .encoding = model::TargetEncoding::kValue,
                                   .labels = {}};
  // Integral, tiny, huge, negative, not finite, and a float with no short form.
  const nn::Matrix outputs =
      Outputs(8, 1, {3.0f, 1e-7f, 3.4e38f, -0.5f, kNan, -kInf, 0.1f, 123456789.0f});
  EXPECT_EQ(PredictionsBody("house-prices", 12, target, outputs),
            ReferenceBody("house-prices", 12, target, outputs));
}

TEST(PredictionsBodyTest, ManyFloatsAreWrittenAsTheTreeWritesThem) {
  // Probabilities and values over many magnitudes (std::to_chars would write
  // a few thousand of these differently from the tree).
  const model::TargetSchema target{.name = "y",
                                   .type = data::ColumnType::kFloat64,
                                   .encoding = model::TargetEncoding::kValue,
                                   .labels = {}};
  std::vector<float> values;
  uint32_t state = 12345;
  for (int i = 0; i < 20000; ++i) {
    state = state * 1664525u + 1013904223u;
    const float unit = static_cast<float>(state >> 8) / static_cast<float>(1u << 24);
    values.push_back(i % 2 == 0 ? unit : std::ldexp(unit - 0.5f, (i % 160) - 80));
  }
  const nn::Matrix outputs = Outputs(values.size(), 1, values);
  EXPECT_EQ(PredictionsBody("m", 1, target, outputs), ReferenceBody("m", 1, target, outputs));
}

TEST(PredictionsBodyTest, BinaryLabelsOfEachTypeMatchTheJsonTree) {
  const nn::Matrix outputs = Outputs(4, 1, {0.25f, 0.5f, 0.9999999f, 0.0f});
  for (auto [type, labels] : std::vector<std::pair<data::ColumnType, std::vector<std::string>>>{
           {data::ColumnType::kInt64, {"0", "1"}},
           {data::ColumnType::kBool, {"false", "true"}},
           {data::ColumnType::kFloat64, {"-1.5", "2.5"}},
           {data::ColumnType::kCategorical, {"tested_negative", "say \"yes\"\n"}}}) {
    const model::TargetSchema target{
        .name = "y", .type = type, .encoding = model::TargetEncoding::kBinary, .labels = labels};
    EXPECT_EQ(PredictionsBody("pima", 1, target, outputs),
              ReferenceBody("pima", 1, target, outputs))
        << labels[1];
  }
}

// As Keras's binary_accuracy: positive only above 0.5 (a sigmoid of 0 is not).
TEST(PredictionsBodyTest, ABinaryProbabilityOfExactlyHalfIsTheFirstClass) {
  const model::TargetSchema target{.name = "y",
                                   .type = data::ColumnType::kInt64,
                                   .encoding = model::TargetEncoding::kBinary,
                                   .labels = {"0", "1"}};
  const Json body = Json::parse(PredictionsBody("m", 1, target, Outputs(1, 1, {0.5f})));
  EXPECT_EQ(body["predictions"][0]["label"], 0);
}

TEST(PredictionsBodyTest, ClassProbabilitiesAreKeyedInTheTreesOrder) {
  // Labels out of byte order, one needing escapes, one a prefix of another.
  const model::TargetSchema target{
      .name = "species",
      .type = data::ColumnType::kCategorical,
      .encoding = model::TargetEncoding::kOneHot,
      .labels = {"virginica", "Iris-setosa", "tab\there", "Iris", "versicolor"}};
  const nn::Matrix outputs = Outputs(2, 5,
                                     {0.1f, 0.2f, 0.3f, 0.15f, 0.25f,  //
                                      1.0f, 0.0f, 0.0f, 0.0f, 0.0f});
  const std::string body = PredictionsBody("iris", 3, target, outputs);
  EXPECT_EQ(body, ReferenceBody("iris", 3, target, outputs));
  EXPECT_EQ(Json::parse(body)["predictions"][1]["label"], "virginica");
}

TEST(PredictionsBodyTest, ARepeatedLabelIsOneKeyHoldingItsLastProbability) {
  // model.json does not forbid repeated labels; the tree kept one key each.
  const model::TargetSchema target{.name = "y",
                                   .type = data::ColumnType::kCategorical,
                                   .encoding = model::TargetEncoding::kOneHot,
                                   .labels = {"b", "a", "b", "a", "c"}};
  const nn::Matrix outputs = Outputs(1, 5, {0.1f, 0.2f, 0.3f, 0.15f, 0.25f});
  const std::string body = PredictionsBody("m", 1, target, outputs);
  EXPECT_EQ(body, ReferenceBody("m", 1, target, outputs));
  EXPECT_THAT(body,
              ::testing::HasSubstr(
                  R"("probabilities":{"a":0.15000000596046448,"b":0.30000001192092896,"c":0.25})"));
}

TEST(PredictionsBodyTest, NoRowsIsAnEmptyList) {
  const model::TargetSchema target{.name = "y",
                                   .type = data::ColumnType::kInt64,
                                   .encoding = model::TargetEncoding::kClassIndex,
                                   .labels = {"0", "1", "2"}};
  EXPECT_EQ(PredictionsBody("m", 1, target, nn::Matrix()),
            R"({"model":"m","model_version":1,"predictions":[]})");
}

}  // namespace
}  // namespace modelhost::api
