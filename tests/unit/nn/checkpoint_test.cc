#include "nn/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "nn/random_generator.h"
#include "nn/sgd.h"
#include "nn/trainer.h"
#include "nn/weights_file.h"

namespace modelhost::nn {
namespace {

using ::testing::HasSubstr;

// Dense → BatchNormalization → Dense: the moving statistics are
// non-trainable parameters a checkpoint must carry too.
NetworkSpec BatchNormSpec(int units = 6) {
  auto spec = ParseNetworkSpec(R"({"input_dim": 5, "layers": [{"dense": )" + std::to_string(units) +
                               R"(, "activation": "relu"}, {"batch_normalization": {}},
      {"dense": 1, "activation": "sigmoid"}]})");
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return *spec;
}

struct Data {
  Matrix features{40, 5};
  Matrix targets{40, 1};
};

Data RandomData() {
  Data data;
  RandomGenerator generator(11);
  for (size_t row = 0; row < data.features.rows(); ++row) {
    float sum = 0.0f;
    for (size_t column = 0; column < data.features.cols(); ++column) {
      data.features(row, column) = static_cast<float>(generator.NextNormal());
      sum += data.features(row, column) * static_cast<float>(column + 1);
    }
    data.targets(row, 0) = sum > 0.0f ? 1.0f : 0.0f;
  }
  return data;
}

struct Training {
  std::unique_ptr<Sequential> model;
  std::unique_ptr<Optimizer> optimizer;
  Loss loss;
};

Training MakeTraining(const std::string& optimizer, const OptimizerConfig& config = {},
                      const NetworkSpec& spec = BatchNormSpec()) {
  auto model = Sequential::Create(spec, 5, 3);
  auto made = MakeOptimizer(optimizer, config);
  auto loss = Loss::Create({.kind = LossKind::kBinaryCrossentropy});
  EXPECT_TRUE(model.ok() && made.ok() && loss.ok());
  return Training{std::move(*model), std::move(*made), *loss};
}

core::Result<History> FitTraining(Training& run, const Data& data, FitOptions options) {
  options.batch_size = 8;
  options.seed = 5;
  options.validation_split = 0.25;
  return Fit(*run.model, run.loss, *run.optimizer, {"accuracy"}, {&data.features, &data.targets},
             options);
}

std::vector<Matrix> Weights(const Sequential& model) {
  std::vector<Matrix> weights;
  for (const Parameter* parameter : model.parameters()) weights.push_back(parameter->value);
  return weights;
}

void ExpectBitIdentical(const std::vector<Matrix>& a, const std::vector<Matrix>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t index = 0; index < a.size(); ++index) {
    ASSERT_EQ(a[index].size(), b[index].size());
    EXPECT_EQ(0, std::memcmp(a[index].data(), b[index].data(), a[index].size() * sizeof(float)))
        << "parameter " << index;
  }
}

