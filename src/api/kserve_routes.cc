#include "api/kserve_routes.h"

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

struct InputTensor {
  std::string name;
  data::ColumnType type;
};

std::string_view Datatype(data::ColumnType type) {
  switch (type) {
    case data::ColumnType::kFloat64: return "FP64";
    case data::ColumnType::kInt64: return "INT64";
    case data::ColumnType::kBool: return "BOOL";
    case data::ColumnType::kCategorical: return "BYTES";
  }
  return "BYTES";
}

std::vector<InputTensor> Inputs(const model::ModelDescription& description) {
  std::vector<InputTensor> inputs;
  if (description.pipeline) {
    for (const auto& column : description.pipeline->input_columns()) {
      inputs.push_back({column.name, column.type});
    }
  } else {
    for (const auto& feature : description.schema.features) {
      inputs.push_back({feature.name, feature.type});
    }
  }
  return inputs;
}

// The outputs' names and datatypes, in order.
std::vector<std::pair<std::string, std::string>> Outputs(const model::TargetSchema& target) {
  const std::string label_type(Datatype(target.type));
  switch (target.encoding) {
    case model::TargetEncoding::kValue: return {{"prediction", "FP32"}};
    case model::TargetEncoding::kBinary: return {{"probability", "FP32"}, {"label", label_type}};
    case model::TargetEncoding::kClassIndex:
    case model::TargetEncoding::kOneHot: break;
  }
  return {{"probabilities", "FP32"}, {"label", label_type}};
}

HttpResponse ProtocolError(const core::Status& status) {
  return HttpResponse::Json(HttpStatusFor(status), Json{{"error", status.message()}}.dump());
}

core::Result<serve::VersionSelector> Selector(const HttpRequest& request) {
  serve::VersionSelector selector;
  if (!request.PathParam("version").empty()) {
    MODELHOST_ASSIGN_OR_RETURN(selector.version, ParseVersionParam(request.PathParam("version")));
  }
  return selector;
}

core::Result<std::shared_ptr<serve::LoadedModel>> Load(serve::ModelCache& cache,
                                                       const HttpRequest& request) {
  MODELHOST_ASSIGN_OR_RETURN(serve::VersionSelector selector, Selector(request));
  return cache.Get(request.PathParam("name"), selector);
}

core::Result<Json> Metadata(store::MetadataStore& store, serve::ModelCache& cache,
                            const HttpRequest& request) {
  MODELHOST_ASSIGN_OR_RETURN(std::shared_ptr<serve::LoadedModel> loaded, Load(cache, request));
  const model::ModelDescription& description = loaded->description();
  MODELHOST_ASSIGN_OR_RETURN(auto records, store.ListModelVersions(loaded->record().model));
  Json versions = Json::array();
  for (const auto& record : records) versions.push_back(std::to_string(record.version));
  Json inputs = Json::array();
  for (const InputTensor& input : Inputs(description)) {
    inputs.push_back({{"name", input.name}, {"datatype", Datatype(input.type)}, {"shape", {-1}}});
  }
  Json outputs = Json::array();
  const size_t classes = description.schema.target.labels.size();
  for (const auto& [name, datatype] : Outputs(description.schema.target)) {
    Json shape = name == "probabilities" ? Json{-1, classes} : Json{-1};
    outputs.push_back({{"name", name}, {"datatype", datatype}, {"shape", shape}});
  }
  return Json{{"name", loaded->record().model},
              {"versions", versions},
              {"platform", "modelhost"},
              {"inputs", inputs},
              {"outputs", outputs}};
}

// A request tensor's elements, flattened (nested or flat data are both allowed).
void Flatten(const Json& data, std::vector<const Json*>* out) {
  if (data.is_array()) {
    for (const Json& element : data) Flatten(element, out);
  } else {
    out->push_back(&data);
  }
}

core::Result<data::FieldValue> ElementValue(const Json& element, const InputTensor& input,
                                            size_t index) {
  auto bad = [&](std::string_view expected) {
    return core::InvalidArgument("input '" + input.name + "', element " + std::to_string(index) +
                                 ": expected " + std::string(expected));
  };
  switch (input.type) {
    case data::ColumnType::kBool:
      if (element.is_boolean()) return data::FieldValue(element.get<bool>());
      return bad("a bool");
    case data::ColumnType::kCategorical:
      if (element.is_string()) return data::FieldValue(element.get<std::string>());
      return bad("a string");
    case data::ColumnType::kInt64:
    case data::ColumnType::kFloat64:
      if (element.is_number_integer() && !element.is_number_unsigned()) {
        return data::FieldValue(element.get<int64_t>());
      }
      if (element.is_number()) return data::FieldValue(element.get<double>());
      return bad("a number");
  }
  return bad("a value");
}

// What an infer request asks, parsed on the I/O thread.
struct InferRequest {
  nn::Matrix features;
  Json wanted;  // the request's "outputs" list, or null for all
  Json id;      // echoed when not null
};

