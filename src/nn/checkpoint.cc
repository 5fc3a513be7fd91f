#include "nn/checkpoint.h"

#include <charconv>
#include <cmath>
#include <map>
#include <new>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "nn/network_spec.h"
#include "nn/weights_file.h"

namespace modelhost::nn {
namespace {

constexpr std::string_view kFormat = "modelhost.checkpoint";
constexpr std::string_view kFormatVersion = "1";
constexpr std::string_view kOptimizerPrefix = "optimizer/";
constexpr std::string_view kBestWeightsPrefix = "early_stopping/";

std::string HistoryToJson(const History& history) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const EpochLog& log : history.epochs) {
    nlohmann::json values = nlohmann::json::object();
    // nlohmann writes doubles in the shortest form that reads back exactly;
    // a non-finite value becomes null.
    for (const auto& [key, value] : log.values) values[key] = value;
    epochs.push_back(
        {{"epoch", log.epoch}, {"values", values}, {"skipped_batches", log.skipped_batches}});
  }
  nlohmann::json json = {{"epochs", epochs}, {"stopped_epoch", nullptr}};
  if (history.stopped_epoch) json["stopped_epoch"] = *history.stopped_epoch;
  return json.dump();
}

core::Result<History> HistoryFromJson(const std::string& text, const std::string& path) {
  try {
    const nlohmann::json json = nlohmann::json::parse(text);
    History history;
    for (const nlohmann::json& epoch : json.at("epochs")) {
      EpochLog log;
      log.epoch = epoch.at("epoch").get<int>();
      log.skipped_batches = epoch.at("skipped_batches").get<int>();
      for (const auto& [key, value] : epoch.at("values").items()) {
        log.values[key] = value.is_null() ? NAN : value.get<double>();
      }
      history.epochs.push_back(std::move(log));
    }
    if (!json.at("stopped_epoch").is_null()) {
      history.stopped_epoch = json.at("stopped_epoch").get<int>();
    }
    return history;
  } catch (const nlohmann::json::exception& error) {
    return core::DataLoss(path + ": metadata \"history\" is not a valid history: " + error.what());
  }
}

core::Result<const std::string*> MetadataValue(const WeightsMetadata& metadata,
                                               std::string_view key, const std::string& path) {
  const auto found = metadata.find(std::string(key));
  if (found == metadata.end()) {
    return core::DataLoss(path + ": checkpoint metadata has no \"" + std::string(key) + "\"");
  }
  return &found->second;
}

core::Result<int64_t> MetadataInteger(const WeightsMetadata& metadata, std::string_view key,
                                      const std::string& path) {
  MODELHOST_ASSIGN_OR_RETURN(const std::string* text, MetadataValue(metadata, key, path));
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < 0) {
    return core::DataLoss(path + ": checkpoint metadata \"" + std::string(key) + "\" is \"" +
                          *text + "\", not a count");
  }
  return value;
}

// Names the first difference between the checkpoint's network and the model's.
core::Status CheckNetwork(const WeightsMetadata& metadata, const Sequential& model,
                          const std::string& path) {
  MODELHOST_ASSIGN_OR_RETURN(const int64_t input_width,
                             MetadataInteger(metadata, "input_width", path));
  if (static_cast<size_t>(input_width) != model.input_width()) {
    return core::InvalidArgument(path + ": checkpoint of a network taking " +
                                 std::to_string(input_width) + " features, but the model takes " +
                                 std::to_string(model.input_width()));
  }
  MODELHOST_ASSIGN_OR_RETURN(const std::string* network, MetadataValue(metadata, "network", path));
  auto spec = ParseNetworkSpec(*network);
  if (!spec.ok()) {
    return core::DataLoss(path + ": checkpoint metadata \"network\": " + spec.status().message());
  }
  if (*spec == model.spec()) return core::OkStatus();
  const std::vector<LayerSpec>& saved = spec->layers;
  const std::vector<LayerSpec>& current = model.spec().layers;
  for (size_t index = 0; index < std::min(saved.size(), current.size()); ++index) {
    if (saved[index] == current[index]) continue;
    return core::InvalidArgument(
        path + ": checkpoint of another network: layer " + std::to_string(index) + " is \"" +
        LayerName(saved[index]) + "\" " + NetworkSpecToJson(NetworkSpec{{}, {saved[index]}}) +
        " in the checkpoint but \"" + LayerName(current[index]) + "\" " +
        NetworkSpecToJson(NetworkSpec{{}, {current[index]}}) + " in the model");
  }
  if (saved.size() != current.size()) {
    return core::InvalidArgument(
        path + ": checkpoint of another network: " + std::to_string(saved.size()) +
        " layers in the checkpoint, " + std::to_string(current.size()) + " in the model");
  }
  return core::InvalidArgument(path + ": checkpoint of another network (stated input width " +
                               "differs)");
}

