#include "nn/trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>

#include "dataset_fixture.h"

namespace modelhost::nn {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

struct Compiled {
  std::unique_ptr<Sequential> model;
  Loss loss;
  std::unique_ptr<Optimizer> optimizer;
};

Compiled Compile(uint64_t seed, const std::string& optimizer = "adam",
                 const OptimizerConfig& config = {}) {
  auto model = Sequential::Create(SeedExampleSpec(), 8, seed);
  auto loss = Loss::Create({.kind = LossKind::kBinaryCrossentropy});
  auto made = MakeOptimizer(optimizer, config);
  EXPECT_TRUE(model.ok() && loss.ok() && made.ok());
  return Compiled{std::move(*model), *loss, std::move(*made)};
}

std::vector<Matrix> Weights(const Sequential& model) {
  std::vector<Matrix> weights;
  for (const Parameter* parameter : model.parameters()) weights.push_back(parameter->value);
  return weights;
}

// The bar: the classic example (standardized, fixed 80/20 split, 150
// epochs, batch 32, adam) reaches 74 % test accuracy. One initialization can
// land a little either side of a bar, so the median over five model seeds is
// what is held to it; every run must still clearly beat the 65 % majority class.
TEST(TrainerTest, SeedExampleThroughFitReaches74PercentOnPima) {
  DatasetSplit pima = LoadPimaSplit();
  std::vector<double> accuracies;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Compiled compiled = Compile(seed);
    FitOptions options;
    options.epochs = 150;
    options.batch_size = 32;
    options.seed = seed;
    auto history = Fit(*compiled.model, compiled.loss, *compiled.optimizer, {"accuracy"},
                       {&pima.x_train, &pima.y_train}, options);
    ASSERT_TRUE(history.ok()) << history.status().ToString();
    ASSERT_EQ(history->epochs.size(), 150u);
    EXPECT_LT(history->epochs.back().values.at("loss"), history->epochs.front().values.at("loss"));
    auto evaluation =
        Evaluate(*compiled.model, compiled.loss, {"accuracy"}, {&pima.x_test, &pima.y_test});
    ASSERT_TRUE(evaluation.ok()) << evaluation.status().ToString();
    // Evaluate's accuracy is the number Predict gives.
    Matrix predictions;
    ASSERT_TRUE(compiled.model->Predict(pima.x_test, &predictions).ok());
    EXPECT_DOUBLE_EQ(evaluation->at("accuracy"), BinaryAccuracyOf(predictions, pima.y_test));
    EXPECT_GT(evaluation->at("accuracy"), 0.70) << "seed " << seed;
    accuracies.push_back(evaluation->at("accuracy"));
  }
  std::sort(accuracies.begin(), accuracies.end());
  std::cout << "Pima seed example, test accuracy over model seeds 1-5:";
  for (double accuracy : accuracies) std::cout << " " << accuracy;
  std::cout << " (median " << accuracies[2] << ")\n";
  EXPECT_GE(accuracies[2], 0.74);
}

TEST(TrainerTest, SameSeedsGiveBitIdenticalWeightsAndShuffleSeedMatters) {
  DatasetSplit pima = LoadPimaSplit();
  FitOptions options;
  options.epochs = 3;
  options.seed = 11;
  Compiled first = Compile(5), second = Compile(5), reshuffled = Compile(5);
  ASSERT_TRUE(
      Fit(*first.model, first.loss, *first.optimizer, {}, {&pima.x_train, &pima.y_train}, options)
          .ok());
  ASSERT_TRUE(Fit(*second.model, second.loss, *second.optimizer, {}, {&pima.x_train, &pima.y_train},
                  options)
                  .ok());
  options.seed = 12;
  ASSERT_TRUE(Fit(*reshuffled.model, reshuffled.loss, *reshuffled.optimizer, {},
                  {&pima.x_train, &pima.y_train}, options)
                  .ok());
  EXPECT_TRUE(Weights(*first.model) == Weights(*second.model));
  EXPECT_FALSE(Weights(*first.model) == Weights(*reshuffled.model));
}

