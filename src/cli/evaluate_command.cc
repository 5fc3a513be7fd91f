#include "cli/evaluate_command.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_app.h"
#include "cli/table_file.h"
#include "model/input_schema.h"
#include "model/model_directory.h"
#include "model/model_inputs.h"
#include "nn/trainer.h"

namespace modelhost::cli {
namespace {

core::Result<std::vector<std::pair<std::string, double>>> Evaluate(const EvaluateOptions& options) {
  MODELHOST_ASSIGN_OR_RETURN(auto directory, model::ModelDirectory::Read(options.model_dir));
  const model::ModelDescription& description = directory->description();
  MODELHOST_ASSIGN_OR_RETURN(data::Table table, ReadTableFile(options.data_file));
  const data::FittedPipeline* pipeline = description.pipeline ? &*description.pipeline : nullptr;
  MODELHOST_ASSIGN_OR_RETURN(nn::Matrix features,
                             model::ModelFeatures(table, description.schema, pipeline));
  MODELHOST_ASSIGN_OR_RETURN(nn::Matrix targets,
                             model::MakeTargetMatrix(table, description.schema));
  MODELHOST_ASSIGN_OR_RETURN(nn::Loss loss, nn::Loss::Create({description.loss}));
  MODELHOST_ASSIGN_OR_RETURN(auto values, nn::Evaluate(directory->network(), loss,
                                                       description.metrics, {&features, &targets}));
  // The loss first, then the metrics in the order training used.
  std::vector<std::pair<std::string, double>> ordered = {{"loss", values.at("loss")}};
  for (const std::string& metric : description.metrics) {
    auto found = values.find(metric);
    if (found != values.end()) ordered.emplace_back(metric, found->second);
  }
  return ordered;
}

}  // namespace

int RunEvaluate(const EvaluateOptions& options) {
  auto values = Evaluate(options);
  if (!values.ok()) {
    std::cerr << "modelhost evaluate: " << values.status().message() << "\n";
    return kExitRuntimeError;
  }
  if (options.json) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto& [name, value] : *values) {
      object[name] = std::isfinite(value) ? nlohmann::ordered_json(value) : nullptr;
    }
    std::cout << object.dump() << "\n";
    return kExitOk;
  }
  size_t width = 6;  // "metric"
  for (const auto& [name, value] : *values) width = std::max(width, name.size());
  std::printf("%-*s  %s\n", static_cast<int>(width), "metric", "value");
  for (const auto& [name, value] : *values) {
    std::printf("%-*s  %.6f\n", static_cast<int>(width), name.c_str(), value);
  }
  return kExitOk;
}

}  // namespace modelhost::cli
