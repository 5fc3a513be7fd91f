#include "jobs/training_job_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace modelhost::jobs {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Json = nlohmann::json;

Json Minimal() { return {{"dataset", "pima"}, {"target", "diabetes"}, {"register_as", "pima"}}; }

// The message of parsing `spec`, which must fail with InvalidArgument.
std::string ErrorOf(const Json& spec) {
  auto parsed = ParseTrainingJobSpec(spec.dump());
  EXPECT_FALSE(parsed.ok()) << spec.dump();
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), core::StatusCode::kInvalidArgument);
  return parsed.status().message();
}

Json With(const std::string& key, Json value) {
  Json spec = Minimal();
  spec[key] = std::move(value);
  return spec;
}

TEST(TrainingJobSpecTest, AMinimalRequestTakesTheDefaultsOfModelhostTrain) {
  auto spec = ParseTrainingJobSpec(Minimal().dump());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->dataset, "pima");
  EXPECT_EQ(spec->register_as, "pima");
  EXPECT_EQ(spec->setup.target, "diabetes");
  EXPECT_EQ(spec->setup.fit.epochs, 10);
  EXPECT_EQ(spec->setup.fit.batch_size, 32u);
  EXPECT_EQ(spec->setup.optimizer, "adam");
  EXPECT_FALSE(spec->setup.pipeline.has_value());
  EXPECT_FALSE(spec->setup.network.has_value());
  EXPECT_EQ(spec->checkpoint_every, 0);
}

TEST(TrainingJobSpecTest, EveryPartIsRead) {
  Json spec = Minimal();
  spec["pipeline"] = {{"steps", {{{"op", "standardize"}, {"columns", {"glucose"}}}}}};
  spec["model"] = {
      {"layers",
       {{{"dense", 4}, {"activation", "relu"}}, {{"dense", 1}, {"activation", "sigmoid"}}}}};
  spec["compile"] = {{"loss", "binary_crossentropy"},
                     {"optimizer", {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.1}}}}},
                     {"metrics", {"accuracy", "auc"}}};
  spec["fit"] = {{"epochs", 3},
                 {"batch_size", 16},
                 {"shuffle", false},
                 {"seed", 42},
                 {"validation_split", 0.2},
                 {"test_split", 0.1},
                 {"checkpoint_every", 2},
                 {"class_weight", {{"0", 1.0}, {"1", 2.0}}},
                 {"early_stopping", {{"monitor", "val_loss"}, {"patience", 2}}}};
  auto parsed = ParseTrainingJobSpec(spec.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const TrainingSetup& setup = parsed->setup;
  EXPECT_TRUE(setup.pipeline.has_value());
  ASSERT_TRUE(setup.network.has_value());
  EXPECT_EQ(setup.network->layers.size(), 2u);
  EXPECT_EQ(setup.loss, nn::LossKind::kBinaryCrossentropy);
  EXPECT_EQ(setup.optimizer, "SGD");
  EXPECT_EQ(std::get<double>(setup.optimizer_config.at("learning_rate")), 0.1);
  EXPECT_EQ(setup.metrics, (std::vector<std::string>{"accuracy", "auc"}));
  EXPECT_EQ(setup.fit.epochs, 3);
  EXPECT_EQ(setup.fit.batch_size, 16u);
  EXPECT_FALSE(setup.fit.shuffle);
  EXPECT_EQ(setup.fit.seed, 42u);
  EXPECT_EQ(setup.fit.validation_split, 0.2);
  EXPECT_EQ(setup.test_split, 0.1);
  EXPECT_EQ(parsed->checkpoint_every, 2);
  EXPECT_EQ(setup.fit.class_weights.at(1), 2.0);
  ASSERT_TRUE(setup.fit.early_stopping.has_value());
  EXPECT_EQ(setup.fit.early_stopping->patience, 2);
}