TEST(TrainerTest, ValidationSplitHoldsOutTheLastRows) {
  DatasetSplit pima = LoadPimaSplit();
  Compiled compiled = Compile(3);
  FitOptions options;
  options.epochs = 2;
  options.validation_split = 0.25;  // 614 rows: floor(614 · 0.75) = 460 train, 154 validation
  auto history = Fit(*compiled.model, compiled.loss, *compiled.optimizer, {"accuracy"},
                     {&pima.x_train, &pima.y_train}, options);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  const auto& last = history->epochs.back().values;
  ASSERT_TRUE(last.contains("val_loss") && last.contains("val_accuracy"));
  // The last epoch's validation figures are Evaluate on rows 460.. after training.
  Matrix held_out_x(154, 8), held_out_y(154, 1);
  std::copy(pima.x_train.data() + 460 * 8, pima.x_train.data() + 614 * 8, held_out_x.data());
  std::copy(pima.y_train.data() + 460, pima.y_train.data() + 614, held_out_y.data());
  auto evaluation =
      Evaluate(*compiled.model, compiled.loss, {"accuracy"}, {&held_out_x, &held_out_y});
  ASSERT_TRUE(evaluation.ok());
  EXPECT_DOUBLE_EQ(last.at("val_loss"), evaluation->at("loss"));
  EXPECT_DOUBLE_EQ(last.at("val_accuracy"), evaluation->at("accuracy"));
}

TEST(TrainerTest, EarlyStoppingWaitsPatienceEpochsWithoutImprovement) {
  DatasetSplit pima = LoadPimaSplit();
  // A zero learning rate never improves the loss after the first epoch.
  Compiled compiled = Compile(3, "sgd", {{"learning_rate", 0.0}});
  FitOptions options;
  options.epochs = 20;
  options.shuffle = false;
  options.early_stopping = EarlyStoppingOptions{.monitor = "loss", .patience = 2};
  auto history = Fit(*compiled.model, compiled.loss, *compiled.optimizer, {},
                     {&pima.x_train, &pima.y_train}, options);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_TRUE(history->stopped_epoch.has_value());
  EXPECT_EQ(*history->stopped_epoch, 2);  // epoch 0 best; epochs 1 and 2 without improvement
  EXPECT_EQ(history->epochs.size(), 3u);
}

// Records the weights at the end of one epoch.
class WeightsAtEpoch : public TrainingObserver {
 public:
  WeightsAtEpoch(const Sequential& model, int epoch) : model_(model), epoch_(epoch) {}
  void OnEpochEnd(const EpochLog& log) override {
    if (log.epoch == epoch_) weights = Weights(model_);
  }
  std::vector<Matrix> weights;

 private:
  const Sequential& model_;
  int epoch_;
};

struct BestEpochRun {
  core::Result<History> history;
  std::vector<Matrix> weights;  // the model's after Fit
  std::vector<Matrix> epoch0_weights;
};

// Fits with validation targets that are the training labels inverted: the
// better the model learns, the worse val_loss gets, so epoch 0 stays the best.
BestEpochRun FitWithEpochZeroBest(int epochs, int patience) {
  DatasetSplit pima = LoadPimaSplit();
  Matrix inverted = pima.y_train;
  for (float& value : inverted.values()) value = 1.0f - value;
  Compiled compiled = Compile(4);
  FitOptions options;
  options.epochs = epochs;
  options.early_stopping = EarlyStoppingOptions{
      .monitor = "val_loss", .patience = patience, .restore_best_weights = true};
  WeightsAtEpoch observer(*compiled.model, 0);
  auto history =
      Fit(*compiled.model, compiled.loss, *compiled.optimizer, {}, {&pima.x_train, &pima.y_train},
          options, &observer, TrainingData{&pima.x_train, &inverted});
  return {std::move(history), Weights(*compiled.model), observer.weights};
}

