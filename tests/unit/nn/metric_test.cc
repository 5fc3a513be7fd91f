// Every metric on small cases worked out by hand (the arithmetic is in the
// comments), streamed over more than one batch where it matters.

#include "nn/metric.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nn/metric_auc.h"
#include "nn/metric_classification.h"
#include "nn/metric_regression.h"

namespace modelhost::nn {
namespace {

using ::testing::HasSubstr;

Matrix Column(std::initializer_list<float> values) { return Matrix(values.size(), 1, values); }

TEST(BinaryAccuracyTest, ThresholdIsStrict) {
  // 0.9→1 ✓, 0.4→0 ✓, 0.6→1 vs 0 ✗, 0.5 is not > 0.5 → 0 vs 1 ✗: 2/4.
  BinaryAccuracy metric;
  ASSERT_TRUE(metric.Update(Column({0.9f, 0.4f, 0.6f, 0.5f}), Column({1, 0, 0, 1})).ok());
  EXPECT_DOUBLE_EQ(metric.Result(), 0.5);
  ASSERT_TRUE(metric.Update(Column({0.1f}), Column({0})).ok());  // 3/5 over the epoch
  EXPECT_DOUBLE_EQ(metric.Result(), 0.6);
  metric.Reset();
  EXPECT_TRUE(std::isnan(metric.Result()));
}

TEST(BinaryAccuracyTest, ShapeMismatchIsAnErrorAndChangesNothing) {
  BinaryAccuracy metric;
  ASSERT_TRUE(metric.Update(Column({0.9f}), Column({1})).ok());
  const core::Status status = metric.Update(Column({0.9f, 0.1f}), Column({1}));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("binary_accuracy"));
  EXPECT_DOUBLE_EQ(metric.Result(), 1.0);
}

TEST(CategoricalAccuracyTest, ArgmaxOfPredictionAgainstArgmaxOfTarget) {
  // Row argmaxes: predictions 1, 0, 2; targets 1, 1, 2 → 2/3.
  const Matrix predictions(3, 3, {0.1f, 0.7f, 0.2f, 0.5f, 0.4f, 0.1f, 0.3f, 0.3f, 0.4f});
  const Matrix targets(3, 3, {0, 1, 0, 0, 1, 0, 0, 0, 1});
  CategoricalAccuracy metric;
  ASSERT_TRUE(metric.Update(predictions, targets).ok());
  EXPECT_DOUBLE_EQ(metric.Result(), 2.0 / 3.0);
  // A tie picks the first maximum (numpy argmax): [0.5, 0.5, 0] → 0.
  metric.Reset();
  ASSERT_TRUE(metric.Update(Matrix(1, 3, {0.5f, 0.5f, 0}), Matrix(1, 3, {1, 0, 0})).ok());
  EXPECT_DOUBLE_EQ(metric.Result(), 1.0);
}

// The comment promised numpy.argmax, but a NaN won only in column 0.
// numpy.argmax([1, nan, 3]) == 1 and numpy.argmax([nan, 5]) == 0.
TEST(CategoricalAccuracyTest, ArgmaxPicksTheFirstNaNAsNumpyDoes) {
  const float kNaN = std::numeric_limits<float>::quiet_NaN();
  CategoricalAccuracy metric;
  ASSERT_TRUE(
      metric.Update(Matrix(2, 3, {1, kNaN, 3, kNaN, 5, 0}), Matrix(2, 3, {0, 1, 0, 1, 0, 0})).ok());
  EXPECT_DOUBLE_EQ(metric.Result(), 1.0);
  SparseCategoricalAccuracy sparse;
  ASSERT_TRUE(sparse.Update(Matrix(1, 3, {1, kNaN, 3}), Column({1})).ok());
  EXPECT_DOUBLE_EQ(sparse.Result(), 1.0);
}

TEST(SparseCategoricalAccuracyTest, ClassIndexTargets) {
  const Matrix predictions(3, 3, {0.1f, 0.7f, 0.2f, 0.5f, 0.4f, 0.1f, 0.3f, 0.3f, 0.4f});
  SparseCategoricalAccuracy metric;
  ASSERT_TRUE(metric.Update(predictions, Column({1, 1, 2})).ok());  // ✓ ✗ ✓
  EXPECT_DOUBLE_EQ(metric.Result(), 2.0 / 3.0);
}

TEST(SparseCategoricalAccuracyTest, RejectsLabelsThatAreNotClassIndices) {
  const Matrix predictions(2, 3, {0.1f, 0.7f, 0.2f, 0.5f, 0.4f, 0.1f});
  SparseCategoricalAccuracy metric;
  core::Status status = metric.Update(predictions, Column({1, 3}));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("row 1"));
  EXPECT_FALSE(metric.Update(predictions, Column({0.5f, 1})).ok());
  EXPECT_FALSE(metric.Update(predictions, Column({-1, 1})).ok());
  EXPECT_TRUE(std::isnan(metric.Result()));  // nothing was counted
}

