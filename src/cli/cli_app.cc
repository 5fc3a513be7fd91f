#include "cli/cli_app.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <optional>

#include "cli/data_command.h"
#include "cli/datasets_command.h"
#include "cli/evaluate_command.h"
#include "cli/jobs_command.h"
#include "cli/keys_command.h"
#include "cli/login_command.h"
#include "cli/models_command.h"
#include "cli/predict_command.h"
#include "cli/remote_predict_command.h"
#include "cli/remote_session.h"
#include "cli/serve_command.h"
#include "cli/train_command.h"
#include "core/settings.h"
#include "core/version.h"

namespace modelhost::cli {
namespace {

// Flags of one command bound to the keys of a SettingsSchema. CLI11 only
// collects the raw text; core::ApplySettings parses every layer the same way.
class SettingsFlags {
 public:
  SettingsFlags(CLI::App* command, const core::SettingsSchema& schema) {
    for (const auto& setting : schema.settings()) {
      std::string help = setting.help + " [env " +
                         core::SettingsSchema::EnvironmentName(setting.key) + ", default " +
                         setting.default_text + "]";
      options_[setting.key] = command->add_option(core::SettingsSchema::FlagName(setting.key),
                                                  values_[setting.key], help);
    }
    command->add_option("--config", config_file_,
                        "JSON file of settings (keys as in the flags, with '_' for '-') "
                        "[env MODELHOST_CONFIG]");
  }

  core::SettingsSources Sources() const {
    core::SettingsSources sources;
    sources.environment = core::ProcessEnvironment();
    for (const auto& [key, option] : options_) {
      if (option->count() > 0) sources.flags.emplace(key, values_.at(key));
    }
    if (!config_file_.empty()) {
      sources.config_file = config_file_;
    } else if (auto variable = sources.environment.find("MODELHOST_CONFIG");
               variable != sources.environment.end() && !variable->second.empty()) {
      sources.config_file = variable->second;
    }
    return sources;
  }