TEST(TrainerTest, RestoreBestWeightsPutsBackTheBestEpoch) {
  BestEpochRun run = FitWithEpochZeroBest(30, 3);
  ASSERT_TRUE(run.history.ok()) << run.history.status().ToString();
  ASSERT_TRUE(run.history->stopped_epoch.has_value());
  EXPECT_EQ(*run.history->stopped_epoch, 3);
  EXPECT_TRUE(run.weights == run.epoch0_weights);
}

// Keras 3 restores the best weights at the end of training even when
// patience never ran out (EarlyStopping.on_train_end).
TEST(TrainerTest, RestoreBestWeightsAppliesWhenTrainingEndsWithoutStopping) {
  BestEpochRun run = FitWithEpochZeroBest(4, 10);
  ASSERT_TRUE(run.history.ok()) << run.history.status().ToString();
  ASSERT_FALSE(run.history->stopped_epoch.has_value());
  const std::vector<EpochLog>& epochs = run.history->epochs;
  ASSERT_EQ(epochs.size(), 4u);
  for (size_t epoch = 1; epoch < 4; ++epoch) {
    ASSERT_GT(epochs[epoch].values.at("val_loss"), epochs[0].values.at("val_loss"));
  }
  EXPECT_TRUE(run.weights == run.epoch0_weights);
}

class CancelAfter : public TrainingObserver {
 public:
  explicit CancelAfter(int batches) : remaining_(batches) {}
  void OnBatchEnd(int, int, int, double) override { ++batches_seen; }
  void OnEpochEnd(const EpochLog&) override { ++epochs_seen; }
  bool ShouldContinue() override { return remaining_-- > 0; }
  int batches_seen = 0;
  int epochs_seen = 0;

 private:
  int remaining_;
};

TEST(TrainerTest, ObserverSeesEveryBatchAndCanCancel) {
  DatasetSplit pima = LoadPimaSplit();
  Compiled compiled = Compile(6);
  FitOptions options;
  options.epochs = 2;
  options.batch_size = 100;  // 614 rows → 7 batches per epoch
  CancelAfter full_run(1000);
  ASSERT_TRUE(Fit(*compiled.model, compiled.loss, *compiled.optimizer, {},
                  {&pima.x_train, &pima.y_train}, options, &full_run)
                  .ok());
  EXPECT_EQ(full_run.batches_seen, 14);
  EXPECT_EQ(full_run.epochs_seen, 2);

  CancelAfter cancel(9);
  auto history = Fit(*compiled.model, compiled.loss, *compiled.optimizer, {},
                     {&pima.x_train, &pima.y_train}, options, &cancel);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->cancelled);
  EXPECT_EQ(cancel.batches_seen, 9);
  EXPECT_EQ(history->epochs.size(), 1u);
}

TEST(TrainerTest, NonFiniteLossStopsNamingEpochAndBatchOrIsSkipped) {
  DatasetSplit pima = LoadPimaSplit();
  Matrix poisoned = pima.x_train;
  poisoned(40, 2) = std::numeric_limits<float>::infinity();  // row 40 is in batch 2 unshuffled
  FitOptions options;
  options.epochs = 2;
  options.shuffle = false;
  Compiled stopped = Compile(7);
  auto failure = Fit(*stopped.model, stopped.loss, *stopped.optimizer, {},
                     {&poisoned, &pima.y_train}, options);
  ASSERT_FALSE(failure.ok());
  EXPECT_THAT(failure.status().message(), HasSubstr("epoch 1, batch 2"));

  options.non_finite_loss = NonFiniteLossPolicy::kSkipBatch;
  Compiled skipping = Compile(7);
  auto history = Fit(*skipping.model, skipping.loss, *skipping.optimizer, {},
                     {&poisoned, &pima.y_train}, options);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  EXPECT_EQ(history->epochs[0].skipped_batches, 1);
  EXPECT_EQ(history->epochs[1].skipped_batches, 1);
  for (const Parameter* parameter : skipping.model->parameters()) {
    for (float value : parameter->value.values()) ASSERT_TRUE(std::isfinite(value));
  }
}

