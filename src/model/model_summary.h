// The summary a registry shows of a model version, as a JSON object:
//   {"target": {"name", "encoding", "labels"}, "features": N, "pipeline": bool,
//    "loss": "...", "metrics": {"accuracy": 0.77, …} (the last epoch's),
//    "lineage": {"data_sha256", "seed", "epochs", "modelhost_version", "created_at"
//                [, "dataset_id", "dataset_sha256", "job_id"] (models the server trained)},
//    "evaluation": {"validation": {"loss", …}, "test": {"loss", …}}}
// Computed from model.json when a version is registered and stored with it,
// so listing versions never opens their files.
//
// Thread-safety: a pure function.

#ifndef MODELHOST_MODEL_MODEL_SUMMARY_H_
#define MODELHOST_MODEL_MODEL_SUMMARY_H_

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "model/model_directory.h"

namespace modelhost::model {

std::string ModelSummaryJson(const ModelDescription& description);

// Metric name → value as a JSON object, NaN and infinities as null (JSON has
// no such numbers): how summaries, job results and events show metrics.
nlohmann::json MetricValuesJson(const std::map<std::string, double>& values);

}  // namespace modelhost::model

#endif  // MODELHOST_MODEL_MODEL_SUMMARY_H_
