#include "jobs/training_job_spec.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "nn/loss.h"
#include "nn/metric.h"
#include "nn/network_spec.h"
#include "nn/optimizer.h"
#include "nn/trainer.h"
#include "store/resource_name.h"

namespace modelhost::jobs {
namespace {

using Json = nlohmann::json;

core::Status Invalid(const std::string& field, const std::string& message) {
  return core::InvalidArgument(field + ": " + message);
}

// InvalidArgument naming the first key of `object` (at `path`) not in `known`.
core::Status CheckKeys(const Json& object, const std::string& path,
                       const std::set<std::string>& known) {
  for (const auto& [key, value] : object.items()) {
    if (!known.contains(key)) {
      std::string list;
      for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
      return core::InvalidArgument("unknown field '" + (path.empty() ? "" : path + ".") + key +
                                   "' (expected: " + list + ")");
    }
  }
  return core::OkStatus();
}

core::Result<std::string> String(const Json& object, const std::string& key,
                                 const std::string& path) {
  const Json& value = object.at(key);
  if (!value.is_string()) return Invalid(path, "must be a string");
  return value.get<std::string>();
}

core::Result<int64_t> Integer(const Json& value, const std::string& path, int64_t min,
                              int64_t max) {
  if (!value.is_number_integer()) return Invalid(path, "must be an integer");
  // A value above int64's range arrives as uint64.
  if (value.is_number_unsigned() &&
      value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Invalid(path, "must be at most " + std::to_string(max));
  }
  const int64_t number = value.get<int64_t>();
  if (number < min || number > max) {
    return Invalid(path, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return number;
}

core::Result<double> Fraction(const Json& value, const std::string& path) {
  if (!value.is_number()) return Invalid(path, "must be a number");
  const double number = value.get<double>();
  if (!(number >= 0.0 && number < 1.0)) return Invalid(path, "must be in [0, 1)");
  return number;
}

core::Result<bool> Bool(const Json& value, const std::string& path) {
  if (!value.is_boolean()) return Invalid(path, "must be true or false");
  return value.get<bool>();
}

core::Status ParseOptimizer(const Json& value, TrainingSetup& setup) {
  if (value.is_string()) {
    setup.optimizer = value.get<std::string>();
  } else if (value.is_object()) {
    MODELHOST_RETURN_IF_ERROR(CheckKeys(value, "compile.optimizer", {"class_name", "config"}));
    if (!value.contains("class_name")) {
      return Invalid("compile.optimizer.class_name", "is required");
    }
    MODELHOST_ASSIGN_OR_RETURN(setup.optimizer,
                               String(value, "class_name", "compile.optimizer.class_name"));
    if (value.contains("config")) {
      const Json& config = value["config"];
      if (!config.is_object()) return Invalid("compile.optimizer.config", "must be an object");
      for (const auto& [key, entry] : config.items()) {
        const std::string path = "compile.optimizer.config." + key;
        if (entry.is_null()) continue;
        if (entry.is_boolean()) {
          setup.optimizer_config[key] = entry.get<bool>();
        } else if (entry.is_number()) {
          setup.optimizer_config[key] = entry.get<double>();
        } else if (entry.is_string()) {
          setup.optimizer_config[key] = entry.get<std::string>();
        } else {
          return Invalid(path, "must be a number, a boolean or a string");
        }
      }
    }
  } else {
    return Invalid("compile.optimizer", "must be a name or {\"class_name\", \"config\"}");
  }
  auto made = nn::MakeOptimizer(setup.optimizer, setup.optimizer_config);
  if (!made.ok()) return Invalid("compile.optimizer", made.status().message());
  return core::OkStatus();
}

core::Status ParseCompile(const Json& compile, TrainingSetup& setup) {
  if (!compile.is_object()) return Invalid("compile", "must be an object");
  MODELHOST_RETURN_IF_ERROR(CheckKeys(compile, "compile", {"loss", "optimizer", "metrics"}));
  if (compile.contains("loss")) {
    MODELHOST_ASSIGN_OR_RETURN(std::string name, String(compile, "loss", "compile.loss"));
    auto loss = nn::ParseLoss(name);
    if (!loss.ok()) return Invalid("compile.loss", loss.status().message());
    setup.loss = *loss;
  }
  if (compile.contains("optimizer")) {
    MODELHOST_RETURN_IF_ERROR(ParseOptimizer(compile["optimizer"], setup));
  }
  if (compile.contains("metrics")) {
    const Json& metrics = compile["metrics"];
    if (!metrics.is_array()) return Invalid("compile.metrics", "must be an array of names");
    for (size_t index = 0; index < metrics.size(); ++index) {
      const std::string path = "compile.metrics[" + std::to_string(index) + "]";
      if (!metrics[index].is_string()) return Invalid(path, "must be a string");
      const std::string name = metrics[index].get<std::string>();
      // Shapes are unknown yet; accuracy and f1 resolve against them in Fit.
      auto parsed = nn::ParseMetricName(name);
      if (!parsed.ok()) return Invalid(path, parsed.status().message());
      setup.metrics.push_back(name);
    }
  }
  return core::OkStatus();
}

core::Status ParseEarlyStopping(const Json& value, nn::FitOptions& fit) {
  const std::string path = "fit.early_stopping";
  if (!value.is_object()) return Invalid(path, "must be an object");
  MODELHOST_RETURN_IF_ERROR(
      CheckKeys(value, path, {"monitor", "patience", "min_delta", "restore_best_weights"}));
  nn::EarlyStoppingOptions options;
  if (value.contains("monitor")) {
    MODELHOST_ASSIGN_OR_RETURN(options.monitor, String(value, "monitor", path + ".monitor"));
  }
  if (value.contains("patience")) {
    MODELHOST_ASSIGN_OR_RETURN(int64_t patience,
                               Integer(value["patience"], path + ".patience", 0, 1000000));
    options.patience = static_cast<int>(patience);
  }
  if (value.contains("min_delta")) {
    const Json& delta = value["min_delta"];
    if (!delta.is_number() || !(delta.get<double>() >= 0.0)) {
      return Invalid(path + ".min_delta", "must be a number >= 0");
    }
    options.min_delta = delta.get<double>();
  }
  if (value.contains("restore_best_weights")) {
    MODELHOST_ASSIGN_OR_RETURN(options.restore_best_weights,
                               Bool(value["restore_best_weights"], path + ".restore_best_weights"));
  }
  fit.early_stopping = options;
  return core::OkStatus();
}

core::Status ParseFit(const Json& value, TrainingJobSpec& spec) {
  if (!value.is_object()) return Invalid("fit", "must be an object");
  MODELHOST_RETURN_IF_ERROR(
      CheckKeys(value, "fit",
                {"epochs", "batch_size", "shuffle", "seed", "validation_split", "test_split",
                 "checkpoint_every", "class_weight", "early_stopping"}));
  nn::FitOptions& fit = spec.setup.fit;
  if (value.contains("epochs")) {
    MODELHOST_ASSIGN_OR_RETURN(int64_t epochs, Integer(value["epochs"], "fit.epochs", 1, 1000000));
    fit.epochs = static_cast<int>(epochs);
  }
  if (value.contains("batch_size")) {
    MODELHOST_ASSIGN_OR_RETURN(int64_t batch,
                               Integer(value["batch_size"], "fit.batch_size", 1, 1 << 24));
    fit.batch_size = static_cast<size_t>(batch);
  }
  if (value.contains("shuffle")) {
    MODELHOST_ASSIGN_OR_RETURN(fit.shuffle, Bool(value["shuffle"], "fit.shuffle"));
  }
  if (value.contains("seed")) {
    const Json& seed = value["seed"];
    if (!seed.is_number_unsigned()) return Invalid("fit.seed", "must be an integer >= 0");
    fit.seed = seed.get<uint64_t>();
  }
  if (value.contains("validation_split")) {
    MODELHOST_ASSIGN_OR_RETURN(fit.validation_split,
                               Fraction(value["validation_split"], "fit.validation_split"));
  }
  if (value.contains("test_split")) {
    MODELHOST_ASSIGN_OR_RETURN(spec.setup.test_split,
                               Fraction(value["test_split"], "fit.test_split"));
  }
  if (fit.validation_split + spec.setup.test_split >= 1.0) {
    return Invalid("fit.validation_split", "with fit.test_split leaves no training row");
  }
  if (value.contains("checkpoint_every")) {
    MODELHOST_ASSIGN_OR_RETURN(
        int64_t every, Integer(value["checkpoint_every"], "fit.checkpoint_every", 0, 1000000));
    spec.checkpoint_every = static_cast<int>(every);
  }
  if (value.contains("class_weight")) {
    const Json& weights = value["class_weight"];
    if (!weights.is_object()) return Invalid("fit.class_weight", "must be an object");
    for (const auto& [key, weight] : weights.items()) {
      const std::string path = "fit.class_weight." + key;
      char* end = nullptr;
      const long index = std::strtol(key.c_str(), &end, 10);
      if (key.empty() || *end != '\0' || index < 0 || index > 1000000) {
        return Invalid(path, "the key must be a class index");
      }
      if (!weight.is_number() || !(weight.get<double>() >= 0.0) ||
          !std::isfinite(weight.get<double>())) {
        return Invalid(path, "must be a finite number >= 0");
      }
      fit.class_weights[static_cast<int>(index)] = weight.get<double>();
    }
  }
  if (value.contains("early_stopping")) {
    MODELHOST_RETURN_IF_ERROR(ParseEarlyStopping(value["early_stopping"], fit));
  }
  return core::OkStatus();
}

// A monitor the history will not have (val_loss without validation_split)
// would fail the job after its first epoch: refused with the request.
core::Status CheckMonitor(const TrainingSetup& setup) {
  if (!setup.fit.early_stopping) return core::OkStatus();
  core::Status status = nn::CheckEarlyStoppingMonitor(
      setup.fit.early_stopping->monitor, setup.metrics, setup.fit.validation_split > 0.0);
  if (!status.ok()) return Invalid("fit.early_stopping.monitor", status.message());
  return core::OkStatus();
}

core::Result<TrainingJobSpec> Parse(const Json& root) {
  if (!root.is_object()) return core::InvalidArgument("the request must be a JSON object");
  MODELHOST_RETURN_IF_ERROR(CheckKeys(
      root, "", {"dataset", "target", "pipeline", "model", "compile", "fit", "register_as"}));
  for (const char* required : {"dataset", "target", "register_as"}) {
    if (!root.contains(required)) return Invalid(required, "is required");
  }
  TrainingJobSpec spec;
  spec.setup.fit.epochs = 10;
  spec.setup.fit.batch_size = 32;
  MODELHOST_ASSIGN_OR_RETURN(spec.dataset, String(root, "dataset", "dataset"));
  if (spec.dataset.empty()) return Invalid("dataset", "must not be empty");
  MODELHOST_ASSIGN_OR_RETURN(spec.setup.target, String(root, "target", "target"));
  if (spec.setup.target.empty()) return Invalid("target", "must not be empty");
  MODELHOST_ASSIGN_OR_RETURN(spec.register_as, String(root, "register_as", "register_as"));
  if (core::Status name = store::ValidateResourceName("model name", spec.register_as); !name.ok()) {
    return Invalid("register_as", name.message());
  }
  if (root.contains("pipeline")) {
    auto pipeline = data::Pipeline::FromJson(root["pipeline"].dump());
    if (!pipeline.ok()) return Invalid("pipeline", pipeline.status().message());
    spec.setup.pipeline = std::move(pipeline).value();
  }
  if (root.contains("model")) {
    auto network = nn::ParseNetworkSpec(root["model"].dump());
    if (!network.ok()) return Invalid("model", network.status().message());
    spec.setup.network = std::move(network).value();
  }
  if (root.contains("compile"))
    MODELHOST_RETURN_IF_ERROR(ParseCompile(root["compile"], spec.setup));
  if (root.contains("fit")) MODELHOST_RETURN_IF_ERROR(ParseFit(root["fit"], spec));
  MODELHOST_RETURN_IF_ERROR(CheckMonitor(spec.setup));
  return spec;
}

}  // namespace

core::Result<TrainingJobSpec> ParseTrainingJobSpec(std::string_view json) {
  try {
    Json root = Json::parse(json);
    return Parse(root);
  } catch (const Json::exception& error) {
    return core::InvalidArgument(std::string("the request is not valid JSON: ") + error.what());
  }
}

}  // namespace modelhost::jobs
