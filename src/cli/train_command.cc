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
#include "data/pipeline.h"
#include "jobs/training_run.h"
#include "nn/compute_threads.h"
#include "nn/loss.h"
#include "nn/metric.h"
#include "nn/network_spec.h"
#include "nn/optimizer.h"

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

// The TrainingSetup of `options`, with the pipeline and network read from
// their files.
core::Result<jobs::TrainingSetup> MakeSetup(const TrainOptions& options) {
  jobs::TrainingSetup setup;
  setup.target = options.target;
  if (!options.loss.empty()) {
    MODELHOST_ASSIGN_OR_RETURN(setup.loss, nn::ParseLoss(options.loss));
  }
  if (!options.pipeline_file.empty()) {
    setup.pipeline_source = options.pipeline_file;
    MODELHOST_ASSIGN_OR_RETURN(std::string text, core::ReadFileToString(options.pipeline_file));
    auto parsed = data::Pipeline::FromJson(text);
    if (!parsed.ok()) {
      return core::InvalidArgument(options.pipeline_file + ": " + parsed.status().message());
    }
    setup.pipeline = std::move(parsed).value();
  }
  if (!options.model_file.empty()) {
    setup.network_source = options.model_file;
    MODELHOST_ASSIGN_OR_RETURN(std::string text, core::ReadFileToString(options.model_file));
    auto spec = nn::ParseNetworkSpec(text);
    if (!spec.ok())
      return core::InvalidArgument(options.model_file + ": " + spec.status().message());
    setup.network = std::move(spec).value();
  }
  setup.optimizer = options.optimizer;
  if (options.learning_rate) setup.optimizer_config["learning_rate"] = *options.learning_rate;
  setup.metrics = SplitList(options.metrics);
  setup.fit.epochs = options.epochs;
  setup.fit.batch_size = static_cast<size_t>(options.batch_size);
  setup.fit.seed = options.seed;
  setup.fit.validation_split = options.validation_split;
  return setup;
}

// Reads the data and the network and builds everything training needs.
core::Result<std::unique_ptr<jobs::TrainingRun>> Prepare(const TrainOptions& options) {
  MODELHOST_ASSIGN_OR_RETURN(data::Table table, ReadTableFile(options.data_file));
  MODELHOST_ASSIGN_OR_RETURN(jobs::TrainingSetup setup, MakeSetup(options));
  MODELHOST_ASSIGN_OR_RETURN(std::unique_ptr<jobs::TrainingRun> run,
                             jobs::TrainingRun::Prepare(table, setup));
  model::TrainingRecord& training = run->description().training;
  training.data_file = options.data_file;
  MODELHOST_ASSIGN_OR_RETURN(training.data_sha256, core::Sha256OfFile(options.data_file));
  return run;
}

}  // namespace

int RunTrain(const TrainOptions& options) {
  if (core::Status valid = ValidateOptions(options); !valid.ok()) {
    return Fail(kExitUsage, valid.message() + " (see 'modelhost train --help')");
  }
  if (core::Status threads = nn::SetComputeThreads(options.compute_threads); !threads.ok()) {
    return Fail(kExitUsage, threads.message());
  }
  auto run = Prepare(options);
  if (!run.ok()) return Fail(kExitRuntimeError, run.status().message());

  CancelOnInterrupt cancel;
  TrainingProgress progress(stdout, ::isatty(STDOUT_FILENO) == 1, options.epochs,
                            (*run)->description().metrics);
  auto outcome = (*run)->Train(&progress);
  if (!outcome.ok()) return Fail(kExitRuntimeError, outcome.status().message());
  if (outcome->history.cancelled) {
    return Fail(kExitRuntimeError, "cancelled; nothing was written to " + options.out_dir);
  }
  core::Status written = (*run)->WriteModel(options.out_dir);
  if (!written.ok()) return Fail(kExitRuntimeError, written.message());
  std::printf("model written to %s\n", options.out_dir.c_str());
  return kExitOk;
}

}  // namespace modelhost::cli