TEST(TrainerTest, ClassWeightsChangeWhatIsLearnedAndMissingClassesWeighOne) {
  DatasetSplit pima = LoadPimaSplit();
  FitOptions options;
  options.epochs = 20;
  // Keras: a class without a weight weighs 1, so {0: 1} trains as no weights.
  options.class_weights = {{0, 1.0}};
  Compiled partial = Compile(8), unweighted = Compile(8);
  ASSERT_TRUE(Fit(*partial.model, partial.loss, *partial.optimizer, {},
                  {&pima.x_train, &pima.y_train}, options)
                  .ok());
  FitOptions plain = options;
  plain.class_weights.clear();
  ASSERT_TRUE(Fit(*unweighted.model, unweighted.loss, *unweighted.optimizer, {},
                  {&pima.x_train, &pima.y_train}, plain)
                  .ok());
  EXPECT_TRUE(Weights(*partial.model) == Weights(*unweighted.model));

  // With the positive class weighted 0, only "not diabetic" is ever rewarded.
  options.class_weights = {{0, 1.0}, {1, 0.0}};
  Compiled ignoring_positives = Compile(8);
  ASSERT_TRUE(Fit(*ignoring_positives.model, ignoring_positives.loss, *ignoring_positives.optimizer,
                  {}, {&pima.x_train, &pima.y_train}, options)
                  .ok());
  Matrix predictions;
  ASSERT_TRUE(ignoring_positives.model->Predict(pima.x_test, &predictions).ok());
  for (float probability : predictions.values()) EXPECT_LT(probability, 0.5f);
}

TEST(TrainerTest, BadArgumentsAreNamed) {
  DatasetSplit pima = LoadPimaSplit();
  Compiled compiled = Compile(9);
  auto fit = [&](FitOptions options, std::vector<std::string> metrics = {},
                 TrainingData data = {}) {
    if (data.features == nullptr) data = {&pima.x_train, &pima.y_train};
    return Fit(*compiled.model, compiled.loss, *compiled.optimizer, metrics, data, options)
        .status()
        .message();
  };
  EXPECT_THAT(fit(FitOptions{.epochs = 0}), HasSubstr("epochs must be at least 1"));
  EXPECT_THAT(fit(FitOptions{.validation_split = 1.0}), HasSubstr("validation_split"));
  EXPECT_THAT(fit(FitOptions{}, {"accuracyy"}), HasSubstr("accuracyy"));
  EXPECT_THAT(fit(FitOptions{}, {}, {&pima.x_train, &pima.y_test}),
              HasSubstr("614 feature rows but 154 target rows"));
  EXPECT_THAT(fit(FitOptions{}, {}, {&pima.y_train, &pima.y_train}),
              HasSubstr("the model takes 8 features, the data has 1"));
  FitOptions bad_monitor;
  bad_monitor.early_stopping = EarlyStoppingOptions{.monitor = "val_los"};
  bad_monitor.validation_split = 0.2;
  EXPECT_THAT(fit(bad_monitor), HasSubstr("'val_los' is not in the history"));
}

