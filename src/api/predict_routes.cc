#include "api/predict_routes.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/error_body.h"
#include "api/prediction_handoff.h"
#include "api/prediction_json.h"
#include "api/version_param.h"
#include "model/model_inputs.h"

namespace modelhost::api {
namespace {

using Json = nlohmann::json;

// One JSON value as a record field.
core::Result<data::FieldValue> FieldFromJson(const Json& value, size_t index,
                                             const std::string& field) {
  if (value.is_null()) return data::FieldValue();
  if (value.is_boolean()) return data::FieldValue(value.get<bool>());
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    return data::FieldValue(value.get<int64_t>());
  }
  if (value.is_number_unsigned()) {
    const uint64_t number = value.get<uint64_t>();
    if (number <= static_cast<uint64_t>(INT64_MAX)) {
      return data::FieldValue(static_cast<int64_t>(number));
    }
    return data::FieldValue(static_cast<double>(number));
  }
  if (value.is_number()) return data::FieldValue(value.get<double>());
  if (value.is_string()) return data::FieldValue(value.get<std::string>());
  return core::InvalidArgument("instance " + std::to_string(index) + ": field '" + field +
                               "' must be a number, a string, a bool or null");
}

// The names an array instance lists its values in: the pipeline's input
// columns, else the model's features.
std::vector<std::string> InputOrder(const model::ModelDescription& description) {
  std::vector<std::string> names;
  if (description.pipeline) {
    for (const auto& column : description.pipeline->input_columns()) names.push_back(column.name);
  } else {
    for (const auto& feature : description.schema.features) names.push_back(feature.name);
  }
  return names;
}

core::Result<std::vector<data::Record>> ParseInstances(const std::string& body,
                                                       const model::ModelDescription& description,
                                                       size_t max_instances) {
  Json request = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return core::InvalidArgument("request body must be a JSON object {\"instances\": [...]}");
  }
  if (!request.contains("instances") || !request["instances"].is_array()) {
    return core::InvalidArgument("field 'instances' must be an array");
  }
  const Json& instances = request["instances"];
  if (instances.size() > max_instances) {
    return core::ResourceExhausted(std::to_string(instances.size()) +
                                   " instances in one request; the limit is " +
                                   std::to_string(max_instances));
  }
  const std::vector<std::string> order = InputOrder(description);
  std::vector<data::Record> records;
  records.reserve(instances.size());
  for (size_t index = 0; index < instances.size(); ++index) {
    const Json& instance = instances[index];
    data::Record record;
    if (instance.is_object()) {
      for (const auto& [field, value] : instance.items()) {
        MODELHOST_ASSIGN_OR_RETURN(record[field], FieldFromJson(value, index, field));
      }
    } else if (instance.is_array()) {
      if (instance.size() != order.size()) {
        return core::InvalidArgument("instance " + std::to_string(index) + ": " +
                                     std::to_string(instance.size()) + " values, but the model " +
                                     "takes " + std::to_string(order.size()) + " inputs");
      }
      for (size_t column = 0; column < order.size(); ++column) {
        MODELHOST_ASSIGN_OR_RETURN(record[order[column]],
                                   FieldFromJson(instance[column], index, order[column]));
      }
    } else {
      return core::InvalidArgument("instance " + std::to_string(index) +
                                   ": must be an object of fields or an array of values");
    }
    records.push_back(std::move(record));
  }
  return records;
}

HttpResponse PredictionsResponse(const std::string& model, int64_t version,
                                 const model::TargetSchema& target, const nn::Matrix& outputs) {
  return HttpResponse::Json(200, PredictionsBody(model, version, target, outputs));
}

// Parses and transforms the instances here, on the I/O thread, and hands the
// feature rows to the model's batcher (api/prediction_handoff.h).
void Predict(const PredictRoutesOptions& options, const HttpRequest& request, Responder responder,
             const serve::VersionSelector& selector) {
  std::string name(request.PathParam("name"));
  core::Result<std::shared_ptr<serve::LoadedModel>> loaded = options.cache->Get(name, selector);
  if (!loaded.ok()) return responder.RespondError(loaded.status());
  const model::ModelDescription& description = (*loaded)->description();
  const int64_t version = (*loaded)->record().version;
  core::Result<std::vector<data::Record>> records =
      ParseInstances(request.body(), description, options.max_instances);
  if (!records.ok()) {
    // Too many instances is a request too large (413); 429 means a full queue.
    if (records.status().code() == core::StatusCode::kResourceExhausted) {
      return responder.Respond(
          HttpResponse::Json(413, ErrorBodyJson("resource_exhausted", records.status().message())));
    }
    return responder.RespondError(records.status());
  }
  const data::FittedPipeline* pipeline = description.pipeline ? &*description.pipeline : nullptr;
  core::Result<nn::Matrix> features = model::RecordFeatures(*records, description.schema, pipeline);
  if (!features.ok()) return responder.RespondError(features.status());
  if (features->rows() == 0) {
    return responder.Respond(
        PredictionsResponse(name, version, description.schema.target, nn::Matrix()));
  }
  HandOffPrediction(**loaded, std::move(*features), std::move(responder),
                    [name = std::move(name), version,
                     target = &description.schema.target](core::Result<nn::Matrix> outputs) {
                      if (!outputs.ok()) return HttpResponse::Error(outputs.status());
                      return PredictionsResponse(name, version, *target, *outputs);
                    });
}

}  // namespace

void AddPredictRoutes(Router& router, PredictRoutesOptions options) {
  const Access predict = Access::Requires(Scope::kPredict);
  router.Add(Method::kPost, "/v1/models/{name}:predict", predict,
             Handler([options](HttpRequest& request, Responder responder) {
               Predict(options, request, std::move(responder), {});
             }));
  router.Add(Method::kPost, "/v1/models/{name}/versions/{version}:predict", predict,
             Handler([options](HttpRequest& request, Responder responder) {
               core::Result<int64_t> version = ParseVersionParam(request.PathParam("version"));
               if (!version.ok()) return responder.RespondError(version.status());
               Predict(options, request, std::move(responder), {.version = *version, .alias = {}});
             }));
  router.Add(Method::kPost, "/v1/models/{name}/aliases/{alias}:predict", predict,
             Handler([options](HttpRequest& request, Responder responder) {
               std::string alias(request.PathParam("alias"));
               Predict(options, request, std::move(responder),
                       {.version = {}, .alias = std::move(alias)});
             }));
}

}  // namespace modelhost::api
