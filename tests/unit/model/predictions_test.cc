#include "model/predictions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/metric.h"

namespace modelhost::model {
namespace {

// A probability of exactly 0.5 (a sigmoid of 0) is class 0 for the label, as
// for Keras's binary_accuracy (y_pred > 0.5): the label and the reported
// accuracy always agree.
TEST(PredictionsTest, BinaryLabelFollowsTheAccuracyRuleAtTheThreshold) {
  const std::vector<float> probabilities = {0.5f, std::nextafter(0.5f, 1.0f),
                                            std::nextafter(0.5f, 0.0f), 0.9f};
  nn::Matrix outputs(probabilities.size(), 1);
  nn::Matrix ones(probabilities.size(), 1);
  for (size_t row = 0; row < probabilities.size(); ++row) {
    outputs(row, 0) = probabilities[row];
    ones(row, 0) = 1.0f;
  }
  const TargetSchema target{.name = "y",
                            .type = data::ColumnType::kCategorical,
                            .encoding = TargetEncoding::kBinary,
                            .labels = {"no", "yes"}};
  const std::string csv = FormatPredictionsCsv(outputs, target);
  EXPECT_EQ(csv, "probability,label\n0.5,no\n0.50000006,yes\n0.49999997,no\n0.9,yes\n");

  // The rows labelled "yes" are those binary_accuracy counts right against 1.
  auto accuracy = nn::MakeMetric(nn::MetricKind::kBinaryAccuracy);
  ASSERT_TRUE(accuracy->Update(outputs, ones).ok());
  size_t labelled_yes = 0;
  for (float probability : probabilities) labelled_yes += BinaryClassOf(probability);
  EXPECT_DOUBLE_EQ(accuracy->Result(),
                   static_cast<double>(labelled_yes) / static_cast<double>(probabilities.size()));
}

}  // namespace
}  // namespace modelhost::model