void ExpectSameHistory(const History& a, const History& b) {
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (size_t epoch = 0; epoch < a.epochs.size(); ++epoch) {
    EXPECT_EQ(a.epochs[epoch].epoch, b.epochs[epoch].epoch);
    EXPECT_EQ(a.epochs[epoch].values, b.epochs[epoch].values) << "epoch " << epoch;
    EXPECT_EQ(a.epochs[epoch].skipped_batches, b.epochs[epoch].skipped_batches);
  }
  EXPECT_EQ(a.stopped_epoch, b.stopped_epoch);
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("checkpoint_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::string Path(const std::string& name) const { return (directory_ / name).string(); }

  // Trains 3 epochs with an "adam" checkpoint at `path`.
  void WriteAdamCheckpoint(const std::string& path, const OptimizerConfig& config = {}) {
    Training run = MakeTraining("adam", config);
    FitOptions options;
    options.epochs = 3;
    options.checkpoint_every = 3;
    options.checkpoint_path = path;
    ASSERT_TRUE(FitTraining(run, data_, options).ok());
  }

  // Resuming `run` from `path` fails, leaving the model as it was.
  core::Status ResumeFails(Training& run, const std::string& path) {
    const std::vector<Matrix> before = Weights(*run.model);
    FitOptions options;
    options.epochs = 6;
    options.resume_from = path;
    auto history = FitTraining(run, data_, options);
    EXPECT_FALSE(history.ok());
    ExpectBitIdentical(before, Weights(*run.model));
    EXPECT_EQ(run.optimizer->iterations(), 0);
    return history.ok() ? core::OkStatus() : history.status();
  }

  std::filesystem::path directory_;
  Data data_ = RandomData();
};

struct OptimizerCase {
  std::string name;
  OptimizerConfig config;
};

class CheckpointResumeTest : public CheckpointTest,
                             public ::testing::WithParamInterface<OptimizerCase> {};

TEST_P(CheckpointResumeTest, ResumedRunIsBitIdenticalToUninterruptedOne) {
  Training straight = MakeTraining(GetParam().name, GetParam().config);
  FitOptions options;
  options.epochs = 6;
  auto full = FitTraining(straight, data_, options);
  ASSERT_TRUE(full.ok()) << full.status().ToString();

  Training first = MakeTraining(GetParam().name, GetParam().config);
  options.epochs = 3;
  options.checkpoint_every = 3;
  options.checkpoint_path = Path("ckpt.safetensors");
  auto head = FitTraining(first, data_, options);
  ASSERT_TRUE(head.ok()) << head.status().ToString();

  Training resumed = MakeTraining(GetParam().name, GetParam().config);
  FitOptions resume;
  resume.epochs = 6;
  resume.resume_from = Path("ckpt.safetensors");
  auto tail = FitTraining(resumed, data_, resume);
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();

  ExpectSameHistory(*full, *tail);
  ExpectBitIdentical(Weights(*straight.model), Weights(*resumed.model));
  EXPECT_EQ(straight.optimizer->iterations(), resumed.optimizer->iterations());
}

INSTANTIATE_TEST_SUITE_P(
    Optimizers, CheckpointResumeTest,
    ::testing::Values(OptimizerCase{"adam", {}}, OptimizerCase{"adam", {{"amsgrad", true}}},
                      OptimizerCase{"sgd", {{"momentum", 0.9}}},
                      OptimizerCase{"rmsprop", {{"centered", true}, {"momentum", 0.5}}},
                      OptimizerCase{"adagrad", {}}),
    [](const auto& info) { return info.param.name + std::to_string(info.index); });

TEST_F(CheckpointTest, EarlyStoppingStateSurvivesAResume) {
  FitOptions options;
  options.epochs = 12;
  options.early_stopping = EarlyStoppingOptions{
      .monitor = "val_loss", .patience = 1, .min_delta = 0.02, .restore_best_weights = true};
  Training straight = MakeTraining("adam", {{"learning_rate", 0.05}});
  auto full = FitTraining(straight, data_, options);
  ASSERT_TRUE(full.ok());
  // Stopping must come after the checkpoint for the test to mean something.
  ASSERT_TRUE(full->stopped_epoch.has_value());
  EXPECT_GE(*full->stopped_epoch, 2) << full->epochs.size();

  Training first = MakeTraining("adam", {{"learning_rate", 0.05}});
  FitOptions head = options;
  head.epochs = 2;
  head.checkpoint_every = 2;
  head.checkpoint_path = Path("ckpt");
  ASSERT_TRUE(FitTraining(first, data_, head).ok());
  Training resumed = MakeTraining("adam", {{"learning_rate", 0.05}});
  FitOptions tail = options;
  tail.resume_from = Path("ckpt");
  auto rest = FitTraining(resumed, data_, tail);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  ExpectSameHistory(*full, *rest);
  ExpectBitIdentical(Weights(*straight.model), Weights(*resumed.model));
}

// A checkpoint written when early stopping ended training holds that epoch's
// weights; resuming from it ends training again, putting back the best ones.
TEST_F(CheckpointTest, ResumingAStoppedRunRestoresItsBestWeights) {
  FitOptions options;
  options.epochs = 12;
  options.early_stopping = EarlyStoppingOptions{
      .monitor = "val_loss", .patience = 1, .min_delta = 0.02, .restore_best_weights = true};
  options.checkpoint_every = 1;
  options.checkpoint_path = Path("ckpt");
  Training straight = MakeTraining("adam", {{"learning_rate", 0.05}});
  auto full = FitTraining(straight, data_, options);
  ASSERT_TRUE(full.ok());
  ASSERT_TRUE(full->stopped_epoch.has_value());

  Training resumed = MakeTraining("adam", {{"learning_rate", 0.05}});
  FitOptions again = options;
  again.checkpoint_every = 0;
  again.resume_from = Path("ckpt");
  auto rest = FitTraining(resumed, data_, again);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  ExpectSameHistory(*full, *rest);
  ExpectBitIdentical(Weights(*straight.model), Weights(*resumed.model));
}

TEST_F(CheckpointTest, CheckpointAtOrPastEpochsReturnsItsHistoryUnchanged) {
  WriteAdamCheckpoint(Path("ckpt"));
  Training run = MakeTraining("adam");
  FitOptions options;
  options.epochs = 2;
  options.resume_from = Path("ckpt");
  auto history = FitTraining(run, data_, options);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  EXPECT_EQ(history->epochs.size(), 3u);
  EXPECT_GT(run.optimizer->iterations(), 0);  // the checkpoint's state was loaded
}

TEST_F(CheckpointTest, CheckpointHoldsOptimizerStateAndMetadata) {
  WriteAdamCheckpoint(Path("ckpt"), {{"amsgrad", true}});
  auto contents = ReadWeightsFile(Path("ckpt"));
  ASSERT_TRUE(contents.ok());
  EXPECT_EQ(contents->metadata.at("format"), "modelhost.checkpoint");
  EXPECT_EQ(contents->metadata.at("optimizer"), "Adam");
  EXPECT_EQ(contents->metadata.at("epochs_completed"), "3");
  EXPECT_EQ(contents->metadata.at("optimizer_iterations"), "12");  // 30 rows / 8 → 4 a epoch
  std::vector<std::string> names;
  for (const NamedTensor& tensor : contents->tensors) names.push_back(tensor.name);
  EXPECT_THAT(names, ::testing::IsSupersetOf({"optimizer/0/m", "optimizer/0/v", "optimizer/0/vhat",
                                              "batch_normalization/moving_mean", "dense/kernel"}));
  // Moving statistics are not trained: no optimizer state for them.
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("optimizer/4/m")));
}