// The default monitor val_loss without validation rows failed after the
// first epoch; it is refused before any training.
TEST(TrainerTest, AMonitorTheHistoryWillNotHaveIsRefusedBeforeTheFirstBatch) {
  DatasetSplit pima = LoadPimaSplit();
  Compiled compiled = Compile(9);
  FitOptions options;
  options.early_stopping = EarlyStoppingOptions{};
  CancelAfter observer(1000);
  auto history = Fit(*compiled.model, compiled.loss, *compiled.optimizer, {"accuracy"},
                     {&pima.x_train, &pima.y_train}, options, &observer);
  ASSERT_FALSE(history.ok());
  EXPECT_EQ(history.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(history.status().message(),
              AllOf(HasSubstr("'val_loss' is not in the history (available: loss, accuracy)"),
                    HasSubstr("validation_split > 0")));
  EXPECT_EQ(observer.batches_seen, 0);
}

// Dense(1, sigmoid) on two features with kernel [[10], [-20]] and bias 0.
std::unique_ptr<Sequential> SaturatedSigmoid() {
  NetworkSpec spec;
  spec.layers.push_back(DenseSpec{.name = "dense", .units = 1, .activation = "sigmoid"});
  auto model = Sequential::Create(spec, 2, 1);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  (*model)->parameters()[0]->value(0, 0) = 10.0f;
  (*model)->parameters()[0]->value(1, 0) = -20.0f;
  (*model)->parameters()[1]->value(0, 0) = 0.0f;
  return std::move(*model);
}

// Evaluate computes the loss as training does, from the logits, not from
// probabilities clipped to [1e-7, 1 - 1e-7] (which caps a wrong row at 16.1).
TEST(TrainerTest, EvaluateUsesTheFusedLossOfTrainingForSaturatedOutputs) {
  std::unique_ptr<Sequential> model = SaturatedSigmoid();
  auto loss = Loss::Create({.kind = LossKind::kBinaryCrossentropy});
  ASSERT_TRUE(loss.ok());
  // Logits 50, -60, -60: every row confidently wrong.
  Matrix features(3, 2), targets(3, 1);
  const float rows[3][3] = {{5, 0, 0}, {0, 3, 1}, {-4, 1, 1}};
  for (size_t row = 0; row < 3; ++row) {
    features(row, 0) = rows[row][0];
    features(row, 1) = rows[row][1];
    targets(row, 0) = rows[row][2];
  }
  auto evaluation = Evaluate(*model, *loss, {}, {&features, &targets});
  ASSERT_TRUE(evaluation.ok()) << evaluation.status().ToString();
  // Keras 3.15 (TensorFlow backend) model.evaluate on the same model and rows
  // gives 56.66666793823242: the loss from the logits, (50 + 60 + 60) / 3.
  EXPECT_NEAR(evaluation->at("loss"), 170.0 / 3.0, 1e-4);

  // The same figure as a training step's loss on those rows (lr 0: no update).
  auto optimizer = MakeOptimizer("sgd", {{"learning_rate", 0.0}});
  ASSERT_TRUE(optimizer.ok());
  auto step = model->TrainStep(features, targets, {}, *loss, **optimizer);
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  EXPECT_FLOAT_EQ(static_cast<float>(evaluation->at("loss")), step->loss);
}

// The epoch at which keras.callbacks.EarlyStopping in "max" mode stops on
// `key` with min_delta 0, replayed over a finished history.
std::optional<int> MaxModeStop(const History& history, const std::string& key, int patience) {
  std::optional<double> best;
  int wait = 0;
  for (const EpochLog& log : history.epochs) {
    const double value = log.values.at(key);
    if (!best || value > *best) {
      best = value;
      wait = 0;
    } else if (++wait >= patience && log.epoch > 0) {
      return log.epoch;
    }
  }
  return std::nullopt;
}

// Metric names match in any case ("AUC"), and history keys keep the caller's
// spelling ("val_AUC"): early stopping must still see that AUC is maximized.
TEST(TrainerTest, EarlyStoppingMaximizesMetricsWrittenInAnyCase) {
  DatasetSplit pima = LoadPimaSplit();
  for (const std::string metric : {"AUC", "Accuracy", "Precision"}) {
    Compiled compiled = Compile(3);
    FitOptions options;
    options.epochs = 6;
    options.validation_split = 0.2;
    options.early_stopping = EarlyStoppingOptions{.monitor = "val_" + metric, .patience = 1};
    auto history = Fit(*compiled.model, compiled.loss, *compiled.optimizer, {metric},
                       {&pima.x_train, &pima.y_train}, options);
    ASSERT_TRUE(history.ok()) << history.status().ToString();
    ASSERT_GE(history->epochs.size(), 2u) << metric;
    // Learning improves the metric after the first epoch: minimizing it would stop there.
    ASSERT_GT(history->epochs[1].values.at("val_" + metric),
              history->epochs[0].values.at("val_" + metric))
        << metric;
    EXPECT_EQ(history->stopped_epoch, MaxModeStop(*history, "val_" + metric, 1)) << metric;
  }
}

}  // namespace
}  // namespace modelhost::nn