// Splits a checkpoint's tensors into the model's, the optimizer's (prefix
// stripped) and early stopping's (prefix stripped).
struct SplitTensors {
  WeightsContents model;
  std::map<std::string, const Matrix*, std::less<>> optimizer;
  std::map<std::string, const Matrix*, std::less<>> best_weights;
};

SplitTensors Split(const WeightsContents& contents, const Sequential& model) {
  std::map<std::string_view, bool> parameter_names;
  for (const Parameter* parameter : model.parameters()) parameter_names[parameter->name] = true;
  SplitTensors split;
  for (const NamedTensor& tensor : contents.tensors) {
    const std::string_view name = tensor.name;
    if (!parameter_names.contains(name) && name.starts_with(kOptimizerPrefix)) {
      split.optimizer[std::string(name.substr(kOptimizerPrefix.size()))] = &tensor.value;
    } else if (!parameter_names.contains(name) && name.starts_with(kBestWeightsPrefix)) {
      split.best_weights[std::string(name.substr(kBestWeightsPrefix.size()))] = &tensor.value;
    } else {
      split.model.tensors.push_back(tensor);
    }
  }
  return split;
}

core::Result<std::vector<Matrix>> BestWeights(
    const std::map<std::string, const Matrix*, std::less<>>& tensors, const Sequential& model,
    const std::string& path) {
  std::vector<Matrix> weights;
  if (tensors.empty()) return weights;
  if (tensors.size() != model.parameters().size()) {
    return core::InvalidArgument(path + ": checkpoint holds " + std::to_string(tensors.size()) +
                                 " early-stopping tensors, the model has " +
                                 std::to_string(model.parameters().size()) + " parameters");
  }
  for (const Parameter* parameter : model.parameters()) {
    const auto found = tensors.find(parameter->name);
    const std::string name = std::string(kBestWeightsPrefix) + parameter->name;
    if (found == tensors.end()) {
      return core::InvalidArgument(path + ": tensor \"" + name + "\" is missing");
    }
    if (found->second->rows() != parameter->value.rows() ||
        found->second->cols() != parameter->value.cols()) {
      return core::InvalidArgument(path + ": tensor \"" + name + "\" has another shape than \"" +
                                   parameter->name + "\"");
    }
    weights.push_back(*found->second);
  }
  return weights;
}