TEST(ConfusionMetricTest, PrecisionRecallF1) {
  // predictions 0.9 0.8 0.3 0.6 0.1 → positive: yes yes no yes no
  // targets      1   0   1   1   1
  // TP = 2 (0.9, 0.6), FP = 1 (0.8), FN = 2 (0.3, 0.1).
  // precision 2/3, recall 2/4, F1 = 2·2/(2·2 + 1 + 2) = 4/7.
  const Matrix predictions = Column({0.9f, 0.8f, 0.3f, 0.6f, 0.1f});
  const Matrix targets = Column({1, 0, 1, 1, 1});
  ConfusionMetric precision(MetricKind::kPrecision);
  ConfusionMetric recall(MetricKind::kRecall);
  ConfusionMetric f1(MetricKind::kBinaryF1);
  for (Metric* metric : {static_cast<Metric*>(&precision), static_cast<Metric*>(&recall),
                         static_cast<Metric*>(&f1)}) {
    ASSERT_TRUE(metric->Update(predictions, targets).ok());
  }
  EXPECT_DOUBLE_EQ(precision.Result(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(recall.Result(), 0.5);
  EXPECT_DOUBLE_EQ(f1.Result(), 4.0 / 7.0);
}

// Regression: "f1" on several columns computed a micro F1 at threshold 0.5,
// which is not what keras.metrics.F1Score (per class, by argmax) computes.
TEST(ConfusionMetricTest, BinaryF1RefusesSeveralColumns) {
  ConfusionMetric f1(MetricKind::kBinaryF1);
  const core::Status status =
      f1.Update(Matrix(2, 2, {0.9f, 0.1f, 0.2f, 0.8f}), Matrix(2, 2, {1, 0, 0, 1}));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("one prediction column"));
  EXPECT_TRUE(std::isnan(f1.Result()));  // nothing was counted
  // Precision and recall over several columns stay (Keras's Precision/Recall
  // count every element too).
  ConfusionMetric precision(MetricKind::kPrecision);
  EXPECT_TRUE(precision.Update(Matrix(1, 2, {0.9f, 0.1f}), Matrix(1, 2, {1, 0})).ok());

  for (const char* name : {"f1", "f1_score", "F1Score", "binary_f1_score"}) {
    const auto parsed = ParseMetricName(name, {.target_columns = 3, .prediction_columns = 3});
    EXPECT_EQ(parsed.status().code(), core::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(parsed.status().message(), HasSubstr(name));
    EXPECT_THAT(parsed.status().message(), HasSubstr("one output column"));
    EXPECT_FALSE(ParseMetricName(name, {.target_columns = 1, .prediction_columns = 3}).ok());
    EXPECT_EQ(*ParseMetricName(name, {.target_columns = 1, .prediction_columns = 1}),
              MetricKind::kBinaryF1);
  }
  EXPECT_EQ(ToString(MetricKind::kBinaryF1), "binary_f1_score");
}

TEST(ConfusionMetricTest, ZeroDenominatorGivesZero) {
  // No predicted positives: precision's TP + FP = 0 → 0 (Keras's divide_no_nan).
  ConfusionMetric precision(MetricKind::kPrecision);
  EXPECT_TRUE(std::isnan(precision.Result()));
  ASSERT_TRUE(precision.Update(Column({0.1f, 0.2f}), Column({1, 0})).ok());
  EXPECT_EQ(precision.Result(), 0.0);
}

TEST(AucTest, DistinctScores) {
  // Sorted: 0.1(−) 0.35(+) 0.4(−) 0.8(+): positive ranks 2 + 4 = 6;
  // AUC = (6 − 2·3/2)/(2·2) = 3/4.
  Auc auc;
  ASSERT_TRUE(auc.Update(Column({0.1f, 0.4f, 0.35f, 0.8f}), Column({0, 0, 1, 1})).ok());
  EXPECT_DOUBLE_EQ(auc.Result(), 0.75);
}

TEST(AucTest, TiesShareTheirAveragedRank) {
  // Sorted: 0.2(−) r1, 0.5(+) 0.5(−) r2.5 each, 0.9(+) r4: positive ranks 6.5;
  // AUC = (6.5 − 3)/4 = 0.875 (the tied pair counts one half: (1 + 1 + 1 + ½)/4).
  // Streamed as two batches.
  Auc auc;
  ASSERT_TRUE(auc.Update(Column({0.5f, 0.5f}), Column({1, 0})).ok());
  ASSERT_TRUE(auc.Update(Column({0.2f, 0.9f}), Column({0, 1})).ok());
  EXPECT_DOUBLE_EQ(auc.Result(), 0.875);
}

TEST(AucTest, AllTiedIsOneHalfAndPerfectIsOne) {
  Auc auc;
  ASSERT_TRUE(auc.Update(Column({0.3f, 0.3f, 0.3f}), Column({1, 0, 1})).ok());
  EXPECT_DOUBLE_EQ(auc.Result(), 0.5);
  auc.Reset();
  ASSERT_TRUE(auc.Update(Column({0.1f, 0.2f, 0.7f, 0.9f}), Column({0, 0, 1, 1})).ok());
  EXPECT_DOUBLE_EQ(auc.Result(), 1.0);
}

TEST(AucTest, OneClassOnlyIsNaN) {
  Auc auc;
  EXPECT_TRUE(std::isnan(auc.Result()));
  ASSERT_TRUE(auc.Update(Column({0.1f, 0.9f}), Column({1, 1})).ok());
  EXPECT_TRUE(std::isnan(auc.Result()));
}

TEST(AucTest, RejectsNaNScores) {
  Auc auc;
  const core::Status status = auc.Update(Column({0.1f, NAN}), Column({1, 0}));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("row 1"));
}

TEST(MeanErrorTest, SquaredAndAbsolute) {
  // errors 0, 1, 2 (one batch), then −3 (another): mse (0 + 1 + 4 + 9)/4 = 3.5,
  // mae (0 + 1 + 2 + 3)/4 = 1.5.
  MeanError mse(MetricKind::kMeanSquaredError);
  MeanError mae(MetricKind::kMeanAbsoluteError);
  for (MeanError* metric : {&mse, &mae}) {
    ASSERT_TRUE(metric->Update(Column({1, 2, 3}), Column({1, 1, 1})).ok());
    ASSERT_TRUE(metric->Update(Column({0}), Column({3})).ok());
  }
  EXPECT_DOUBLE_EQ(mse.Result(), 3.5);
  EXPECT_DOUBLE_EQ(mae.Result(), 1.5);
}

TEST(R2ScoreTest, StreamedOverBatches) {
  // targets 1 2 3 4 (mean 2.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5),
  // predictions 1 2 3 5 (SS_res = 1): R² = 1 − 1/5 = 0.8.
  R2Score r2;
  ASSERT_TRUE(r2.Update(Column({1, 2}), Column({1, 2})).ok());
  ASSERT_TRUE(r2.Update(Column({3, 5}), Column({3, 4})).ok());
  EXPECT_NEAR(r2.Result(), 0.8, 1e-12);
}

TEST(R2ScoreTest, LargeOffsetDoesNotCancel) {
  // Same as above shifted by 10⁶ (float holds these integers exactly).
  R2Score r2;
  ASSERT_TRUE(r2.Update(Column({1e6f + 1, 1e6f + 2}), Column({1e6f + 1, 1e6f + 2})).ok());
  ASSERT_TRUE(r2.Update(Column({1e6f + 3, 1e6f + 5}), Column({1e6f + 3, 1e6f + 4})).ok());
  EXPECT_NEAR(r2.Result(), 0.8, 1e-9);
}

TEST(R2ScoreTest, AveragesColumnsAndHandlesConstantTargets) {
  // Column 0 as above (0.8); column 1 constant targets 2: exact predictions
  // score 1 → (0.8 + 1)/2 = 0.9; off predictions score 0 → 0.4.
  const Matrix targets(4, 2, {1, 2, 2, 2, 3, 2, 4, 2});
  R2Score r2;
  ASSERT_TRUE(r2.Update(Matrix(4, 2, {1, 2, 2, 2, 3, 2, 5, 2}), targets).ok());
  EXPECT_NEAR(r2.Result(), 0.9, 1e-12);
  r2.Reset();
  ASSERT_TRUE(r2.Update(Matrix(4, 2, {1, 2, 2, 2, 3, 2, 5, 3}), targets).ok());
  EXPECT_NEAR(r2.Result(), 0.4, 1e-12);
  EXPECT_FALSE(r2.Update(Column({1}), Column({1})).ok());  // column count changed
}

TEST(MetricNameTest, AccuracyResolvesByShapeAsKeras) {
  EXPECT_EQ(ResolveAccuracy({.target_columns = 1, .prediction_columns = 1}),
            MetricKind::kBinaryAccuracy);
  EXPECT_EQ(ResolveAccuracy({.target_columns = 1, .prediction_columns = 3}),
            MetricKind::kSparseCategoricalAccuracy);
  EXPECT_EQ(ResolveAccuracy({.target_columns = 3, .prediction_columns = 3}),
            MetricKind::kCategoricalAccuracy);
  auto acc = ParseMetricName("acc", {.target_columns = 4, .prediction_columns = 4});
  ASSERT_TRUE(acc.ok());
  EXPECT_EQ(*acc, MetricKind::kCategoricalAccuracy);
}

TEST(MetricNameTest, AccuracyResolvesByLoss) {
  EXPECT_EQ(*ResolveAccuracyForLoss("binary_crossentropy"), MetricKind::kBinaryAccuracy);
  EXPECT_EQ(*ResolveAccuracyForLoss("SparseCategoricalCrossentropy"),
            MetricKind::kSparseCategoricalAccuracy);
  EXPECT_EQ(*ResolveAccuracyForLoss("categorical_crossentropy"), MetricKind::kCategoricalAccuracy);
  EXPECT_THAT(ResolveAccuracyForLoss("mse").status().message(), HasSubstr("mse"));
}

TEST(MetricNameTest, KerasNamesAndRoundTrip) {
  EXPECT_EQ(*ParseMetricName("AUC"), MetricKind::kAuc);
  EXPECT_EQ(*ParseMetricName("auc"), MetricKind::kAuc);
  EXPECT_EQ(*ParseMetricName("Precision"), MetricKind::kPrecision);
  EXPECT_EQ(*ParseMetricName("mean_squared_error"), MetricKind::kMeanSquaredError);
  EXPECT_EQ(*ParseMetricName("r2"), MetricKind::kR2);
  EXPECT_EQ(*ParseMetricName("F1Score"), MetricKind::kBinaryF1);
  for (MetricKind kind :
       {MetricKind::kBinaryAccuracy, MetricKind::kCategoricalAccuracy,
        MetricKind::kSparseCategoricalAccuracy, MetricKind::kPrecision, MetricKind::kRecall,
        MetricKind::kBinaryF1, MetricKind::kAuc, MetricKind::kMeanSquaredError,
        MetricKind::kMeanAbsoluteError, MetricKind::kR2}) {
    auto parsed = ParseMetricName(ToString(kind));
    ASSERT_TRUE(parsed.ok()) << ToString(kind);
    EXPECT_EQ(*parsed, kind);
    const auto metric = MakeMetric(kind);
    ASSERT_NE(metric, nullptr);
    EXPECT_EQ(metric->kind(), kind);
  }
}

// One shape check for every metric (there were three copies, and AUC's did
// not say which shapes it got).
TEST(MetricTest, EveryMetricNamesItselfAndBothShapesOnAMismatch) {
  for (MetricKind kind :
       {MetricKind::kBinaryAccuracy, MetricKind::kCategoricalAccuracy, MetricKind::kPrecision,
        MetricKind::kRecall, MetricKind::kBinaryF1, MetricKind::kAuc, MetricKind::kMeanSquaredError,
        MetricKind::kMeanAbsoluteError, MetricKind::kR2}) {
    const auto metric = MakeMetric(kind);
    const core::Status status = metric->Update(Matrix(2, 1), Matrix(3, 1));
    EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument) << ToString(kind);
    EXPECT_EQ(status.message(), std::string(ToString(kind)) +
                                    ": predictions and targets must have the same shape, got "
                                    "[2, 1] and [3, 1]");
  }
}

TEST(MetricNameTest, UnknownNameIsInvalidArgument) {
  const auto parsed = ParseMetricName("top_k_accuracy");
  EXPECT_EQ(parsed.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("top_k_accuracy"));
}

}  // namespace
}  // namespace modelhost::nn
