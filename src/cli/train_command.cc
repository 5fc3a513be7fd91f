#include "cli/train_command.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/cli_app.h"
#include "cli/table_file.h"
#include "cli/training_progress.h"
#include "core/file_reader.h"
#include "core/sha256.h"
#include "core/utc_time.h"
#include "core/version.h"
#include "data/pipeline.h"
#include "model/input_schema.h"
#include "model/model_directory.h"
#include "model/model_inputs.h"
#include "nn/compute_threads.h"
#include "nn/loss.h"
#include "nn/metric.h"
#include "nn/network_spec.h"
#include "nn/optimizer.h"
#include "nn/sequential.h"
#include "nn/trainer.h"

namespace modelhost::cli {
namespace {

int Fail(int exit_code, const std::string& message) {
  std::cerr << "modelhost train: " << message << "\n";
  return exit_code;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// Dense 10 relu, Dense 10 relu, then the output layer the target needs.
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

// The options that can be checked before any data is read; a usage error.
core::Status ValidateOptions(const TrainOptions& options) {
  if (options.epochs < 1) return core::InvalidArgument("--epochs must be at least 1");
  if (options.batch_size < 1) return core::InvalidArgument("--batch-size must be at least 1");
  if (options.compute_threads < 1 || options.compute_threads > nn::kMaxComputeThreads) {
    return core::InvalidArgument("--compute-threads must be in [1, " +
                                 std::to_string(nn::kMaxComputeThreads) + "]");
  }
  if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
    return core::InvalidArgument("--validation-split must be in [0, 1)");
  }
  if (!options.loss.empty()) MODELHOST_RETURN_IF_ERROR(nn::ParseLoss(options.loss).status());
  for (const std::string& metric : SplitList(options.metrics)) {
    // Shapes are unknown yet; accuracy and f1 resolve against them later.
    MODELHOST_RETURN_IF_ERROR(nn::ParseMetricName(metric).status());
  }
  nn::OptimizerConfig config;
  if (options.learning_rate) config["learning_rate"] = *options.learning_rate;
  MODELHOST_RETURN_IF_ERROR(nn::MakeOptimizer(options.optimizer, config).status());
  std::error_code error;
  std::filesystem::path out(options.out_dir);
  if (std::filesystem::exists(out, error) &&
      (!std::filesystem::is_directory(out, error) || !std::filesystem::is_empty(out, error))) {
    return core::AlreadyExists("--out " + options.out_dir +
                               " exists and is not an empty directory");
  }
  return core::OkStatus();
}

struct Prepared {
  model::ModelDescription description;
  std::unique_ptr<nn::Sequential> network;
  nn::Matrix features;
  nn::Matrix targets;
};

// Reads the data and the network and builds everything Fit needs.
core::Result<Prepared> Prepare(const TrainOptions& options) {
  Prepared prepared;
  model::ModelDescription& description = prepared.description;
  MODELHOST_ASSIGN_OR_RETURN(data::Table table, ReadTableFile(options.data_file));
  MODELHOST_ASSIGN_OR_RETURN(description.training.data_sha256,
                             core::Sha256OfFile(options.data_file));

  std::optional<nn::LossKind> loss;
  if (!options.loss.empty()) {
    MODELHOST_ASSIGN_OR_RETURN(loss, nn::ParseLoss(options.loss));
  }
  std::optional<data::Pipeline> pipeline;
  if (!options.pipeline_file.empty()) {
    MODELHOST_ASSIGN_OR_RETURN(std::string text, core::ReadFileToString(options.pipeline_file));
    auto parsed = data::Pipeline::FromJson(text);
    if (!parsed.ok()) {
      return core::InvalidArgument(options.pipeline_file + ": " + parsed.status().message());
    }
    pipeline = std::move(parsed).value();
  }
  // The schema, the fitted pipeline if any, and the matrices, for `loss`.
  auto make_inputs = [&](std::optional<nn::LossKind> loss) -> core::Status {
    if (pipeline) {
      auto set = model::FitPipelineForTraining(*pipeline, table, options.target, loss);
      if (!set.ok())
        return core::InvalidArgument(options.pipeline_file + ": " + set.status().message());
      description.schema = std::move(set->schema);
      description.pipeline = std::move(set->pipeline);
      prepared.features = std::move(set->features);
      prepared.targets = std::move(set->targets);
      return core::OkStatus();
    }
    MODELHOST_ASSIGN_OR_RETURN(description.schema,
                               model::InferInputSchema(table, options.target, loss));
    MODELHOST_ASSIGN_OR_RETURN(prepared.features,
                               model::MakeFeatureMatrix(table, description.schema));
    MODELHOST_ASSIGN_OR_RETURN(prepared.targets,
                               model::MakeTargetMatrix(table, description.schema));
    return core::OkStatus();
  };
  MODELHOST_RETURN_IF_ERROR(make_inputs(loss));
  if (options.model_file.empty()) {
    description.network_spec = DefaultNetwork(description.schema.target);
  } else {
    MODELHOST_ASSIGN_OR_RETURN(std::string text, core::ReadFileToString(options.model_file));
    auto spec = nn::ParseNetworkSpec(text);
    if (!spec.ok())
      return core::InvalidArgument(options.model_file + ": " + spec.status().message());
    description.network_spec = std::move(spec).value();
  }
  const size_t width = description.schema.features.size();
  auto network = nn::Sequential::Create(description.network_spec, width, options.seed);
  if (!network.ok()) {
    std::string source = options.model_file.empty() ? "default network" : options.model_file;
    return core::InvalidArgument(source + ": " + network.status().message());
  }
  prepared.network = std::move(network).value();
  // Two classes and a network of two outputs: train it as softmax over class indices.
  const size_t outputs = prepared.network->output_width();
  if (!loss && description.schema.target.encoding == model::TargetEncoding::kBinary &&
      outputs == 2) {
    loss = nn::LossKind::kSparseCategoricalCrossentropy;
    MODELHOST_RETURN_IF_ERROR(make_inputs(loss));
  }
  if (outputs != model::OutputWidth(description.schema.target)) {
    return core::InvalidArgument(
        "the network has " + std::to_string(outputs) + " output(s) but target '" + options.target +
        "' (" + std::string(model::ToString(description.schema.target.encoding)) + ") needs " +
        std::to_string(model::OutputWidth(description.schema.target)));
  }
  description.loss = loss.value_or(model::DefaultLoss(description.schema.target));
  description.metrics = SplitList(options.metrics);
  if (options.metrics.empty()) {
    bool classes = description.schema.target.encoding != model::TargetEncoding::kValue;
    description.metrics = {classes ? "accuracy" : "mae"};
  }

  model::TrainingRecord& training = description.training;
  training.data_file = options.data_file;
  training.optimizer = options.optimizer;
  training.epochs = options.epochs;
  training.batch_size = static_cast<uint64_t>(options.batch_size);
  training.validation_split = options.validation_split;
  training.seed = options.seed;
  description.modelhost_version = std::string(core::ModelhostVersion());
  return prepared;
}

}  // namespace

int RunTrain(const TrainOptions& options) {
  if (core::Status valid = ValidateOptions(options); !valid.ok()) {
    return Fail(kExitUsage, valid.message() + " (see 'modelhost train --help')");
  }
  if (core::Status threads = nn::SetComputeThreads(options.compute_threads); !threads.ok()) {
    return Fail(kExitUsage, threads.message());
  }
  auto prepared = Prepare(options);
  if (!prepared.ok()) return Fail(kExitRuntimeError, prepared.status().message());
  model::ModelDescription& description = prepared->description;

  nn::OptimizerConfig config;
  if (options.learning_rate) config["learning_rate"] = *options.learning_rate;
  auto optimizer = nn::MakeOptimizer(options.optimizer, config);
  auto loss = nn::Loss::Create({description.loss});
  if (!optimizer.ok() || !loss.ok()) {
    return Fail(kExitUsage, (!optimizer.ok() ? optimizer.status() : loss.status()).message());
  }
  description.training.learning_rate = (*optimizer)->current_learning_rate();

  nn::FitOptions fit;
  fit.epochs = options.epochs;
  fit.batch_size = static_cast<size_t>(options.batch_size);
  fit.seed = options.seed;
  fit.validation_split = options.validation_split;

  CancelOnInterrupt cancel;
  TrainingProgress progress(stdout, ::isatty(STDOUT_FILENO) == 1, options.epochs,
                            description.metrics);
  auto history = nn::Fit(*prepared->network, *loss, **optimizer, description.metrics,
                         {&prepared->features, &prepared->targets}, fit, &progress);
  if (!history.ok()) return Fail(kExitRuntimeError, history.status().message());
  if (history->cancelled) {
    return Fail(kExitRuntimeError, "cancelled; nothing was written to " + options.out_dir);
  }
  description.training.history = history->epochs;
  description.created_at = core::UtcNowRfc3339();

  core::Status written =
      model::ModelDirectory::Write(options.out_dir, description, *prepared->network);
  if (!written.ok()) return Fail(kExitRuntimeError, written.message());
  std::printf("model written to %s\n", options.out_dir.c_str());
  return kExitOk;
}

}  // namespace modelhost::cli