core::Result<CheckpointState> LoadCheckpointUnguarded(const std::string& path, Sequential& model,
                                                      Optimizer& optimizer) {
  MODELHOST_ASSIGN_OR_RETURN(const WeightsContents contents, ReadWeightsFile(path));
  const WeightsMetadata& metadata = contents.metadata;
  const auto format = metadata.find("format");
  if (format == metadata.end() || format->second != kFormat) {
    return core::InvalidArgument(path +
                                 ": not a training checkpoint (metadata \"format\" is not \"" +
                                 std::string(kFormat) + "\")");
  }
  MODELHOST_ASSIGN_OR_RETURN(const std::string* version,
                             MetadataValue(metadata, "format_version", path));
  if (*version != kFormatVersion) {
    return core::InvalidArgument(path + ": checkpoint format version \"" + *version +
                                 "\" is not supported (this build reads " +
                                 std::string(kFormatVersion) + ")");
  }
  MODELHOST_ASSIGN_OR_RETURN(const std::string* kind, MetadataValue(metadata, "optimizer", path));
  if (*kind != ToString(optimizer.kind())) {
    return core::InvalidArgument(path + ": checkpoint of optimizer " + *kind +
                                 ", but Fit was given " + std::string(ToString(optimizer.kind())));
  }
  MODELHOST_RETURN_IF_ERROR(CheckNetwork(metadata, model, path));
  MODELHOST_ASSIGN_OR_RETURN(const int64_t iterations,
                             MetadataInteger(metadata, "optimizer_iterations", path));
  MODELHOST_ASSIGN_OR_RETURN(const int64_t epochs_completed,
                             MetadataInteger(metadata, "epochs_completed", path));
  MODELHOST_ASSIGN_OR_RETURN(const std::string* history_json,
                             MetadataValue(metadata, "history", path));
  CheckpointState state;
  MODELHOST_ASSIGN_OR_RETURN(state.history, HistoryFromJson(*history_json, path));
  if (static_cast<size_t>(epochs_completed) != state.history.epochs.size()) {
    return core::DataLoss(path + ": checkpoint says " + std::to_string(epochs_completed) +
                          " epochs completed but its history has " +
                          std::to_string(state.history.epochs.size()));
  }

  const SplitTensors split = Split(contents, model);
  const std::span<Parameter* const> parameters = model.parameters();
  MODELHOST_RETURN_IF_ERROR(
      optimizer.CheckState(parameters, iterations, split.optimizer).WithContext(path));
  MODELHOST_ASSIGN_OR_RETURN(state.best_weights, BestWeights(split.best_weights, model, path));
  // Checked in full, then copied: on error no parameter changes.
  MODELHOST_RETURN_IF_ERROR(LoadWeights(split.model, parameters, path));
  MODELHOST_RETURN_IF_ERROR(
      optimizer.ImportState(parameters, iterations, split.optimizer).WithContext(path));
  return state;
}

}  // namespace

core::Status WriteCheckpoint(const std::string& path, Sequential& model, Optimizer& optimizer,
                             const History& history, std::span<const Matrix> best_weights) {
  // The extra tensors are copied into Parameters, the writer's currency; a
  // checkpoint every N epochs can afford that.
  std::vector<Parameter> extra;
  const auto state = optimizer.StateTensors();
  extra.reserve(state.size() + best_weights.size());
  for (const auto& [name, value] : state) {
    extra.push_back({std::string(kOptimizerPrefix) + name, *value, Matrix(), false});
  }
  for (size_t index = 0; index < best_weights.size(); ++index) {
    extra.push_back({std::string(kBestWeightsPrefix) + model.parameters()[index]->name,
                     best_weights[index], Matrix(), false});
  }
  std::vector<Parameter*> all(model.parameters().begin(), model.parameters().end());
  for (Parameter& parameter : extra) all.push_back(&parameter);

  const WeightsMetadata metadata = {
      {"format", std::string(kFormat)},
      {"format_version", std::string(kFormatVersion)},
      {"optimizer", std::string(ToString(optimizer.kind()))},
      {"optimizer_iterations", std::to_string(optimizer.iterations())},
      {"epochs_completed", std::to_string(history.epochs.size())},
      {"input_width", std::to_string(model.input_width())},
      {"network", NetworkSpecToJson(model.spec())},
      {"history", HistoryToJson(history)},
  };
  return WriteWeightsFile(path, all, metadata);
}

core::Result<CheckpointState> LoadCheckpoint(const std::string& path, Sequential& model,
                                             Optimizer& optimizer) {
  try {
    return LoadCheckpointUnguarded(path, model, optimizer);
  } catch (const std::bad_alloc&) {
    return core::ResourceExhausted(path + ": out of memory loading the checkpoint");
  }
}

}  // namespace modelhost::nn