core::Result<InferRequest> ParseInfer(const model::ModelDescription& description,
                                      const HttpRequest& request) {
  Json body = Json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !body.contains("inputs") ||
      !body["inputs"].is_array()) {
    return core::InvalidArgument("request body must be a JSON object with an 'inputs' array");
  }
  const std::vector<InputTensor> inputs = Inputs(description);
  std::vector<data::Record> records;
  std::vector<bool> seen(inputs.size(), false);
  for (const Json& tensor : body["inputs"]) {
    if (!tensor.is_object() || !tensor.contains("name") || !tensor["name"].is_string() ||
        !tensor.contains("data")) {
      return core::InvalidArgument("each input needs a 'name' and 'data'");
    }
    const std::string name = tensor["name"];
    size_t position = 0;
    while (position < inputs.size() && inputs[position].name != name) ++position;
    if (position == inputs.size()) return core::InvalidArgument("unknown input '" + name + "'");
    if (seen[position]) return core::InvalidArgument("input '" + name + "' is given twice");
    seen[position] = true;
    std::vector<const Json*> elements;
    Flatten(tensor["data"], &elements);
    if (records.empty()) records.resize(elements.size());
    if (elements.size() != records.size()) {
      return core::InvalidArgument("input '" + name + "' has " + std::to_string(elements.size()) +
                                   " elements; the others have " + std::to_string(records.size()));
    }
    for (size_t index = 0; index < elements.size(); ++index) {
      MODELHOST_ASSIGN_OR_RETURN(records[index][name],
                                 ElementValue(*elements[index], inputs[position], index));
    }
  }
  for (size_t position = 0; position < inputs.size(); ++position) {
    if (!seen[position] && !description.pipeline) {
      return core::InvalidArgument("missing input '" + inputs[position].name + "'");
    }
  }
  InferRequest parsed;
  parsed.wanted = body.contains("outputs") ? body["outputs"] : Json(nullptr);
  if (parsed.wanted.is_array()) {
    for (const Json& output : parsed.wanted) {
      const std::string name = output.is_object() ? output.value("name", "") : "";
      bool known = false;
      for (const auto& [output_name, datatype] : Outputs(description.schema.target))
        known = known || output_name == name;
      if (!known) return core::InvalidArgument("unknown output '" + name + "'");
    }
  }
  if (body.contains("id")) parsed.id = body["id"];
  const data::FittedPipeline* pipeline = description.pipeline ? &*description.pipeline : nullptr;
  MODELHOST_ASSIGN_OR_RETURN(parsed.features,
                             model::RecordFeatures(records, description.schema, pipeline));
  return parsed;
}

// The infer response for `outputs` ([rows, output width]).
Json InferResponse(const std::string& model, int64_t version, const model::TargetSchema& target,
                   const Json& wanted, const Json& id, const nn::Matrix& outputs) {
  const size_t rows = outputs.rows();
  Json response_outputs = Json::array();
  for (const auto& [name, datatype] : Outputs(target)) {
    if (wanted.is_array()) {
      bool asked = false;
      for (const Json& output : wanted)
        asked = asked || (output.is_object() && output.value("name", "") == name);
      if (!asked) continue;
    }
    Json data = Json::array();
    Json shape = Json{rows};
    if (name == "probabilities") {
      shape = Json{rows, outputs.cols()};
      for (float value : outputs.values()) data.push_back(value);
    } else if (name == "label") {
      for (size_t row = 0; row < rows; ++row) {
        const size_t best = PredictedClass(target, outputs.Row(row).data());
        data.push_back(LabelJson(target, target.labels[best]));
      }
    } else {
      for (size_t row = 0; row < rows; ++row) data.push_back(outputs(row, 0));
    }
    response_outputs.push_back(
        {{"name", name}, {"datatype", datatype}, {"shape", shape}, {"data", data}});
  }
  Json response = {{"model_name", model},
                   {"model_version", std::to_string(version)},
                   {"outputs", response_outputs}};
  if (!id.is_null()) response["id"] = id;
  return response;
}

// Parses and transforms the tensors on the I/O thread, then hands the rows to
// the model's batcher (api/prediction_handoff.h).
void Infer(serve::ModelCache& cache, const HttpRequest& request, Responder responder) {
  core::Result<std::shared_ptr<serve::LoadedModel>> loaded = Load(cache, request);
  if (!loaded.ok()) return responder.Respond(ProtocolError(loaded.status()));
  const model::ModelDescription& description = (*loaded)->description();
  core::Result<InferRequest> parsed = ParseInfer(description, request);
  if (!parsed.ok()) return responder.Respond(ProtocolError(parsed.status()));
  auto answer = [model = (*loaded)->record().model, version = (*loaded)->record().version,
                 target = &description.schema.target, wanted = std::move(parsed->wanted),
                 id = std::move(parsed->id)](core::Result<nn::Matrix> outputs) {
    if (!outputs.ok()) return ProtocolError(outputs.status());
    return HttpResponse::Json(200,
                              InferResponse(model, version, *target, wanted, id, *outputs).dump());
  };
  if (parsed->features.rows() == 0) {
    return responder.Respond(answer(nn::Matrix(0, model::OutputWidth(description.schema.target))));
  }
  HandOffPrediction(**loaded, std::move(parsed->features), std::move(responder), std::move(answer));
}

}  // namespace

void AddKserveRoutes(Router& router, store::MetadataStore* store, serve::ModelCache* cache) {
  const Access read = Access::Requires(Scope::kRead);
  const Access predict = Access::Requires(Scope::kPredict);
  for (const char* prefix : {"/v2/models/{name}", "/v2/models/{name}/versions/{version}"}) {
    const std::string base(prefix);
    router.Add(Method::kGet, base, read, SyncHandler([store, cache](const HttpRequest& request) {
                 core::Result<Json> metadata = Metadata(*store, *cache, request);
                 if (!metadata.ok()) return ProtocolError(metadata.status());
                 return HttpResponse::Json(200, metadata->dump());
               }));
    router.Add(Method::kGet, base + "/ready", read,
               SyncHandler([cache](const HttpRequest& request) {
                 core::Result<std::shared_ptr<serve::LoadedModel>> loaded = Load(*cache, request);
                 if (!loaded.ok()) return ProtocolError(loaded.status());
                 return HttpResponse::Empty(200);
               }));
    router.Add(Method::kPost, base + "/infer", predict,
               Handler([cache](HttpRequest& request, Responder responder) {
                 Infer(*cache, request, std::move(responder));
               }));
  }
}

}  // namespace modelhost::api
