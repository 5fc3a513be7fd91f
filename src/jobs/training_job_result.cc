#include "jobs/training_job_result.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "model/model_summary.h"

namespace modelhost::jobs {
namespace {

using Json = nlohmann::json;

Json Number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

}  // namespace

std::string TrainingJobResultJson(const TrainingJobResult& result) {
  Json history = Json::array();
  for (const nn::EpochLog& log : result.history) {
    history.push_back({{"epoch", log.epoch},
                       {"values", model::MetricValuesJson(log.values)},
                       {"skipped_batches", log.skipped_batches}});
  }
  Json json = {{"epochs", result.epochs},
               {"history", std::move(history)},
               {"timings",
                {{"prepare_seconds", result.prepare_seconds},
                 {"train_seconds", result.train_seconds},
                 {"register_seconds", result.register_seconds}}},
               {"training_rows", result.training_rows},
               {"test_rows", result.test_rows},
               {"samples_per_second", Number(result.samples_per_second)},
               {"validation", model::MetricValuesJson(result.validation)},
               {"test", model::MetricValuesJson(result.test)},
               {"model", nullptr}};
  if (result.resumed_from_epoch) json["resumed_from_epoch"] = *result.resumed_from_epoch;
  if (result.model) {
    json["model"] = {{"name", result.model->name}, {"version", result.model->version}};
  }
  return json.dump();
}

core::Result<std::vector<nn::EpochLog>> ReadTrainingJobHistory(std::string_view result_json) {
  std::vector<nn::EpochLog> history;
  if (result_json.empty()) return history;
  try {
    const Json root = Json::parse(result_json);
    if (!root.is_object() || !root.contains("history")) return history;
    for (const Json& entry : root.at("history")) {
      nn::EpochLog log;
      log.epoch = entry.at("epoch").get<int>();
      log.skipped_batches = entry.at("skipped_batches").get<int>();
      for (const auto& [name, value] : entry.at("values").items()) {
        log.values[name] = value.is_null() ? NAN : value.get<double>();
      }
      history.push_back(std::move(log));
    }
  } catch (const Json::exception& error) {
    return core::DataLoss(std::string("job result_json: malformed history: ") + error.what());
  }
  return history;
}

}  // namespace modelhost::jobs