TEST_F(CheckpointTest, MissingFileIsNotFoundNamingIt) {
  Training run = MakeTraining("adam");
  core::Status status = ResumeFails(run, Path("nope"));
  EXPECT_EQ(status.code(), core::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(Path("nope")));
}

TEST_F(CheckpointTest, CorruptFileIsDataLossNamingIt) {
  WriteAdamCheckpoint(Path("ckpt"));
  std::filesystem::resize_file(Path("ckpt"), std::filesystem::file_size(Path("ckpt")) - 7);
  Training run = MakeTraining("adam");
  core::Status status = ResumeFails(run, Path("ckpt"));
  EXPECT_EQ(status.code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr(Path("ckpt")));
}

TEST_F(CheckpointTest, PlainWeightsFileIsNotACheckpoint) {
  Training source = MakeTraining("adam");
  ASSERT_TRUE(WriteWeightsFile(Path("weights"), source.model->parameters()).ok());
  Training run = MakeTraining("adam");
  core::Status status = ResumeFails(run, Path("weights"));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("not a training checkpoint"));
}

TEST_F(CheckpointTest, OtherOptimizerKindNamesBoth) {
  WriteAdamCheckpoint(Path("ckpt"));
  Training run = MakeTraining("sgd", {{"momentum", 0.9}});
  core::Status status = ResumeFails(run, Path("ckpt"));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr(Path("ckpt")));
  EXPECT_THAT(status.message(), HasSubstr("Adam"));
  EXPECT_THAT(status.message(), HasSubstr("SGD"));
}

