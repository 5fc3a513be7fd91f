#include "model/model_summary.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace modelhost::model {

std::string ModelSummaryJson(const ModelDescription& description) {
  using Json = nlohmann::json;
  Json metrics = Json::object();
  if (!description.training.history.empty()) {
    for (const auto& [name, value] : description.training.history.back().values) {
      metrics[name] = std::isfinite(value) ? Json(value) : Json(nullptr);
    }
  }
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
        {"created_at", description.created_at}}}};
  return summary.dump();
}

}  // namespace modelhost::model
