// TrainingRun: one training of a network on a table — the core that
// `modelhost train` and the server's training jobs (training_jobs.h) share, so
// that the same request gives the same model bit for bit wherever it runs:
//
//   table → test rows held out (the last ones) → the data pipeline fitted on
//   the rest (model::FitPipelineForTraining), or its numeric columns as they
//   are → the network from its spec, or DefaultNetwork → nn::Fit (validation:
//   the last rows of what is left, as Keras takes them) → loss and metrics of
//   the final weights on the validation and test rows → a model directory.
//
// Thread-safety: a TrainingRun belongs to one thread at a time.

#ifndef MODELHOST_JOBS_TRAINING_RUN_H_
#define MODELHOST_JOBS_TRAINING_RUN_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "data/pipeline.h"
#include "data/table.h"
#include "model/input_schema.h"
#include "model/model_directory.h"
#include "nn/loss.h"
#include "nn/matrix.h"
#include "nn/network_spec.h"
#include "nn/optimizer.h"
#include "nn/sequential.h"
#include "nn/trainer.h"

namespace modelhost::jobs {

// What to train — everything but the data — in native types.
struct TrainingSetup {
  // The column to predict. Required.
  std::string target;
  // A data pipeline, fitted on the training rows and kept in the model.
  // Default none: the table's numeric, complete columns are the features.
  std::optional<data::Pipeline> pipeline;
  // How errors name the pipeline (a file name, a request field). Default "pipeline".
  std::string pipeline_source = "pipeline";
  // The network. Default none: DefaultNetwork(target).
  std::optional<nn::NetworkSpec> network;
  // How errors name the network spec. Default "model".
  std::string network_source = "model";
  // Default none: model::DefaultLoss of the target (a two-class target with a
  // network of two outputs trains as sparse categorical cross-entropy).
  std::optional<nn::LossKind> loss;
  // A Keras optimizer name and config (nn::MakeOptimizer). Default "adam", {}.
  std::string optimizer = "adam";
  nn::OptimizerConfig optimizer_config;
  // Keras metric names. Default empty: "accuracy" for a class target, "mae"
  // for a number.
  std::vector<std::string> metrics;
  // Epochs, batch size, shuffling, seed (which also seeds the initial
  // weights), validation split, class weights, early stopping. The
  // checkpoint fields are ignored: Train takes them.
  nn::FitOptions fit;
  // Fraction of rows, the last ones, held out before anything is fitted and
  // evaluated once at the end. Default 0 (none). REQUIRES: in [0, 1).
  double test_split = 0.0;
};

// Checkpointing of one Train call (nn/checkpoint.h).
struct CheckpointOptions {
  // Write a checkpoint to `path` every this many epochs. Default 0: none.
  int every = 0;
  std::string path;
  // Continue from the checkpoint at `path`. Default false.
  bool resume = false;
};

// What Train produced besides the trained weights.
struct TrainingOutcome {
  nn::History history;
  // "loss" and each metric of the final weights on the validation rows; empty
  // when there are none.
  std::map<std::string, double> validation;
  // The same on the test rows; empty when there are none.
  std::map<std::string, double> test;
};

// Dense 10 relu, Dense 10 relu, then the output layer `target` needs (1
// sigmoid unit for two classes, k softmax units for k classes, 1 linear unit
// for a number) — the default network of `modelhost train`.
nn::NetworkSpec DefaultNetwork(const model::TargetSchema& target);

class TrainingRun {
 public:
  // Checks `setup` against `table` and builds what training needs: the
  // schema, the fitted pipeline, the matrices, the network with its initial
  // weights, the optimizer and the loss. Errors (InvalidArgument unless said
  // otherwise), prefixed with the pipeline's or network's source where they
  // come from one: no target column (NotFound); the schema's and pipeline's
  // errors; a network whose outputs do not fit the target; an unknown
  // optimizer, loss or metric; a test split that leaves no row.
  static core::Result<std::unique_ptr<TrainingRun>> Prepare(const data::Table& table,
                                                            const TrainingSetup& setup);

  // Everything model.json will say. The caller fills the lineage of the data
  // (training.data_file, training.data_sha256) before WriteModel.
  model::ModelDescription& description() { return description_; }
  // Rows given to Fit (its validation rows included).
  size_t training_rows() const { return features_.rows(); }
  size_t test_rows() const { return test_features_.rows(); }

  // Trains (nn::Fit with the setup's options and `checkpoint`), reporting to
  // `observer` (may be null; it may cancel), then evaluates the final
  // weights. A cancelled run returns its history with `cancelled` set and no
  // evaluation. Errors: nn::Fit's and nn::Evaluate's.
  core::Result<TrainingOutcome> Train(nn::TrainingObserver* observer,
                                      const CheckpointOptions& checkpoint = {});

  // Writes the trained model as the model directory `path`
  // (model::ModelDirectory::Write), with the history of Train and the time
  // now as created_at. REQUIRES: Train succeeded and was not cancelled.
  core::Status WriteModel(const std::string& path);

 private:
  struct PrivateTag {};

 public:
  explicit TrainingRun(PrivateTag) {}

 private:
  core::Status BuildInputs(const data::Table& table, const TrainingSetup& setup,
                           std::optional<nn::LossKind> loss);
  core::Status BuildTestInputs(const data::Table& table);

  model::ModelDescription description_;
  nn::FitOptions fit_;
  std::unique_ptr<nn::Sequential> network_;
  std::unique_ptr<nn::Optimizer> optimizer_;
  std::optional<nn::Loss> loss_;
  nn::Matrix features_;
  nn::Matrix targets_;
  nn::Matrix test_features_;
  nn::Matrix test_targets_;
};

}  // namespace modelhost::jobs

#endif  // MODELHOST_JOBS_TRAINING_RUN_H_
