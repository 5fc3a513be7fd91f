#include "jobs/training_run.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "core/utc_time.h"
#include "core/version.h"
#include "data/take_rows.h"
#include "model/model_inputs.h"
#include "nn/metric.h"

namespace modelhost::jobs {
namespace {

core::Status Prefixed(const std::string& source, const core::Status& status) {
  return core::Status(status.code(), source + ": " + status.message());
}

// Rows [begin, end) of `matrix`.
nn::Matrix RowRange(const nn::Matrix& matrix, size_t begin, size_t end) {
  nn::Matrix rows(end - begin, matrix.cols());
  std::copy(matrix.data() + begin * matrix.cols(), matrix.data() + end * matrix.cols(),
            rows.data());
  return rows;
}

// The targets of a pipeline's training-mode output, shaped as `target` needs.
nn::Matrix TargetMatrix(const data::FeatureMatrix& transformed, const model::TargetSchema& target) {
  const bool one_hot = target.encoding == model::TargetEncoding::kOneHot;
  const size_t classes = target.labels.size();
  nn::Matrix targets(transformed.rows, one_hot ? classes : 1);
  targets.SetZero();
  for (size_t row = 0; row < transformed.rows; ++row) {
    const float value = transformed.target[row];
    if (one_hot) {
      targets.data()[row * classes + static_cast<size_t>(value)] = 1.0f;
    } else {
      targets.data()[row] = value;
    }
  }
  return targets;
}

// Keras's validation split: floor(rows · (1 − split)) rows train (nn::Fit).
size_t TrainRowsOf(size_t rows, double split) {
  return static_cast<size_t>(std::floor(static_cast<double>(rows) * (1.0 - split)));
}

}  // namespace

nn::NetworkSpec DefaultNetwork(const model::TargetSchema& target) {
  nn::NetworkSpec spec;
  nn::DenseSpec hidden;
  hidden.units = 10;
  hidden.activation = "relu";
  hidden.name = "dense";
  spec.layers.push_back(hidden);
  hidden.name = "dense_1";
  spec.layers.push_back(hidden);
  nn::DenseSpec output;
  output.name = "dense_2";
  output.units = static_cast<int>(model::OutputWidth(target));
  switch (target.encoding) {
    case model::TargetEncoding::kBinary: output.activation = "sigmoid"; break;
    case model::TargetEncoding::kClassIndex:
    case model::TargetEncoding::kOneHot: output.activation = "softmax"; break;
    case model::TargetEncoding::kValue: output.activation = "linear"; break;
  }
  spec.layers.push_back(output);
  return spec;
}

core::Status TrainingRun::BuildInputs(const data::Table& table, const TrainingSetup& setup,
                                      std::optional<nn::LossKind> loss) {
  model::ModelDescription& description = description_;
  if (setup.pipeline) {
    auto set = model::FitPipelineForTraining(*setup.pipeline, table, setup.target, loss);
    if (!set.ok()) return Prefixed(setup.pipeline_source, set.status());
    description.schema = std::move(set->schema);
    description.pipeline = std::move(set->pipeline);
    features_ = std::move(set->features);
    targets_ = std::move(set->targets);
    return core::OkStatus();
  }
  MODELHOST_ASSIGN_OR_RETURN(description.schema,
                             model::InferInputSchema(table, setup.target, loss));
  MODELHOST_ASSIGN_OR_RETURN(features_, model::MakeFeatureMatrix(table, description.schema));
  MODELHOST_ASSIGN_OR_RETURN(targets_, model::MakeTargetMatrix(table, description.schema));
  return core::OkStatus();
}

core::Status TrainingRun::BuildTestInputs(const data::Table& test) {
  if (description_.pipeline) {
    auto transformed = description_.pipeline->Transform(test, data::TransformMode::kTraining);
    if (!transformed.ok()) return Prefixed("test rows", transformed.status());
    test_features_ = nn::Matrix(transformed->rows, transformed->cols);
    std::copy(transformed->values.begin(), transformed->values.end(), test_features_.data());
    test_targets_ = TargetMatrix(*transformed, description_.schema.target);
  } else {
    auto features = model::MakeFeatureMatrix(test, description_.schema);
    if (!features.ok()) return Prefixed("test rows", features.status());
    auto targets = model::MakeTargetMatrix(test, description_.schema);
    if (!targets.ok()) return Prefixed("test rows", targets.status());
    test_features_ = std::move(*features);
    test_targets_ = std::move(*targets);
  }
  if (test_features_.rows() == 0) return core::InvalidArgument("test rows: none is left");
  return core::OkStatus();
}

core::Result<std::unique_ptr<TrainingRun>> TrainingRun::Prepare(const data::Table& table,
                                                                const TrainingSetup& setup) {
  auto run = std::make_unique<TrainingRun>(PrivateTag{});
  model::ModelDescription& description = run->description_;
  if (!(setup.test_split >= 0.0 && setup.test_split < 1.0)) {
    return core::InvalidArgument("test_split must be in [0, 1)");
  }
  // The test rows never touch the pipeline's fit or the network.
  std::optional<data::Table> train_part;
  std::optional<data::Table> test_part;
  if (setup.test_split > 0.0) {
    const size_t train_rows = TrainRowsOf(table.num_rows(), setup.test_split);
    if (train_rows == 0 || train_rows == table.num_rows()) {
      return core::InvalidArgument("test_split " + std::to_string(setup.test_split) + " of " +
                                   std::to_string(table.num_rows()) +
                                   " rows leaves no training or no test row");
    }
    std::vector<size_t> rows(table.num_rows());
    std::iota(rows.begin(), rows.end(), size_t{0});
    MODELHOST_ASSIGN_OR_RETURN(train_part,
                               data::TakeRows(table, std::span(rows).first(train_rows)));
    MODELHOST_ASSIGN_OR_RETURN(test_part,
                               data::TakeRows(table, std::span(rows).subspan(train_rows)));
  }
  const data::Table& training_table = train_part ? *train_part : table;

  std::optional<nn::LossKind> loss = setup.loss;
  MODELHOST_RETURN_IF_ERROR(run->BuildInputs(training_table, setup, loss));
  description.network_spec =
      setup.network ? *setup.network : DefaultNetwork(description.schema.target);
  const size_t width = description.schema.features.size();
  auto network = nn::Sequential::Create(description.network_spec, width, setup.fit.seed);
  if (!network.ok()) {
    return Prefixed(setup.network ? setup.network_source : "default network", network.status());
  }
  run->network_ = std::move(network).value();
  // Two classes and a network of two outputs: train it as softmax over class indices.
  const size_t outputs = run->network_->output_width();
  if (!loss && description.schema.target.encoding == model::TargetEncoding::kBinary &&
      outputs == 2) {
    loss = nn::LossKind::kSparseCategoricalCrossentropy;
    MODELHOST_RETURN_IF_ERROR(run->BuildInputs(training_table, setup, loss));
  }
  if (outputs != model::OutputWidth(description.schema.target)) {
    return core::InvalidArgument(
        "the network has " + std::to_string(outputs) + " output(s) but target '" + setup.target +
        "' (" + std::string(model::ToString(description.schema.target.encoding)) + ") needs " +
        std::to_string(model::OutputWidth(description.schema.target)));
  }
  if (test_part) MODELHOST_RETURN_IF_ERROR(run->BuildTestInputs(*test_part));

  description.loss = loss.value_or(model::DefaultLoss(description.schema.target));
  description.metrics = setup.metrics;
  if (description.metrics.empty()) {
    bool classes = description.schema.target.encoding != model::TargetEncoding::kValue;
    description.metrics = {classes ? "accuracy" : "mae"};
  }
  MODELHOST_ASSIGN_OR_RETURN(run->optimizer_,
                             nn::MakeOptimizer(setup.optimizer, setup.optimizer_config));
  MODELHOST_ASSIGN_OR_RETURN(nn::Loss created, nn::Loss::Create({description.loss}));
  run->loss_.emplace(std::move(created));
  run->fit_ = setup.fit;
  run->fit_.checkpoint_every = 0;
  run->fit_.checkpoint_path.clear();
  run->fit_.resume_from.reset();

  model::TrainingRecord& training = description.training;
  training.optimizer = setup.optimizer;
  training.learning_rate = run->optimizer_->current_learning_rate();
  training.epochs = setup.fit.epochs;
  training.batch_size = setup.fit.batch_size;
  training.validation_split = setup.fit.validation_split;
  training.seed = setup.fit.seed;
  description.modelhost_version = std::string(core::ModelhostVersion());
  return run;
}

core::Result<TrainingOutcome> TrainingRun::Train(nn::TrainingObserver* observer,
                                                 const CheckpointOptions& checkpoint) {
  nn::FitOptions options = fit_;
  options.checkpoint_every = checkpoint.every;
  options.checkpoint_path = checkpoint.path;
  if (checkpoint.resume) options.resume_from = checkpoint.path;
  TrainingOutcome outcome;
  MODELHOST_ASSIGN_OR_RETURN(outcome.history,
                             nn::Fit(*network_, *loss_, *optimizer_, description_.metrics,
                                     {&features_, &targets_}, options, observer));
  description_.training.history = outcome.history.epochs;
  if (outcome.history.cancelled) return outcome;
  const size_t batch = options.batch_size;
  if (options.validation_split > 0.0) {
    const size_t train_rows = TrainRowsOf(features_.rows(), options.validation_split);
    nn::Matrix features = RowRange(features_, train_rows, features_.rows());
    nn::Matrix targets = RowRange(targets_, train_rows, targets_.rows());
    MODELHOST_ASSIGN_OR_RETURN(
        outcome.validation,
        nn::Evaluate(*network_, *loss_, description_.metrics, {&features, &targets}, batch));
  }
  if (test_features_.rows() > 0) {
    MODELHOST_ASSIGN_OR_RETURN(outcome.test,
                               nn::Evaluate(*network_, *loss_, description_.metrics,
                                            {&test_features_, &test_targets_}, batch));
  }
  description_.training.validation = outcome.validation;
  description_.training.test = outcome.test;
  return outcome;
}

core::Status TrainingRun::WriteModel(const std::string& path) {
  description_.created_at = core::UtcNowRfc3339();
  return model::ModelDirectory::Write(path, description_, *network_);
}

}  // namespace modelhost::jobs