TEST(TrainingJobSpecTest, ErrorsNameTheField) {
  EXPECT_THAT(ErrorOf(With("epochs", 3)), HasSubstr("unknown field 'epochs'"));
  Json missing = Minimal();
  missing.erase("target");
  EXPECT_THAT(ErrorOf(missing), StartsWith("target: is required"));
  EXPECT_THAT(ErrorOf(With("dataset", 7)), StartsWith("dataset: must be a string"));
  EXPECT_THAT(ErrorOf(With("register_as", "../etc")), StartsWith("register_as: "));
  EXPECT_THAT(ErrorOf(With("pipeline", {{"steps", {{{"op", "frobnicate"}}}}})),
              StartsWith("pipeline: "));
  EXPECT_THAT(ErrorOf(With("model", {{"layers", "dense"}})), StartsWith("model: "));
  EXPECT_THAT(ErrorOf(With("compile", {{"loss", "hinge_of_doom"}})), StartsWith("compile.loss: "));
  EXPECT_THAT(ErrorOf(With("compile", {{"optimizer", "adamant"}})),
              StartsWith("compile.optimizer: "));
  EXPECT_THAT(
      ErrorOf(With("compile",
                   {{"optimizer", {{"class_name", "Adam"}, {"config", {{"beta_1", "high"}}}}}})),
      HasSubstr("beta_1"));
  EXPECT_THAT(ErrorOf(With("compile", {{"metrics", {"accuracy", "vibes"}}})),
              StartsWith("compile.metrics[1]: "));
  EXPECT_THAT(ErrorOf(With("compile", {{"lr", 1}})), HasSubstr("unknown field 'compile.lr'"));
  EXPECT_THAT(ErrorOf(With("fit", {{"epochs", 0}})), StartsWith("fit.epochs: "));
  EXPECT_THAT(ErrorOf(With("fit", {{"epochs", 2.5}})),
              StartsWith("fit.epochs: must be an integer"));
  EXPECT_THAT(ErrorOf(With("fit", {{"batch_size", -1}})), StartsWith("fit.batch_size: "));
  EXPECT_THAT(ErrorOf(With("fit", {{"validation_split", 1}})),
              StartsWith("fit.validation_split: "));
  EXPECT_THAT(ErrorOf(With("fit", {{"validation_split", 0.6}, {"test_split", 0.5}})),
              StartsWith("fit.validation_split: "));
  EXPECT_THAT(ErrorOf(With("fit", {{"seed", -3}})), StartsWith("fit.seed: "));
  EXPECT_THAT(ErrorOf(With("fit", {{"class_weight", {{"one", 1}}}})),
              StartsWith("fit.class_weight.one: "));
  EXPECT_THAT(ErrorOf(With("fit", {{"early_stopping", {{"patience", "2"}}}})),
              StartsWith("fit.early_stopping.patience: "));
  EXPECT_THAT(ErrorOf(With("fit", {{"early_stop", true}})),
              HasSubstr("unknown field 'fit.early_stop'"));
}

// A monitor the history will not have failed the job after its first epoch;
// it is refused with the request (Keras would warn and never stop).
TEST(TrainingJobSpecTest, AnEarlyStoppingMonitorTheHistoryWillNotHaveIsRefused) {
  EXPECT_THAT(ErrorOf(With("fit", {{"early_stopping", Json::object()}})),
              AllOf(StartsWith("fit.early_stopping.monitor: "), HasSubstr("'val_loss'"),
                    HasSubstr("validation_split > 0")));
  Json spec = Minimal();
  spec["compile"] = {{"metrics", {"AUC"}}};
  spec["fit"] = {{"validation_split", 0.2}, {"early_stopping", {{"monitor", "val_auc"}}}};
  // History keys keep the metric's spelling.
  EXPECT_THAT(ErrorOf(spec), AllOf(StartsWith("fit.early_stopping.monitor: "),
                                   HasSubstr("(available: loss, val_loss, AUC, val_AUC)")));
  for (const char* monitor : {"val_AUC", "AUC", "loss", "val_loss"}) {
    spec["fit"]["early_stopping"]["monitor"] = monitor;
    auto parsed = ParseTrainingJobSpec(spec.dump());
    EXPECT_TRUE(parsed.ok()) << monitor << ": " << parsed.status().message();
  }
  spec["fit"].erase("validation_split");
  spec["fit"]["early_stopping"]["monitor"] = "AUC";
  EXPECT_TRUE(ParseTrainingJobSpec(spec.dump()).ok());
}

TEST(TrainingJobSpecTest, TextThatIsNoRequestIsRefusedWithoutThrowing) {
  for (const char* text : {"", "[1]", "{\"dataset\": ", "{\"fit\": {\"epochs\": 1e999}}"}) {
    auto parsed = ParseTrainingJobSpec(text);
    EXPECT_EQ(parsed.status().code(), core::StatusCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace modelhost::jobs
