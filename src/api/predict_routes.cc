#include "api/predict_routes.h"

#include <string>
#include <string_view>
#include <vector>

#include "api/error_body.h"
#include "api/predict_instances.h"
#include "api/prediction_handoff.h"
#include "api/prediction_json.h"
#include "api/version_param.h"
#include "model/model_inputs.h"

namespace modelhost::api {
namespace {

// The names an array instance lists its values in: the pipeline's input
// columns, else the model's features. Views into `description`.
std::vector<std::string_view> InputOrder(const model::ModelDescription& description) {
  std::vector<std::string_view> names;
  if (description.pipeline) {
    for (const auto& column : description.pipeline->input_columns()) names.push_back(column.name);
  } else {
    for (const auto& feature : description.schema.features) names.push_back(feature.name);
  }
  return names;
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
      ParsePredictInstances(request.body(), InputOrder(description), options.max_instances);
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