TEST_F(CheckpointTest, OtherOptimizerOptionsNameTheMissingSlot) {
  WriteAdamCheckpoint(Path("ckpt"));
  Training run = MakeTraining("adam", {{"amsgrad", true}});
  core::Status status = ResumeFails(run, Path("ckpt"));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("\"0/vhat\""));
}

TEST_F(CheckpointTest, OtherNetworkNamesTheLayer) {
  WriteAdamCheckpoint(Path("ckpt"));
  Training run = MakeTraining("adam", {}, BatchNormSpec(7));
  core::Status status = ResumeFails(run, Path("ckpt"));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("layer 0 is \"dense\""));
}

// Rewrites the checkpoint with tensor `name` replaced by a 1×1 one.
void ShrinkTensor(const std::string& path, const std::string& name) {
  auto contents = ReadWeightsFile(path);
  ASSERT_TRUE(contents.ok());
  std::vector<Parameter> parameters;
  for (NamedTensor& tensor : contents->tensors) {
    parameters.push_back(
        {tensor.name, tensor.name == name ? Matrix(1, 1) : tensor.value, Matrix(), true});
  }
  std::vector<Parameter*> pointers;
  for (Parameter& parameter : parameters) pointers.push_back(&parameter);
  ASSERT_TRUE(WriteWeightsFile(path, pointers, contents->metadata).ok());
}

TEST_F(CheckpointTest, ModelTensorOfAnotherShapeIsNamed) {
  WriteAdamCheckpoint(Path("ckpt"));
  ShrinkTensor(Path("ckpt"), "dense_1/kernel");
  Training run = MakeTraining("adam");
  core::Status status = ResumeFails(run, Path("ckpt"));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("\"dense_1/kernel\" has shape [1, 1]"));
}

TEST_F(CheckpointTest, OptimizerTensorOfAnotherShapeIsNamed) {
  WriteAdamCheckpoint(Path("ckpt"));
  ShrinkTensor(Path("ckpt"), "optimizer/0/v");
  Training run = MakeTraining("adam");
  core::Status status = ResumeFails(run, Path("ckpt"));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr(Path("ckpt")));
  EXPECT_THAT(status.message(), HasSubstr("\"0/v\" has shape [1, 1]"));
}

TEST_F(CheckpointTest, BadCheckpointOptionsAreRejected) {
  Training run = MakeTraining("adam");
  FitOptions options;
  options.checkpoint_every = -1;
  EXPECT_THAT(FitTraining(run, data_, options).status().message(), HasSubstr("checkpoint_every"));
  options.checkpoint_every = 2;
  EXPECT_THAT(FitTraining(run, data_, options).status().message(), HasSubstr("checkpoint_path"));
}

TEST(OptimizerStateTest, ImportRejectsUnexpectedTensorAndKeepsState) {
  auto sgd = Sgd::Create({.momentum = 0.0});
  ASSERT_TRUE(sgd.ok());
  Parameter parameter{"p", Matrix(1, 2), Matrix(1, 2)};
  std::vector<Parameter*> list = {&parameter};
  Matrix extra(1, 2);
  core::Status status = (*sgd)->ImportState(list, 3, {{"0/velocity", &extra}});
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("\"0/velocity\" matches no state"));
  EXPECT_EQ((*sgd)->iterations(), 0);
  EXPECT_TRUE((*sgd)->ImportState(list, 3, {}).ok());
  EXPECT_EQ((*sgd)->iterations(), 3);
}

}  // namespace
}  // namespace modelhost::nn
