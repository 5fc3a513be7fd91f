#include "model/model_summary.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace modelhost::model {

using Json = nlohmann::json;

Json MetricValuesJson(const std::map<std::string, double>& values) {
  Json object = Json::object();
  for (const auto& [name, value] : values) {
    object[name] = std::isfinite(value) ? Json(value) : Json(nullptr);
  }
  return object;
}

std::string ModelSummaryJson(const ModelDescription& description) {
  const Json metrics = description.training.history.empty()
                           ? Json::object()
                           : MetricValuesJson(description.training.history.back().values);
  const TargetSchema& target = description.schema.target;
  Json summary = {
      {"target",
       {{"name", target.name}, {"encoding", ToString(target.encoding)}, {"labels", target.labels}}},
      {"features", description.schema.features.size()},
      {"pipeline", description.pipeline.has_value()},
      {"loss", nn::ToString(description.loss)},
      {"metrics", metrics},
      {"lineage",
       {{"data_sha256", description.training.data_sha256},
        {"seed", description.training.seed},
        {"epochs", description.training.history.size()},
        {"modelhost_version", description.modelhost_version},
        {"created_at", description.created_at}}},
      {"evaluation",
       {{"validation", MetricValuesJson(description.training.validation)},
        {"test", MetricValuesJson(description.training.test)}}}};
  // A model the server trained names its dataset and job.
  if (!description.training.dataset_id.empty()) {
    summary["lineage"]["dataset_id"] = description.training.dataset_id;
    summary["lineage"]["dataset_sha256"] = description.training.data_sha256;
  }
  if (!description.training.job_id.empty()) {
    summary["lineage"]["job_id"] = description.training.job_id;
  }
  return summary.dump();
}

}  // namespace modelhost::model
