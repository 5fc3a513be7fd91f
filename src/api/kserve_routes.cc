#include "api/kserve_routes.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/error_body.h"
#include "api/prediction_handoff.h"
#include "api/prediction_json.h"
#include "api/resource_json.h"
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

// Messages may quote what the client sent (a path segment that is not UTF-8):
// replaced, never thrown on.
HttpResponse ProtocolError(const core::Status& status) {
  return HttpResponse::Json(HttpStatusFor(status), DumpJson(Json{{"error", status.message()}}));
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

core::Status BadInput(const InputTensor& input, const std::string& message) {
  return core::InvalidArgument("input '" + input.name + "': " + message);
}

// Whether a request `datatype` can carry the values of `input`'s column: the
// supported ones are those of the metadata plus FP32 for numbers.
core::Status CheckDatatype(const Json& datatype, const InputTensor& input) {
  if (!datatype.is_string()) return BadInput(input, "'datatype' must be a string");
  const std::string& name = datatype.get_ref<const std::string&>();
  const bool numeric =
      input.type == data::ColumnType::kInt64 || input.type == data::ColumnType::kFloat64;
  if (name == "INT64" || name == "FP32" || name == "FP64") {
    if (numeric) return core::OkStatus();
  } else if (name == "BOOL") {
    if (input.type == data::ColumnType::kBool) return core::OkStatus();
  } else if (name == "BYTES") {
    if (input.type == data::ColumnType::kCategorical) return core::OkStatus();
  } else {
    return BadInput(
        input, "unsupported datatype '" + name + "' (supported: BOOL, INT64, FP32, FP64, BYTES)");
  }
  return BadInput(input, "datatype " + name + " does not fit the input, which takes " +
                             (numeric ? std::string("INT64, FP32 or FP64")
                                      : std::string(Datatype(input.type))));
}

// The rows of a tensor's `data`, one element each: flat [x, …] (shape [N] or
// [N, 1], row-major) or nested [[x], …] (shape [N, 1]), as the metadata's
// shape [-1] allows; anything else (ragged, deeper, wider) is refused, as is
// a `shape` whose element count is not the data's.
core::Result<std::vector<const Json*>> TensorRows(const Json& tensor, const InputTensor& input) {
  const Json& data = tensor["data"];
  if (!data.is_array()) return BadInput(input, "'data' must be an array");
  std::vector<const Json*> rows;
  rows.reserve(data.size());
  const bool nested = !data.empty() && data.front().is_array();
  for (size_t index = 0; index < data.size(); ++index) {
    const Json* element = &data[index];
    if (nested) {
      if (!element->is_array() || element->size() != 1) {
        return BadInput(input, "data[" + std::to_string(index) +
                                   "] must be a one-element array, as data[0] is (shape [N, 1])");
      }
      element = &element->front();
    }
    if (element->is_array() || element->is_object()) {
      return BadInput(input, "data[" + std::to_string(index) + "]" + (nested ? "[0]" : "") +
                                 " must be a single value (shape [N] or [N, 1])");
    }
    rows.push_back(element);
  }
  if (tensor.contains("shape")) {
    const Json& shape = tensor["shape"];
    const bool valid = shape.is_array() && (shape.size() == 1 || shape.size() == 2) &&
                       std::all_of(shape.begin(), shape.end(), [](const Json& extent) {
                         return extent.is_number_integer() && extent.get<int64_t>() >= 0;
                       });
    if (!valid || (shape.size() == 2 && shape[1].get<int64_t>() != 1)) {
      return BadInput(input, "'shape' must be [N] or [N, 1], not " + DumpJson(shape));
    }
    if (nested && shape.size() != 2) {
      return BadInput(input, "nested data needs shape [N, 1], not " + DumpJson(shape));
    }
    if (shape[0].get<int64_t>() != static_cast<int64_t>(rows.size())) {
      return BadInput(input, "shape " + DumpJson(shape) + " does not match the " +
                                 std::to_string(rows.size()) + " elements of 'data'");
    }
  }
  return rows;
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
  std::optional<std::vector<std::string>> wanted;  // the "outputs" asked for; all when absent
  Json id;                                         // echoed when not null
};

// The request's "outputs": each an object with a known output's name.
core::Result<std::optional<std::vector<std::string>>> WantedOutputs(
    const Json& body, const model::TargetSchema& target) {
  if (!body.contains("outputs")) return std::optional<std::vector<std::string>>();
  const Json& outputs = body["outputs"];
  if (!outputs.is_array()) return core::InvalidArgument("'outputs' must be an array");
  std::vector<std::string> names;
  for (size_t index = 0; index < outputs.size(); ++index) {
    const Json& output = outputs[index];
    const std::string where = "outputs[" + std::to_string(index) + "]";
    if (!output.is_object()) return core::InvalidArgument(where + " must be an object");
    if (!output.contains("name") || !output["name"].is_string()) {
      return core::InvalidArgument(where + ".name must be a string");
    }
    const std::string& name = output["name"].get_ref<const std::string&>();
    bool known = false;
    for (const auto& [output_name, datatype] : Outputs(target)) known |= output_name == name;
    if (!known) return core::InvalidArgument("unknown output '" + name + "' (" + where + ")");
    names.push_back(name);
  }
  return std::optional<std::vector<std::string>>(std::move(names));
}

core::Result<InferRequest> ParseInfer(const model::ModelDescription& description,
                                      const HttpRequest& request, size_t max_rows) {
  Json body = Json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !body.contains("inputs") ||
      !body["inputs"].is_array()) {
    return core::InvalidArgument("request body must be a JSON object with an 'inputs' array");
  }
  const std::vector<InputTensor> inputs = Inputs(description);
  std::vector<data::Record> records;
  std::optional<std::string> first;  // the input that set the row count
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
    const InputTensor& input = inputs[position];
    if (tensor.contains("datatype")) {
      MODELHOST_RETURN_IF_ERROR(CheckDatatype(tensor["datatype"], input));
    }
    MODELHOST_ASSIGN_OR_RETURN(std::vector<const Json*> rows, TensorRows(tensor, input));
    if (rows.size() > max_rows) {
      return core::ResourceExhausted("input '" + name + "' has " + std::to_string(rows.size()) +
                                     " rows; the limit is " + std::to_string(max_rows) +
                                     " per request");
    }
    if (!first) {
      first = name;
      records.resize(rows.size());
    } else if (rows.size() != records.size()) {
      return core::InvalidArgument("input '" + name + "' has " + std::to_string(rows.size()) +
                                   " elements; input '" + *first + "' has " +
                                   std::to_string(records.size()));
    }
    for (size_t index = 0; index < rows.size(); ++index) {
      MODELHOST_ASSIGN_OR_RETURN(records[index][name], ElementValue(*rows[index], input, index));
    }
  }
  for (size_t position = 0; position < inputs.size(); ++position) {
    if (!seen[position] && !description.pipeline) {
      return core::InvalidArgument("missing input '" + inputs[position].name + "'");
    }
  }
  InferRequest parsed;
  MODELHOST_ASSIGN_OR_RETURN(parsed.wanted, WantedOutputs(body, description.schema.target));
  if (body.contains("id")) parsed.id = body["id"];
  const data::FittedPipeline* pipeline = description.pipeline ? &*description.pipeline : nullptr;
  MODELHOST_ASSIGN_OR_RETURN(parsed.features,
                             model::RecordFeatures(records, description.schema, pipeline));
  return parsed;
}

