#include "jobs/dataset_job_spec.h"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "data/pipeline.h"
#include "store/resource_name.h"

namespace modelhost::jobs {
namespace {

using Json = nlohmann::json;

core::Result<Json> ParseObject(std::string_view text) {
  Json parsed;
  try {
    parsed = Json::parse(text);
  } catch (const Json::exception& error) {
    return core::InvalidArgument(std::string("request body is not valid JSON: ") + error.what());
  }
  if (!parsed.is_object()) return core::InvalidArgument("request body must be a JSON object");
  return parsed;
}

core::Status OnlyKnownFields(const Json& body, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return core::InvalidArgument("unknown field '" + key + "' in the request body");
    }
  }
  return core::OkStatus();
}

core::Result<std::string> StringField(const Json& body, const char* field) {
  if (!body.contains(field)) return std::string();
  if (!body[field].is_string()) {
    return core::InvalidArgument(std::string("field '") + field + "' must be a string");
  }
  return body[field].get<std::string>();
}

// A name field: absent (""), or a valid resource name.
core::Result<std::string> NameField(const Json& body) {
  MODELHOST_ASSIGN_OR_RETURN(std::string name, StringField(body, "name"));
  if (!name.empty()) MODELHOST_RETURN_IF_ERROR(store::ValidateResourceName("field 'name'", name));
  return name;
}

}  // namespace

core::Result<DatasetTransformRequest> ParseDatasetTransformSpec(std::string_view text) {
  MODELHOST_ASSIGN_OR_RETURN(Json body, ParseObject(text));
  MODELHOST_RETURN_IF_ERROR(OnlyKnownFields(body, {"pipeline", "name", "target", "task"}));
  if (!body.contains("pipeline") || !body["pipeline"].is_object()) {
    return core::InvalidArgument("field 'pipeline' (a pipeline spec object) is required");
  }
  DatasetTransformRequest request;
  request.pipeline_json = body["pipeline"].dump();
  {
    core::Result<data::Pipeline> pipeline = data::Pipeline::FromJson(request.pipeline_json);
    if (!pipeline.ok()) {
      return core::InvalidArgument("pipeline: " + std::string(pipeline.status().message()));
    }
  }
  MODELHOST_ASSIGN_OR_RETURN(request.name, NameField(body));
  if (body.contains("target")) {
    MODELHOST_ASSIGN_OR_RETURN(std::string target, StringField(body, "target"));
    request.target = std::move(target);
  }
  MODELHOST_ASSIGN_OR_RETURN(std::string task, StringField(body, "task"));
  if (!task.empty() && task != "classification" && task != "regression") {
    return core::InvalidArgument("field 'task' must be classification or regression, not '" + task +
                                 "'");
  }
  request.classification = task != "regression";
  return request;
}

core::Result<DatasetSplitRequest> ParseDatasetSplitSpec(std::string_view text) {
  MODELHOST_ASSIGN_OR_RETURN(Json body, ParseObject(text));
  MODELHOST_RETURN_IF_ERROR(
      OnlyKnownFields(body, {"train", "validation", "test", "seed", "stratify", "name"}));
  DatasetSplitRequest request;
  for (auto [field, target] : {std::pair{"train", &request.train_fraction},
                               std::pair{"validation", &request.validation_fraction},
                               std::pair{"test", &request.test_fraction}}) {
    if (!body.contains(field)) continue;
    if (!body[field].is_number()) {
      return core::InvalidArgument(std::string("field '") + field + "' must be a number");
    }
    *target = body[field].get<double>();
  }
  if (body.contains("seed")) {
    if (!body["seed"].is_number_unsigned()) {
      return core::InvalidArgument("field 'seed' must be a non-negative integer");
    }
    request.seed = body["seed"].get<uint64_t>();
  }
  MODELHOST_ASSIGN_OR_RETURN(request.stratify, StringField(body, "stratify"));
  MODELHOST_ASSIGN_OR_RETURN(request.name_prefix, NameField(body));
  return request;
}

}  // namespace modelhost::jobs