 private:
  std::map<std::string, std::string> values_;  // node-based: CLI11 keeps references
  std::map<std::string, CLI::Option*> options_;
  std::string config_file_;
};

// "jobs create": the deepest subcommand argv named, for pointing at its help.
std::string ParsedCommandPath(const CLI::App& app) {
  std::string path;
  const CLI::App* command = &app;
  while (!command->get_subcommands().empty()) {
    command = command->get_subcommands().front();
    path += (path.empty() ? "" : " ") + command->get_name();
  }
  return path;
}

// Offline (--model DIR) or remote (NAME): exactly one, and the remote-only
// flags only with a NAME. The usage error, or "" when the words are fine.
std::string PredictUsageError(const PredictOptions& offline, const RemotePredictCommand& remote) {
  if (offline.model_dir.empty() == !remote.named()) {
    return remote.named() ? "give a model NAME (remote) or --model DIR (offline), not both"
                          : "give a model NAME (remote) or --model DIR (offline)";
  }
  std::vector<std::string> remote_flags = remote.RemoteFlagsGiven();
  if (!offline.model_dir.empty() && !remote_flags.empty()) {
    return remote_flags.front() + " applies to a remote model NAME, not --model DIR";
  }
  return "";
}

void AddTrainFlags(CLI::App* train, TrainOptions* options) {
  train->add_option("--data", options->data_file, "CSV or JSON Lines (.jsonl/.ndjson) file")
      ->required();
  train->add_option("--target", options->target, "Column to predict")->required();
  train->add_option("--pipeline", options->pipeline_file,
                    "Data pipeline spec JSON (impute, standardize, one_hot, …), fitted on the "
                    "training data and kept in the model");
  train->add_option("--model", options->model_file,
                    "Network spec JSON (Keras Sequential or short form) [default: Dense 10 relu, "
                    "Dense 10 relu, output fitting the target]");
  train->add_option("--loss", options->loss,
                    "Keras loss name [default: binary_crossentropy for 2 classes, "
                    "sparse_categorical_crossentropy for more, mse for a number]");
  train->add_option("--optimizer", options->optimizer, "Keras optimizer name")
      ->capture_default_str();
  train->add_option("--learning-rate", options->learning_rate,
                    "Learning rate [default: the optimizer's]");
  train->add_option("--epochs", options->epochs, "Passes over the data")->capture_default_str();
  train->add_option("--batch-size", options->batch_size, "Rows per step")->capture_default_str();
  train
      ->add_option("--validation-split", options->validation_split,
                   "Fraction of rows (the last) held out for validation")
      ->capture_default_str();
  train->add_option("--metrics", options->metrics,
                    "Comma-separated Keras metrics, e.g. accuracy,auc [default: accuracy for "
                    "classes, mae for a number]");
  train->add_option("--seed", options->seed, "Seed of the initial weights and the shuffling")
      ->capture_default_str();
  train->add_option("--compute-threads", options->compute_threads, "Threads of the matrix products")
      ->capture_default_str();
  train->add_option("--out", options->out_dir, "Model directory to create (absent or empty)")
      ->required();
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{
      "modelhost: train, evaluate, serve and predict with neural networks on tabular data.\n"
      "Local commands work on files; remote commands (login, datasets, jobs, models, keys, "
      "predict NAME) talk to a running server"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");

  app.add_subcommand("version", "Print the modelhost version");

  ServeOptions serve_options;
  core::SettingsSchema serve_schema = ServeSettings(&serve_options);
  CLI::App* serve = app.add_subcommand("serve", "Serve the HTTP API until SIGINT/SIGTERM");
  SettingsFlags serve_flags(serve, serve_schema);

  TrainOptions train_options;
  CLI::App* train = app.add_subcommand("train", "Train a network on a CSV or JSON Lines file");
  AddTrainFlags(train, &train_options);

  EvaluateOptions evaluate_options;
  CLI::App* evaluate =
      app.add_subcommand("evaluate", "Print the loss and metrics of a trained model on data");
  evaluate->add_option("--model", evaluate_options.model_dir, "Model directory written by train")
      ->required();
  evaluate->add_option("--data", evaluate_options.data_file, "CSV or JSON Lines file")->required();
  evaluate->add_flag("--json", evaluate_options.json, "Print one JSON object instead of a table");

  PredictOptions predict_options;
  CLI::App* predict = app.add_subcommand(
      "predict",
      "Predictions for every row of a file: of a model directory (--model DIR, offline) or of "
      "a model on the server (NAME, remote)");
  predict->footer(
      "Offline: modelhost predict --model DIR --data FILE [--out OUT]\n"
      "Remote:  modelhost predict NAME --data FILE|- [--version V | --alias A] [--batch-size N]\n"
      "                           [--format csv|jsonl] [--output csv|jsonl | --json] [--out OUT]\n"
      "         (the server of `modelhost login`, or MODELHOST_URL / MODELHOST_API_KEY)");
  predict->add_option("--model", predict_options.model_dir,
                      "Offline: model directory written by train");
  predict
      ->add_option("--data", predict_options.data_file,
                   "CSV, JSON Lines or .mhd file ('-': stdin, remote only)")
      ->required();
  predict->add_option("--out", predict_options.out_file, "File to write [default: stdout]");
  RemotePredictCommand remote_predict(predict, &predict_options.data_file,
                                      &predict_options.out_file);

  DataCommand data_command(&app);
  LoginCommand login_command(&app);
  DatasetsCommand datasets_command(&app);
  JobsCommand jobs_command(&app);
  ModelsCommand models_command(&app);
  KeysCommand keys_command(&app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    std::string command = ParsedCommandPath(app);
    std::string message = error.what();
    // CLI11 reports `modelhost frobnicate` as a missing subcommand; name the word instead.
    if (command.empty() && argc > 1 && argv[1][0] != '-') {
      message = "unknown command '" + std::string(argv[1]) + "'";
    }
    return ReportUsageError(command, message);
  }

  if (app.got_subcommand("version")) {
    std::cout << core::kProductName << " " << core::ModelhostVersion() << "\n";
    return kExitOk;
  }
  if (serve->parsed()) {
    core::Status status = core::ApplySettings(serve_schema, serve_flags.Sources());
    if (!status.ok()) {
      return ReportUsageError("serve", status.message());
    }
    return RunServe(serve_options);
  }
  if (train->parsed()) return RunTrain(train_options);
  if (data_command.parsed()) return data_command.Run();
  if (evaluate->parsed()) return RunEvaluate(evaluate_options);
  if (predict->parsed()) {
    if (std::string usage = PredictUsageError(predict_options, remote_predict); !usage.empty()) {
      return ReportUsageError("predict", usage);
    }
    return remote_predict.named() ? remote_predict.Run() : RunPredict(predict_options);
  }
  if (login_command.parsed()) return login_command.Run();
  if (datasets_command.parsed()) return datasets_command.Run();
  if (jobs_command.parsed()) return jobs_command.Run();
  if (models_command.parsed()) return models_command.Run();
  if (keys_command.parsed()) return keys_command.Run();
  return kExitUsage;
}

}  // namespace modelhost::cli