// The infer response for `outputs` ([rows, output width]).
Json InferResponse(const std::string& model, int64_t version, const model::TargetSchema& target,
                   const std::optional<std::vector<std::string>>& wanted, const Json& id,
                   const nn::Matrix& outputs) {
  const size_t rows = outputs.rows();
  Json response_outputs = Json::array();
  for (const auto& [name, datatype] : Outputs(target)) {
    if (wanted && std::find(wanted->begin(), wanted->end(), name) == wanted->end()) continue;
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
void Infer(serve::ModelCache& cache, const HttpRequest& request, Responder responder,
           size_t max_rows) {
  core::Result<std::shared_ptr<serve::LoadedModel>> loaded = Load(cache, request);
  if (!loaded.ok()) return responder.Respond(ProtocolError(loaded.status()));
  const model::ModelDescription& description = (*loaded)->description();
  core::Result<InferRequest> parsed = ParseInfer(description, request, max_rows);
  if (!parsed.ok()) {
    // Too many rows is a request too large (413); 429 means a full queue.
    if (parsed.status().code() == core::StatusCode::kResourceExhausted) {
      return responder.Respond(
          HttpResponse::Json(413, DumpJson(Json{{"error", parsed.status().message()}})));
    }
    return responder.Respond(ProtocolError(parsed.status()));
  }
  auto answer = [model = (*loaded)->record().model, version = (*loaded)->record().version,
                 target = &description.schema.target, wanted = std::move(parsed->wanted),
                 id = std::move(parsed->id)](core::Result<nn::Matrix> outputs) {
    if (!outputs.ok()) return ProtocolError(outputs.status());
    return HttpResponse::Json(
        200, DumpJson(InferResponse(model, version, *target, wanted, id, *outputs)));
  };
  if (parsed->features.rows() == 0) {
    return responder.Respond(answer(nn::Matrix(0, model::OutputWidth(description.schema.target))));
  }
  HandOffPrediction(**loaded, std::move(parsed->features), std::move(responder), std::move(answer));
}

}  // namespace

void AddKserveRoutes(Router& router, store::MetadataStore* store, serve::ModelCache* cache,
                     size_t max_rows) {
  const Access read = Access::Requires(Scope::kRead);
  const Access predict = Access::Requires(Scope::kPredict);
  for (const char* prefix : {"/v2/models/{name}", "/v2/models/{name}/versions/{version}"}) {
    const std::string base(prefix);
    router.Add(Method::kGet, base, read, SyncHandler([store, cache](const HttpRequest& request) {
                 core::Result<Json> metadata = Metadata(*store, *cache, request);
                 if (!metadata.ok()) return ProtocolError(metadata.status());
                 return HttpResponse::Json(200, DumpJson(*metadata));
               }));
    router.Add(Method::kGet, base + "/ready", read,
               SyncHandler([cache](const HttpRequest& request) {
                 core::Result<std::shared_ptr<serve::LoadedModel>> loaded = Load(*cache, request);
                 if (!loaded.ok()) return ProtocolError(loaded.status());
                 return HttpResponse::Empty(200);
               }));
    router.Add(Method::kPost, base + "/infer", predict,
               Handler([cache, max_rows](HttpRequest& request, Responder responder) {
                 Infer(*cache, request, std::move(responder), max_rows);
               }));
  }
}

}  // namespace modelhost::api
